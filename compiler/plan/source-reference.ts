/**
 * Splits `$sourceDescriptions.<name>.<rest>` and `{$sourceDescriptions.<name>.url}#<pointer>` by the
 * source names the document declares. A name SHOULD match `[A-Za-z0-9_-]+` (Arazzo § Source
 * Description Object), so one that does not (`pets.v2`) is allowed with a warning; its dot would
 * make the split ambiguous, and the longest declared name that fits decides it (a source `pets.v2`
 * is read before a source `pets` with an operation `v2.…`). A name no source declares is split at
 * the first dot, so that the diagnostic names what was written.
 */
const PREFIX = '$sourceDescriptions.';
const STRICT_QUALIFIED = /^([A-Za-z0-9_-]+)\.(.+)$/s;

function longestName(tail: string, names: Iterable<string>, after: string): string | undefined {
  let best: string | undefined;
  for (const n of names) if (tail.startsWith(`${n}${after}`) && n.length > (best?.length ?? -1)) best = n;
  return best;
}

/** `[text, name, rest]` of `$sourceDescriptions.<name>.<rest>`, or null when `text` is not one. */
export function qualifiedSource(text: string, names: Iterable<string>): readonly [string, string, string] | null {
  if (!text.startsWith(PREFIX)) return null;
  const tail = text.slice(PREFIX.length);
  const name = longestName(tail, names, '.');
  if (name !== undefined && tail.length > name.length + 1) return [text, name, tail.slice(name.length + 1)];
  const m = STRICT_QUALIFIED.exec(tail);
  return m ? [text, m[1], m[2]] : null;
}

/** `[text, name, pointer]` of `{$sourceDescriptions.<name>.url}#<pointer>`, or null. */
export function sourcePath(text: string, names: Iterable<string>): readonly [string, string, string] | null {
  if (!text.startsWith(`{${PREFIX}`)) return null;
  const tail = text.slice(PREFIX.length + 1);
  const name = longestName(tail, names, '.url}#/') ?? /^([A-Za-z0-9_-]+)\.url\}#\//.exec(tail)?.[1];
  return name === undefined ? null : [text, name, tail.slice(name.length + '.url}#'.length)];
}

/** The names a document's source descriptions declare. */
export const sourceNames = (document: { readonly sourceDescriptions: readonly { readonly name: string }[] }) => document.sourceDescriptions.map((d) => d.name);
