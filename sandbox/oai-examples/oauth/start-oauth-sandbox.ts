import type { FaultRule } from '../../http/index.js';
import type { OAuthClient } from '../shared/oauth-clients.js';
import { renderOAuthError } from '../shared/render-oauth-error.js';
import { startExampleSandbox, type ExampleSandbox, type ExampleSandboxOptions, type ExampleSimulator } from '../shared/start-example-sandbox.js';
import { oauthHandlers } from './oauth-handlers.js';
import { resolveOAuthScenario, type OAuthScenario, type OAuthScenarioOverrides } from './oauth-scenario.js';
import { introspectToken, type TokenIntrospection } from '../shared/oauth-tokens.js';
import { createOAuthStore, type OAuthStore } from './oauth-store.js';

export const OAUTH_OPENAPI_FILE = 'oauth.openapi.yaml';

/** The client the sandbox knows when none are given, so the example runs with no registration. */
export const DEFAULT_OAUTH_CLIENTS: Readonly<Record<string, OAuthClient>> = Object.freeze({
  'example-client': { secret: 'example-client-secret', redirectUris: ['https://client.example.com/callback'] },
});

export interface OAuthSandboxOptions extends ExampleSandboxOptions<OAuthScenarioOverrides> {
  /** client_id -> secret and registered redirect URIs. @default DEFAULT_OAUTH_CLIENTS */
  readonly clients?: Readonly<Record<string, OAuthClient>>;
  readonly faults?: readonly FaultRule[];
}

export interface OAuthSandbox extends ExampleSandbox<OAuthStore, OAuthScenario, OAuthScenarioOverrides> {
  /** RFC 7662 introspection of an access or refresh token: what a resource server would check. */
  introspect(token: string): TokenIntrospection;
  /** How many codes, access tokens and refresh tokens were issued. */
  readonly issued: Readonly<OAuthStore['issued']>;
}

/**
 * Starts the authorization server of the oauth example: `GET /authorize` (a logged-in user who
 * consents as the scenario says; the code comes back as JSON) and `POST /oauth/token` with the
 * client_credentials, authorization_code (single-use, expiring codes bound to client and
 * redirect URI) and refresh_token (rotating) grants. Clients authenticate with their secret in
 * the form or HTTP Basic. Errors are RFC 6749's `{ error, error_description }`.
 */
export async function startOAuthSandbox(options: OAuthSandboxOptions = {}): Promise<OAuthSandbox> {
  const clients = new Map(Object.entries(options.clients ?? DEFAULT_OAUTH_CLIENTS));
  const now = options.now ?? Date.now;
  const simulator: ExampleSimulator<OAuthStore, OAuthScenario, OAuthScenarioOverrides> = {
    title: 'OAuth',
    descriptions: [OAUTH_OPENAPI_FILE],
    createStore: createOAuthStore,
    resolveScenario: resolveOAuthScenario,
    handlers: oauthHandlers(clients),
    renderError: renderOAuthError,
  };
  const sandbox = await startExampleSandbox(simulator, { ...options, now });
  return Object.defineProperties(sandbox, {
    introspect: { value: (token: string) => introspectToken(sandbox.store.tokens, token, now()), enumerable: true },
    issued: { get: () => ({ ...sandbox.store.issued }), enumerable: true },
  }) as OAuthSandbox;
}
