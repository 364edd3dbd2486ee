import { createHash, generateKeyPairSync, sign, type JsonWebKey, type KeyObject } from 'node:crypto';

export interface SigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  /** The public half as a JWK, as `/public/jwks` publishes it. */
  readonly jwk: JsonWebKey & { kid: string; use: 'sig'; alg: 'ES256' };
}

/** A fresh P-256 key per sandbox: ES256 is one of the algorithms FAPI 1.0 Advanced allows. */
export function createSigningKey(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const exported = publicKey.export({ format: 'jwk' });
  // RFC 7638 thumbprint as the key id.
  const kid = createHash('sha256').update(JSON.stringify({ crv: exported.crv, kty: exported.kty, x: exported.x, y: exported.y })).digest('base64url');
  return { kid, privateKey, jwk: { ...exported, kid, use: 'sig', alg: 'ES256' } };
}

const segment = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A compact JWS (ES256) of `claims`. */
export function signJwt(key: SigningKey, claims: Readonly<Record<string, unknown>>): string {
  const input = `${segment({ alg: 'ES256', typ: 'JWT', kid: key.kid })}.${segment(claims)}`;
  const signature = sign('sha256', Buffer.from(input), { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

/** OIDC's `s_hash`/`c_hash`: the left half of SHA-256 of the value, base64url. */
export function halfHash(value: string): string {
  const digest = createHash('sha256').update(value).digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}
