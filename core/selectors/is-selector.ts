const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Whether a value as written in a document is a Selector Object (Arazzo 1.1): `context`,
 * `selector` and `type`, all three required, and otherwise only x- extensions.
 */
export function isSelectorObject(value: unknown): value is { context: unknown; selector: string; type: unknown } {
  if (!isObject(value)) return false;
  const keys = Object.keys(value).filter((k) => !k.startsWith('x-'));
  return keys.length === 3 && ['context', 'selector', 'type'].every((k) => keys.includes(k)) && typeof value.selector === 'string';
}

const escapeToken = (token: string) => token.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * The strings of a value that may hold runtime expressions, with their JSON pointers: every string
 * leaf, except that a Selector Object (as written or as planned) contributes only its `context`,
 * never its selector, which is JSONPath, XPath or a pointer, not a runtime expression.
 */
export function* expressionStrings(value: unknown, pointer = ''): Generator<[text: string, pointer: string]> {
  if (typeof value === 'string') yield [value, pointer];
  else if (isSelectorObject(value)) {
    if (typeof value.context === 'string') yield [value.context, `${pointer}/context`];
  } else if (Array.isArray(value)) for (const [i, v] of value.entries()) yield* expressionStrings(v, `${pointer}/${i}`);
  else if (isObject(value)) for (const [k, v] of Object.entries(value)) yield* expressionStrings(v, `${pointer}/${escapeToken(k)}`);
}
