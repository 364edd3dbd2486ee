import type { ConnectFiStore } from './connectfi-store.js';

/**
 * The user an `x-connectfi-token` belongs to; `undefined` when the token is missing, unknown or
 * expired, which connectFi answers alike (401 `unauthorized`).
 */
export function authorizeConnectFiToken(header: string | string[] | undefined, store: ConnectFiStore, now: number): string | undefined {
  const token = (Array.isArray(header) ? header[0] : header)?.trim();
  const record = token ? store.tokens.get(token) : undefined;
  return record && record.expiresAt > now ? record.login : undefined;
}
