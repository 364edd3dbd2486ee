import type { Dispatcher } from 'undici';
import { authFailed, providerUnavailable } from '../../../core/errors.js';
import type { BuiltRequest } from '../http/build-request.js';
import { sendRequest, type ReceivedResponse, type SendOptions } from '../http/send-request.js';
import { JWT_BEARER_ASSERTION_TYPE } from './client-assertion.js';

/** How a client proves itself at the token endpoint (the OpenID Connect names; RFC 6749 §2.3.1, RFC 7523 §2.2). */
export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'tls_client_auth';

export interface TokenRequest {
  readonly tokenUrl: string;
  readonly grant: 'client_credentials' | 'password';
  readonly clientId: string;
  readonly clientSecret?: string;
  readonly username?: string;
  readonly password?: string;
  /** Space-separated scopes; the `scope` parameter is left out when absent. */
  readonly scope?: string;
  readonly clientAuthMethod: ClientAuthMethod;
  /** `private_key_jwt`: the signed client assertion (made fresh for each request, its `jti` unique). */
  readonly clientAssertion?: string;
}

/** One request to a token endpoint or discovery document, as the step's log line shows it. */
export interface AuthCall {
  readonly method: string;
  /** The URL's path, never its query string. */
  readonly path: string;
  readonly purpose: 'token' | 'discovery';
  readonly statusCode?: number;
  readonly durationMs: number;
  /** The error name when no answer came. */
  readonly error?: string;
}

export interface TokenTransport {
  readonly dispatcher?: Dispatcher;
  readonly connectTimeoutMs: number;
  readonly requestTimeoutMs: number;
  /** Told of each request made (a cached token or document makes none). */
  readonly onCall?: (call: AuthCall) => void;
}

/** `sendRequest` with the call reported to `onCall`, answered or not. */
export async function sendAuthRequest(request: BuiltRequest, options: SendOptions & TokenTransport, purpose: AuthCall['purpose']): Promise<ReceivedResponse> {
  const started = performance.now();
  let path = '';
  try {
    path = new URL(request.url).pathname;
  } catch {
    /* sendRequest refuses it below */
  }
  try {
    const response = await sendRequest(request, options);
    options.onCall?.({ method: request.method, path, purpose, statusCode: response.statusCode, durationMs: response.durationMs });
    return response;
  } catch (err) {
    options.onCall?.({ method: request.method, path, purpose, durationMs: performance.now() - started, error: (err as Error).name });
    throw err;
  }
}

/** A token answer is small; anything larger is not one. */
const MAX_TOKEN_ANSWER_BYTES = 64 * 1024;

/** RFC 6749 §2.3.1: id and secret are form-encoded before they are joined for HTTP Basic. */
const formEncode = (s: string) => new URLSearchParams({ v: s }).toString().slice(2);

/** How messages name an endpoint: its origin and path, never a query string. */
export function describeEndpoint(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return 'an invalid URL';
  }
}

/** RFC 6749's error code from an error answer, when it is one (a short token, safe to quote). */
function oauthErrorCode(body: unknown): string | undefined {
  const code = (body as { error?: unknown } | undefined)?.error;
  return typeof code === 'string' && /^[\x21-\x7e]{1,64}$/.test(code) ? code : undefined;
}

/**
 * Requests an access token (RFC 6749 §4.4 client credentials, §4.3 resource owner password):
 * a form-encoded POST, the client authenticated by HTTP Basic or in the body. An unreachable
 * endpoint, a 5xx or a 429 is `Arazzo.ProviderUnavailable`; a refusal or an answer without an
 * access token is `Arazzo.AuthFailed`, naming the endpoint and RFC 6749's error code only.
 */
export async function requestToken(req: TokenRequest, transport: TokenTransport): Promise<{ accessToken: string; expiresInSeconds?: number }> {
  const endpoint = describeEndpoint(req.tokenUrl);
  const form = new URLSearchParams({ grant_type: req.grant });
  if (req.grant === 'password') {
    form.set('username', req.username ?? '');
    form.set('password', req.password ?? '');
  }
  if (req.scope) form.set('scope', req.scope);
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  if (req.clientAuthMethod === 'private_key_jwt') {
    if (req.clientAssertion === undefined) throw authFailed(`token request to ${endpoint}: private_key_jwt needs a client assertion`);
    // RFC 7523 §2.2 and OpenID Connect Core §9: client_id may accompany the assertion; no secret is sent.
    form.set('client_id', req.clientId);
    form.set('client_assertion_type', JWT_BEARER_ASSERTION_TYPE);
    form.set('client_assertion', req.clientAssertion);
  } else if (req.clientAuthMethod === 'tls_client_auth') {
    // RFC 8705 §2.1: the client certificate on the connection authenticates; client_id names the client.
    form.set('client_id', req.clientId);
  } else if (req.clientAuthMethod === 'client_secret_basic' && req.clientSecret !== undefined) {
    headers.authorization = `Basic ${Buffer.from(`${formEncode(req.clientId)}:${formEncode(req.clientSecret)}`).toString('base64')}`;
  } else {
    form.set('client_id', req.clientId);
    if (req.clientSecret !== undefined) form.set('client_secret', req.clientSecret);
  }
  const what = `token request to ${endpoint}`;
  const response = await sendAuthRequest(
    { method: 'POST', url: req.tokenUrl, headers, body: form.toString(), parts: { headers: {}, query: {}, path: {} } },
    { ...transport, describe: what, maxBodyBytes: MAX_TOKEN_ANSWER_BYTES },
    'token',
  );
  if (response.statusCode >= 500 || response.statusCode === 429) throw providerUnavailable(`${what} answered ${response.statusCode}`);
  if (response.statusCode !== 200) {
    const code = oauthErrorCode(response.body);
    throw authFailed(`${what} answered ${response.statusCode}${code ? ` (${code})` : ''}: the ${req.grant} grant was refused`);
  }
  const body = response.body as { access_token?: unknown; token_type?: unknown; expires_in?: unknown } | undefined;
  if (typeof body?.access_token !== 'string' || body.access_token === '') throw authFailed(`${what} answered 200 without an access_token`);
  if (body.token_type !== undefined && (typeof body.token_type !== 'string' || body.token_type.toLowerCase() !== 'bearer')) {
    throw authFailed(`${what} granted a token of type ${JSON.stringify(String(body.token_type).slice(0, 20))}, not Bearer`);
  }
  const expires = typeof body.expires_in === 'string' ? Number(body.expires_in) : body.expires_in;
  const expiresInSeconds = typeof expires === 'number' && Number.isFinite(expires) && expires > 0 ? expires : undefined;
  return { accessToken: body.access_token, ...(expiresInSeconds !== undefined ? { expiresInSeconds } : {}) };
}
