import type { SandboxErrorSpec, SandboxResponse } from '../http/index.js';

/** The shared server names its errors in snake_case (`not_found`); connectFi's codes are camelCase. */
function camelCase(code: string): string {
  return code.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** connectFi's error envelope: `{ requestId, code, subCode?, context?, message? }`. */
export function connectFiError(
  status: number,
  body: { readonly requestId: string; readonly code: string; readonly subCode?: string; readonly context?: unknown; readonly message?: string },
  headers?: Readonly<Record<string, string>>,
): SandboxResponse {
  const { requestId, code, subCode, context, message } = body;
  return {
    status,
    headers,
    body: {
      requestId,
      code,
      ...(subCode !== undefined ? { subCode } : {}),
      ...(context !== undefined ? { context } : {}),
      ...(message !== undefined ? { message } : {}),
    },
  };
}

/** Errors raised by the shared server (unknown path, injected fault, oversized body) in connectFi's envelope. */
export function renderConnectFiError(spec: SandboxErrorSpec): SandboxResponse {
  const message = spec.detail ? `${spec.title}: ${spec.detail}` : spec.title;
  return connectFiError(spec.status, { requestId: spec.logId.replaceAll('-', ''), code: camelCase(spec.code), message }, spec.headers);
}
