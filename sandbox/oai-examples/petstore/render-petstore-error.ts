import type { SandboxErrorSpec, SandboxResponse } from '../../http/index.js';

/** The Petstore's `ApiResponse` shape, `{ code, type, message }`, with the validation problems when any. */
export function renderPetstoreError(spec: SandboxErrorSpec): SandboxResponse {
  const message = spec.problems?.length ? spec.problems.map((p) => p.detail ?? p.title).join('; ') : (spec.detail ?? spec.title);
  return { status: spec.status, headers: spec.headers, body: { code: spec.status, type: spec.code, message } };
}
