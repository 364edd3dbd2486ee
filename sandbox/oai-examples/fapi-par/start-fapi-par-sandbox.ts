import type { FaultRule } from '../../http/index.js';
import { introspectToken, type TokenIntrospection } from '../shared/oauth-tokens.js';
import { renderOAuthError } from '../shared/render-oauth-error.js';
import { startExampleSandbox, type ExampleSandbox, type ExampleSandboxOptions, type ExampleSimulator } from '../shared/start-example-sandbox.js';
import { fapiHandlers, type FapiClient } from './fapi-handlers.js';
import { resolveFapiScenario, type FapiScenario, type FapiScenarioOverrides } from './fapi-scenario.js';
import { createFapiStore, type FapiStore } from './fapi-store.js';
import { createSigningKey, type SigningKey } from './signing-key.js';

export const FAPI_PAR_OPENAPI_FILE = 'FAPI-PAR.openapi.yaml';

/** The third-party provider the sandbox knows when none are given. */
export const DEFAULT_FAPI_CLIENTS: Readonly<Record<string, FapiClient>> = Object.freeze({
  'tpp-client': { redirectUris: ['https://tpp.example.com/callback'] },
});

export interface FapiParSandboxOptions extends ExampleSandboxOptions<FapiScenarioOverrides> {
  /** client_id -> registered redirect URIs. @default DEFAULT_FAPI_CLIENTS */
  readonly clients?: Readonly<Record<string, FapiClient>>;
  readonly faults?: readonly FaultRule[];
}

export interface FapiParSandbox extends ExampleSandbox<FapiStore, FapiScenario, FapiScenarioOverrides> {
  /** The key that signs ID tokens (its public half is served at `/public/jwks`). */
  readonly signingKey: SigningKey;
  introspect(token: string): TokenIntrospection;
  readonly issued: Readonly<FapiStore['issued']>;
}

/**
 * Starts the FAPI authorization server of the FAPI-PAR example: pushed authorization requests
 * (RFC 9126) with mandatory PKCE S256, the authorization endpoint redeeming a `request_uri`
 * once, and a token endpoint that checks the client assertion's claims, the code, the redirect
 * URI and the PKCE verifier, and returns access, refresh and ES256-signed ID tokens.
 */
export async function startFapiParSandbox(options: FapiParSandboxOptions = {}): Promise<FapiParSandbox> {
  const clients = new Map(Object.entries(options.clients ?? DEFAULT_FAPI_CLIENTS));
  const now = options.now ?? Date.now;
  const signingKey = createSigningKey();
  const simulator: ExampleSimulator<FapiStore, FapiScenario, FapiScenarioOverrides> = {
    title: 'FAPI-PAR',
    descriptions: [FAPI_PAR_OPENAPI_FILE],
    createStore: createFapiStore,
    resolveScenario: resolveFapiScenario,
    handlers: fapiHandlers(clients, signingKey),
    renderError: renderOAuthError,
  };
  const sandbox = await startExampleSandbox(simulator, { ...options, now });
  return Object.defineProperties(sandbox, {
    signingKey: { value: signingKey, enumerable: true },
    introspect: { value: (token: string) => introspectToken(sandbox.store.tokens, token, now()), enumerable: true },
    issued: { get: () => ({ ...sandbox.store.issued }), enumerable: true },
  }) as FapiParSandbox;
}
