import { authFailed, providerUnavailable } from '../../../core/errors.js';
import { describeEndpoint, sendAuthRequest, type ClientAuthMethod, type TokenTransport } from './request-token.js';

/** What arazzo-sfn reads of an OpenID Connect discovery document (OpenID Connect Discovery 1.0 §3). */
export interface OpenIdConfiguration {
  readonly tokenEndpoint: string;
  /** `token_endpoint_auth_methods_supported`; absent means client_secret_basic (the spec's default). */
  readonly authMethods?: readonly string[];
}

const MAX_DISCOVERY_BYTES = 256 * 1024;

/**
 * Reads the discovery document at `openIdConnectUrl` (the scheme's URL, which names the
 * `.well-known/openid-configuration` document itself, as OpenAPI says) for its token endpoint.
 */
export async function discoverOpenId(url: string, transport: TokenTransport): Promise<OpenIdConfiguration> {
  const what = `OpenID Connect discovery at ${describeEndpoint(url)}`;
  const response = await sendAuthRequest(
    { method: 'GET', url, headers: { accept: 'application/json' }, parts: { headers: {}, query: {}, path: {} } },
    { ...transport, describe: what, maxBodyBytes: MAX_DISCOVERY_BYTES },
    'discovery',
  );
  if (response.statusCode >= 500 || response.statusCode === 429) throw providerUnavailable(`${what} answered ${response.statusCode}`);
  if (response.statusCode !== 200) throw authFailed(`${what} answered ${response.statusCode}`);
  const doc = response.body as { token_endpoint?: unknown; token_endpoint_auth_methods_supported?: unknown } | undefined;
  const endpoint = typeof doc?.token_endpoint === 'string' ? doc.token_endpoint : undefined;
  if (!endpoint || !/^https?:\/\//i.test(endpoint)) throw authFailed(`${what} names no token_endpoint (an absolute http(s) URL)`);
  const methods = doc!.token_endpoint_auth_methods_supported;
  return { tokenEndpoint: endpoint, ...(Array.isArray(methods) ? { authMethods: methods.filter((m): m is string => typeof m === 'string') } : {}) };
}

/** The client authentication to use: the one asked for, else Basic unless the provider lists only the body form. */
export function pickClientAuthMethod(asked: string | undefined, supported: readonly string[] | undefined): ClientAuthMethod {
  if (asked === 'client_secret_basic' || asked === 'client_secret_post' || asked === 'private_key_jwt' || asked === 'tls_client_auth') return asked;
  if (supported && !supported.includes('client_secret_basic') && supported.includes('client_secret_post')) return 'client_secret_post';
  return 'client_secret_basic';
}
