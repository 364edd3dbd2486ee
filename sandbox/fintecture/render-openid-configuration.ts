import type { SandboxExchange, SandboxResponse } from '../http/index.js';

export const OPENID_CONFIGURATION_PATH = '/.well-known/openid-configuration';

/**
 * An OpenID Connect discovery document (OpenID Connect Discovery 1.0 §3) naming the sandbox's
 * token endpoint, so `x-security` schemes of type `openIdConnect` run against the sandbox.
 * Fintecture publishes none: this is a sandbox addition, limited to what a token request needs.
 */
export function renderOpenIdConfiguration(exchange: SandboxExchange): SandboxResponse | undefined {
  if (exchange.method !== 'GET' || exchange.path !== OPENID_CONFIGURATION_PATH) return undefined;
  return {
    status: 200,
    body: {
      issuer: exchange.baseUrl,
      token_endpoint: `${exchange.baseUrl}/oauth/accesstoken`,
      grant_types_supported: ['client_credentials'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      scopes_supported: ['PIS', 'AIS', 'customer', 'e-mandate', 'OAC'],
    },
  };
}
