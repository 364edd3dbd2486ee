import { pointerTokens } from '../json-pointer.js';
import { ExpressionSyntaxError } from '../expressions/expression-syntax-error.js';

/** RFC 6901 §3: empty, or `/`-prefixed tokens whose only escapes are `~0` and `~1` (§6's URI fragment form, `#/a`, too). */
export function checkJsonPointer(pointer: string): void {
  const start = pointer.startsWith('#') ? 1 : 0;
  if (pointer.length > start && pointer[start] !== '/') throw new ExpressionSyntaxError('a JSON pointer is empty or starts with "/"', start);
  const bad = /~(?![01])/.exec(pointer);
  if (bad) throw new ExpressionSyntaxError('"~" is written "~0" and "/" is written "~1" in a JSON pointer', bad.index);
}

/** The value at an RFC 6901 pointer (§4: array indexes are decimal without leading zeros), or undefined. */
export function selectJsonPointer(pointer: string, root: unknown): unknown {
  let node = root;
  for (const token of pointerTokens(pointer)) {
    if (Array.isArray(node)) {
      if (!/^(0|[1-9]\d*)$/.test(token)) return undefined;
      node = node[Number(token)];
    } else if (node !== null && typeof node === 'object' && Object.hasOwn(node, token)) {
      node = (node as Record<string, unknown>)[token];
    } else return undefined;
  }
  return node;
}
