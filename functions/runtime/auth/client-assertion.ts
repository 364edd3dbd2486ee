import { randomUUID } from 'node:crypto';
import { secretError } from '../../../core/errors.js';
import type { SigningAlgorithm, StepPlan } from '../../../core/plan.js';
import type { SigningKeys } from '../signing/signing-keys.js';

/** RFC 7523 §2.2: the `client_assertion_type` of a JWT client assertion. */
export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** The JWS algorithms (RFC 7518 §3.1) a client assertion is signed with, as the signing keys name them. */
export const CLIENT_ASSERTION_ALGORITHMS = {
  RS256: 'rsa-v1_5-sha256',
  PS256: 'rsa-pss-sha256',
  ES256: 'ecdsa-p256-sha256',
} as const satisfies Record<string, SigningAlgorithm>;

export type ClientAssertionAlgorithm = keyof typeof CLIENT_ASSERTION_ALGORITHMS;

/** An assertion is good for this long: one token request, with room for a slow endpoint and some clock skew. */
export const CLIENT_ASSERTION_LIFETIME_SECONDS = 60;

export interface ClientAssertionRequest {
  readonly clientId: string;
  /** The token endpoint's URL: the audience (RFC 7523 §3, item 3). */
  readonly tokenUrl: string;
  /** Name of the signing key: a KMS key on AWS, else a PEM secret. */
  readonly key: string;
  /** @default 'RS256' */
  readonly algorithm?: ClientAssertionAlgorithm;
  /** The `kid` header, when the authorization server holds several keys of the client. */
  readonly keyId?: string;
  /** Epoch milliseconds. */
  readonly now: number;
}

const base64url = (data: string | Uint8Array) => Buffer.from(data).toString('base64url');

/**
 * A `private_key_jwt` client assertion (RFC 7523 §2.2 and §3, OpenID Connect Core §9): a JWS
 * compact serialisation whose claims say the client (`iss` and `sub`) asks this token endpoint
 * (`aud`) once (`jti`, random) until shortly after now (`exp`). The signing input goes to
 * `keys`, so a KMS key signs it without the private key leaving KMS, exactly as for HTTP
 * message signatures; ES256 signatures come back as r‖s, which is what JWS wants (RFC 7518 §3.4).
 */
export async function signClientAssertion(req: ClientAssertionRequest, keys: SigningKeys): Promise<string> {
  const alg = req.algorithm ?? 'RS256';
  const algorithm = CLIENT_ASSERTION_ALGORITHMS[alg];
  if (!algorithm) throw secretError(`client assertion algorithm ${JSON.stringify(alg)} is not one of ${Object.keys(CLIENT_ASSERTION_ALGORITHMS).join(', ')}`);
  const iat = Math.floor(req.now / 1000);
  const header = { alg, typ: 'JWT', ...(req.keyId ? { kid: req.keyId } : {}) };
  const claims = { iss: req.clientId, sub: req.clientId, aud: req.tokenUrl, jti: randomUUID(), iat, exp: iat + CLIENT_ASSERTION_LIFETIME_SECONDS };
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const signature = await keys.sign(req.key, algorithm, Buffer.from(signingInput, 'ascii'));
  return `${signingInput}.${base64url(signature)}`;
}

/**
 * The keys a step's private_key_jwt entries sign assertions with, and the algorithm each uses:
 * what the construct grants (`kms:Sign` on a KMS key, or read on a PEM secret) to the step's function.
 */
export function clientAssertionKeys(step: Pick<StepPlan, 'auth'>): { key: string; algorithm: SigningAlgorithm }[] {
  return (step.auth ?? [])
    .filter((entry) => entry.values.clientAuthMethod === 'private_key_jwt' && entry.values.accessToken === undefined && entry.values.clientAssertionKey !== undefined)
    .map((entry) => ({
      key: entry.values.clientAssertionKey,
      algorithm: CLIENT_ASSERTION_ALGORITHMS[(entry.values.clientAssertionAlgorithm as ClientAssertionAlgorithm | undefined) ?? 'RS256'] ?? CLIENT_ASSERTION_ALGORITHMS.RS256,
    }));
}
