import { randomBytes } from 'node:crypto';

/** 256 random bits: the callback id is the only proof a caller is the provider this execution called. */
export const newCallbackId = () => randomBytes(32).toString('base64url');

/**
 * The id travels in the query string, where webhook senders and proxies are told to keep secrets
 * (connectFi's advice; its sandbox logs only scheme, host and path).
 */
export const callbackUrlFor = (baseUrl: string, id: string) => `${baseUrl.replace(/\/+$/, '')}/callbacks?id=${id}`;

/** The id of a callback request (`/callbacks?id=<id>`), or undefined. */
export function callbackIdOf(pathAndQuery: string): string | undefined {
  const url = new URL(pathAndQuery, 'http://receiver');
  const id = url.searchParams.get('id');
  return url.pathname.replace(/\/+$/, '') === '/callbacks' && id && /^[A-Za-z0-9_-]{43}$/.test(id) ? id : undefined;
}
