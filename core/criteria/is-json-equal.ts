/** Structural equality of JSON values (object member order does not matter). */
export function isJsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => isJsonEqual(item, b[i]));
  }
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object' || Array.isArray(b)) return false;
  const aKeys = Object.keys(a);
  const bRecord = b as Record<string, unknown>;
  return (
    aKeys.length === Object.keys(bRecord).length &&
    aKeys.every(
      (key) => Object.prototype.hasOwnProperty.call(bRecord, key) && isJsonEqual((a as Record<string, unknown>)[key], bRecord[key]),
    )
  );
}
