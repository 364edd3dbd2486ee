import type { SandboxErrorSpec, SandboxResponse } from '../../http/index.js';

/**
 * RFC 9457 problem details, `application/problem+json` unless the description declares its errors
 * as another media type (`contentType`). `type` is a URN per problem code so a client can branch
 * on it; the validation problems, when any, are listed under `errors`.
 */
export function renderProblemDetails(
  spec: SandboxErrorSpec,
  options: { readonly statusAsString?: boolean; readonly contentType?: string } = {},
): SandboxResponse {
  const body: Record<string, unknown> = {
    type: `urn:arazzo-sfn:sandbox:problem:${spec.code}`,
    // The BNPL description types `status` as a string matching ^[1-5][0-9]{2}$.
    status: options.statusAsString ? String(spec.status) : spec.status,
    title: spec.title,
    ...(spec.detail ? { detail: spec.detail } : {}),
    instance: `urn:uuid:${spec.logId}`,
    ...(spec.problems ? { errors: spec.problems } : {}),
  };
  return { status: spec.status, body, contentType: options.contentType ?? 'application/problem+json', headers: spec.headers };
}
