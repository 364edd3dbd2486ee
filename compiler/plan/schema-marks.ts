/** Object schemas nested deeper than this are not searched (a schema is not that deep in practice). */
const MAX_DEPTH = 32;

const escapePointer = (name: string) => name.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * Pointers of the marks (a keyword `isMark` names on a subschema) below `schema`'s keywords other
 * than `skip`: under array items, combinators, additional or pattern properties, where no input
 * path names what they mark, so the planner cannot seal it. Each object is searched once (a
 * recursive `$ref`, once dereferenced, is a cycle).
 */
export function marksBelow(schema: Record<string, any>, pointer: string, isMark: (node: Record<string, unknown>) => string | undefined, skip: readonly string[]): string[] {
  const found: string[] = [];
  const seen = new Set<object>();
  const search = (node: unknown, at: string, depth: number) => {
    if (node === null || typeof node !== 'object' || seen.has(node) || depth > MAX_DEPTH) return;
    seen.add(node);
    const mark = Array.isArray(node) ? undefined : isMark(node as Record<string, unknown>);
    if (mark !== undefined) found.push(`${at}/${escapePointer(mark)}`);
    for (const [key, child] of Object.entries(node)) search(child, `${at}/${escapePointer(key)}`, depth + 1);
  };
  for (const [keyword, value] of Object.entries(schema ?? {})) {
    if (skip.includes(keyword)) continue;
    search(value, `${pointer}/${escapePointer(keyword)}`, 0);
  }
  return found;
}
