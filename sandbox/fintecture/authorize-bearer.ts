import type { SandboxResponse } from '../http/index.js';
import type { FintectureStore } from './fintecture-store.js';
import { normaliseScope } from './normalise-scope.js';

export interface BearerCheck {
  readonly authorization: string | undefined;
  /** Scope the operation needs, e.g. `customer` or `PIS` (compared without case). */
  readonly requiredScope: string;
  readonly store: FintectureStore;
  readonly now: number;
  fail(status: number, code: string, title: string, detail: string, headers: Record<string, string>): SandboxResponse;
}

const REALM = 'realm="fintecture"';

/** RFC 6750: 401 for a missing, unknown or expired token, 403 for a token of another scope. */
export function authorizeBearer(check: BearerCheck): { readonly clientId: string } | { readonly denied: SandboxResponse } {
  const token = /^Bearer\s+(\S+)\s*$/i.exec(check.authorization ?? '')?.[1];
  if (!token) {
    const headers = { 'www-authenticate': `Bearer ${REALM}` };
    return { denied: check.fail(401, 'unauthorized', 'Missing bearer token', 'send Authorization: Bearer <access_token>', headers) };
  }
  const record = check.store.tokens.get(token);
  if (!record || record.expiresAt <= check.now) {
    const detail = record ? 'the access token expired; mint a new one' : 'the access token is unknown';
    const headers = { 'www-authenticate': `Bearer ${REALM}, error="invalid_token", error_description="${detail}"` };
    return { denied: check.fail(401, 'invalid_token', 'Invalid access token', detail, headers) };
  }
  const required = normaliseScope(check.requiredScope);
  if (!record.scopes.has(required)) {
    const detail = `this operation needs a token with scope ${check.requiredScope}`;
    const headers = { 'www-authenticate': `Bearer ${REALM}, error="insufficient_scope", scope="${check.requiredScope}"` };
    return { denied: check.fail(403, 'insufficient_scope', 'Insufficient scope', detail, headers) };
  }
  return { clientId: record.clientId };
}
