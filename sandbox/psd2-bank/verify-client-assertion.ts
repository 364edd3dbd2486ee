import type { KeyObject } from 'node:crypto';
import { decodeJwt, errors, jwtVerify } from 'jose';
import type { Psd2BankScenario } from './psd2-bank-scenario.js';
import type { Psd2BankRefusal, Psd2BankStore } from './psd2-bank-store.js';

import { JWT_BEARER_ASSERTION_TYPE } from '../../functions/runtime/auth/client-assertion.js';

/** The algorithms the bank accepts (FAPI 2.0 allows PS256 and ES256; RS256 for older clients). */
export const ACCEPTED_ASSERTION_ALGORITHMS = ['RS256', 'PS256', 'ES256'];

export interface AssertionCheck {
  readonly assertionType: unknown;
  readonly assertion: unknown;
  /** The form's `client_id`, when sent: it must name the assertion's issuer. */
  readonly clientId?: unknown;
  /** The URLs the audience may name: the token endpoint's (and the issuer's, which OpenID Connect Core §9 also allows). */
  readonly audiences: readonly string[];
  readonly publicKeys: ReadonlyMap<string, KeyObject>;
  readonly store: Psd2BankStore;
  readonly scenario: Psd2BankScenario;
  readonly now: number;
}

export type AssertionVerdict = { readonly clientId: string } | { readonly refused: Psd2BankRefusal; readonly detail: string };

/**
 * RFC 7523 §3 client authentication, as an authorization server checks it: the assertion's
 * issuer names a registered client, its signature verifies with the public key that client
 * registered (jose), `sub` is the client, `aud` is this endpoint, `exp` is near, and its `jti`
 * has not been used before. A replayed assertion is refused even before it expires.
 */
export async function verifyClientAssertion(check: AssertionCheck): Promise<AssertionVerdict> {
  if (check.assertionType !== JWT_BEARER_ASSERTION_TYPE) return { refused: 'bad-assertion-type', detail: `client_assertion_type must be ${JWT_BEARER_ASSERTION_TYPE}` };
  if (typeof check.assertion !== 'string') return { refused: 'bad-claims', detail: 'client_assertion is missing' };
  let issuer: unknown;
  try {
    issuer = decodeJwt(check.assertion).iss;
  } catch {
    return { refused: 'bad-claims', detail: 'client_assertion is not a JWT' };
  }
  const key = typeof issuer === 'string' ? check.publicKeys.get(issuer) : undefined;
  if (!key || typeof issuer !== 'string') return { refused: 'unknown-client', detail: 'the assertion names no registered client (iss)' };
  if (check.clientId !== undefined && check.clientId !== issuer) return { refused: 'client-id-mismatch', detail: 'client_id is not the assertion issuer' };
  let payload;
  try {
    ({ payload } = await jwtVerify(check.assertion, key, {
      algorithms: ACCEPTED_ASSERTION_ALGORITHMS,
      issuer,
      subject: issuer,
      audience: [...check.audiences],
      requiredClaims: ['exp', 'jti'],
      clockTolerance: check.scenario.clockToleranceSeconds,
      currentDate: new Date(check.now),
    }));
  } catch (err) {
    if (err instanceof errors.JWTExpired) return { refused: 'expired', detail: 'the assertion has expired (exp)' };
    if (err instanceof errors.JWSSignatureVerificationFailed || err instanceof errors.JOSEAlgNotAllowed)
      return { refused: 'bad-signature', detail: 'the assertion signature does not verify with the registered key' };
    if (err instanceof errors.JWTClaimValidationFailed) return { refused: 'bad-claims', detail: `the assertion claim ${err.claim} is not valid (${err.reason})` };
    return { refused: 'bad-signature', detail: 'the assertion cannot be verified' };
  }
  const exp = (payload.exp as number) * 1000;
  if (exp - check.now > check.scenario.maxAssertionLifetimeSeconds * 1000)
    return { refused: 'too-long-lived', detail: `the assertion expires more than ${check.scenario.maxAssertionLifetimeSeconds} s from now` };
  const { seenAssertions } = check.store;
  for (const [seen, until] of seenAssertions) if (until <= check.now) seenAssertions.delete(seen);
  const id = `${issuer} ${String(payload.jti)}`;
  if (seenAssertions.has(id)) return { refused: 'replayed', detail: 'the assertion jti was used before' };
  seenAssertions.set(id, exp + check.scenario.clockToleranceSeconds * 1000);
  return { clientId: issuer };
}
