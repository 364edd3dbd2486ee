import { sfnError } from './errors.js';

/**
 * `nextToken`s are opaque to clients but carry a keyset position, tied to the request they
 * continue (operation and the resource listed), so a token from another listing is refused as
 * the service refuses it (InvalidToken).
 */
export function encodeToken(kind: string, scope: string, cursor: unknown): string {
  return Buffer.from(JSON.stringify({ k: kind, s: scope, c: cursor })).toString('base64url');
}

export function decodeToken<T>(token: string, kind: string, scope: string): T {
  let parsed: { k?: unknown; s?: unknown; c?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw sfnError('InvalidToken', `Invalid Token: '${token.slice(0, 64)}'`);
  }
  if (parsed?.k !== kind || parsed.s !== scope || parsed.c === undefined) {
    throw sfnError('InvalidToken', 'Invalid Token: the nextToken was issued for a different request');
  }
  return parsed.c as T;
}

/** AWS: 0 or absent means the default page size. */
export const pageSize = (maxResults: number | undefined, fallback = 100) => (maxResults ? maxResults : fallback);
