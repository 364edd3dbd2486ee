/** Scopes a client_credentials token may carry, lower-case. */
export const KNOWN_SCOPES: ReadonlySet<string> = new Set(['pis', 'ais', 'customer', 'e-mandate', 'oac']);

/** Scopes compare without case (`PIS` = `pis`), and `customers` is taken for `customer`. */
export function normaliseScope(scope: string): string {
  const lower = scope.trim().toLowerCase();
  return lower === 'customers' ? 'customer' : lower;
}
