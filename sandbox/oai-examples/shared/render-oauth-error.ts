import type { SandboxErrorSpec, SandboxResponse } from '../../http/index.js';

// RFC 6749 §5.2 (token endpoint) and §4.1.2.1 (authorization endpoint) error codes, which clients branch on.
const OAUTH_CODES = new Set([
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'unsupported_response_type',
  'invalid_scope',
  'access_denied',
  'invalid_request_uri',
  'invalid_token',
]);

function oauthCode(status: number, code: string): string {
  if (OAUTH_CODES.has(code)) return code;
  if (status === 503) return 'temporarily_unavailable';
  return status >= 500 ? 'server_error' : 'invalid_request';
}

/** RFC 6749's `{ error, error_description }`, with the request's problems when validation failed. */
export function renderOAuthError(spec: SandboxErrorSpec): SandboxResponse {
  const description = spec.problems?.length ? spec.problems.map((p) => p.detail ?? p.title).join('; ') : (spec.detail ?? spec.title);
  return {
    status: spec.status,
    // RFC 6749 §5.1: responses carrying tokens or token errors must not be cached.
    headers: { 'cache-control': 'no-store', pragma: 'no-cache', ...spec.headers },
    body: { error: oauthCode(spec.status, spec.code), error_description: description },
  };
}
