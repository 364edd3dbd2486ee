import type { SandboxErrorSpec, SandboxResponse } from '../http/index.js';

// RFC 6749 section 5.2 error codes, which OAuth clients branch on.
const OAUTH_CODES = new Set(['invalid_request', 'invalid_client', 'invalid_grant', 'unauthorized_client', 'unsupported_grant_type', 'invalid_scope']);

function oauthCode(status: number, code: string): string {
  if (OAUTH_CODES.has(code)) return code;
  if (status === 503) return 'temporarily_unavailable';
  return status >= 500 ? 'server_error' : 'invalid_request';
}

/**
 * Fintecture's error envelope, `{ status, code, log_id, errors: [{ code, title, detail }] }`. On the
 * OAuth endpoints it also carries RFC 6749's `error` and `error_description`.
 */
export function renderFintectureError(spec: SandboxErrorSpec): SandboxResponse {
  const errors = spec.problems ?? [{ code: spec.code, title: spec.title, ...(spec.detail ? { detail: spec.detail } : {}) }];
  const body: Record<string, unknown> = { status: spec.status, code: spec.code, log_id: spec.logId, errors };
  if (spec.route?.api === 'oauth') {
    body.error = oauthCode(spec.status, spec.code);
    body.error_description = spec.detail ?? spec.title;
  }
  return { status: spec.status, body, headers: spec.headers };
}
