import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import type { FintectureSandbox } from '../../sandbox/index.js';

export const CLIENT_ID = 'sandbox-app-id';
export const CLIENT_SECRET = 'sandbox-app-secret';

export interface CallOptions {
  readonly json?: unknown;
  readonly form?: Record<string, string>;
  readonly headers?: Record<string, string>;
  readonly token?: string;
}

export interface CallResult {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON when the body is JSON, else the text. */
  readonly body: any;
  readonly text: string;
}

/** One real HTTP exchange with the sandbox over loopback. */
export async function call(sandbox: FintectureSandbox, method: string, path: string, options: CallOptions = {}): Promise<CallResult> {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | undefined;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['content-type'] ??= 'application/json';
  } else if (options.form) {
    body = new URLSearchParams(options.form).toString();
    headers['content-type'] ??= 'application/x-www-form-urlencoded';
  }
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const res = await request(`${sandbox.url}${path}`, { method: method as 'GET', headers, body });
  const text = await res.body.text();
  let parsed: unknown = text;
  if (String(res.headers['content-type'] ?? '').includes('json')) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  return { status: res.statusCode, headers: res.headers, body: parsed, text };
}

export async function mintToken(sandbox: FintectureSandbox, scope: string): Promise<string> {
  const res = await call(sandbox, 'POST', '/oauth/accesstoken', {
    form: { grant_type: 'client_credentials', scope, client_id: CLIENT_ID, client_secret: CLIENT_SECRET },
  });
  if (res.status !== 200) throw new Error(`token request failed: ${res.status} ${res.text}`);
  return res.body.access_token as string;
}

/** The body seed 001's createPayment step sends. */
export function connectBody(overrides: { amount?: string; psuEmail?: string; communication?: string } = {}) {
  return {
    meta: overrides.psuEmail ? { psu_email: overrides.psuEmail } : {},
    data: {
      type: 'PIS',
      attributes: {
        amount: overrides.amount ?? '149.99',
        currency: 'EUR',
        communication: overrides.communication ?? 'Order 1042',
        payment_method: 'immediate_transfer',
      },
    },
  };
}

export const newRequestId = () => randomUUID();
