import { createHash, generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { request } from 'undici';
import type { FintectureSandbox } from '../../sandbox/index.js';

export const CLIENT_ID = 'sandbox-app-id';
export const CLIENT_SECRET = 'sandbox-app-secret';

// The test application's signing key: its public half registered with the sandbox (as an
// application registers it with Fintecture), its private half signing PIS requests here with
// node:crypto, independently of arazzo-sfn's signing module.
const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
/** `signatureKeys` for startFintectureSandbox: the test application's public key under its id. */
export const SIGNATURE_KEYS: Readonly<Record<string, string>> = { [CLIENT_ID]: signingKey.publicKey.export({ type: 'spki', format: 'pem' }) as string };
/** The test application's private key (PEM): what opens the signatures of the webhooks Fintecture sends it. */
export const APPLICATION_PRIVATE_PEM = signingKey.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;

/**
 * Fintecture's PIS signature over a request: `Date`, `Digest` (SHA-256 of the body) and a
 * draft-cavage rsa-sha256 `Signature` over `(request-target) date digest x-request-id`.
 */
export function fintectureSignatureHeaders(method: string, path: string, body: string, requestId: string, keyId = CLIENT_ID): Record<string, string> {
  const date = new Date().toUTCString();
  const digest = `SHA-256=${createHash('sha256').update(body).digest('base64')}`;
  const base = `(request-target): ${method.toLowerCase()} ${path}\ndate: ${date}\ndigest: ${digest}\nx-request-id: ${requestId}`;
  const signature = sign('sha256', Buffer.from(base), signingKey.privateKey).toString('base64');
  return { date, digest, signature: `keyId="${keyId}",algorithm="rsa-sha256",headers="(request-target) date digest x-request-id",signature="${signature}"` };
}

export interface CallOptions {
  readonly json?: unknown;
  readonly form?: Record<string, string>;
  readonly headers?: Record<string, string>;
  readonly token?: string;
  /**
   * Sign the request as Fintecture's PIS API asks (fintectureSignatureHeaders), after the
   * headers given; a header given wins over the one signing makes.
   * @default true for a POST under /pis/, as a real client of the PIS API does
   */
  readonly sign?: boolean;
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
  if (options.sign ?? (method === 'POST' && path.startsWith('/pis/'))) {
    const made = fintectureSignatureHeaders(method, path, body ?? '', headers['x-request-id'] ?? '');
    for (const [name, value] of Object.entries(made)) headers[name] ??= value;
  }
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
