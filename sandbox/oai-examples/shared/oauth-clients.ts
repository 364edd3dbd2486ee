import { timingSafeEqual } from 'node:crypto';

/** An OAuth client the simulated authorization server knows. */
export interface OAuthClient {
  readonly secret: string;
  readonly redirectUris: readonly string[];
}

export function sameSecret(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** client_id/client_secret from HTTP Basic (RFC 6749 §2.3.1) and/or the form body; sources that disagree conflict. */
export function readClientAuthentication(
  authorization: string | undefined,
  body: Readonly<Record<string, unknown>>,
): { readonly clientId?: string; readonly clientSecret?: string; readonly conflicting: boolean } {
  const encoded = /^Basic\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
  let basic: { id: string; secret: string } | undefined;
  if (encoded) {
    const decoded = Buffer.from(encoded, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    // RFC 6749 §2.3.1: both parts are form-urlencoded before Basic encoding.
    if (colon >= 0) basic = { id: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
  }
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const ids = [...new Set([basic?.id, str(body.client_id)].filter((v): v is string => v !== undefined))];
  const secrets = [...new Set([basic?.secret, str(body.client_secret)].filter((v): v is string => v !== undefined))];
  return { clientId: ids[0], clientSecret: secrets[0], conflicting: ids.length > 1 || secrets.length > 1 };
}
