import type { FaultRule } from '../../http/index.js';
import { startExampleSandbox, type ExampleSandbox, type ExampleSandboxOptions, type ExampleSimulator } from '../shared/start-example-sandbox.js';
import { petHandlers } from './pet-handlers.js';
import { createPetstoreStore, DEFAULT_PETSTORE_USERS, type PetstoreStore, type UserRecord } from './petstore-store.js';
import { resolvePetstoreScenario, type PetstoreScenario, type PetstoreScenarioOverrides } from './petstore-scenario.js';
import { renderPetstoreError } from './render-petstore-error.js';
import { sessionTokenOf, userHandlers } from './user-handlers.js';

/** The classic Swagger Petstore (OpenAPI 3.0), as LoginAndRetrievePets names it. */
export const PETSTORE_OPENAPI_FILE = 'swagger-petstore.openapi.yaml';

export interface PetstoreSandboxOptions extends ExampleSandboxOptions<PetstoreScenarioOverrides> {
  /** Users who can log in. @default DEFAULT_PETSTORE_USERS (`theUser` / `12345`) */
  readonly users?: readonly Omit<UserRecord, 'id'>[];
  readonly faults?: readonly FaultRule[];
}

export type PetstoreSandbox = ExampleSandbox<PetstoreStore, PetstoreScenario, PetstoreScenarioOverrides>;

// The description secures every /pet operation and the inventory (petstore_auth, api_key); the
// sandbox stands a login session in for both, as LoginAndRetrievePets sends it.
const needsSession = (pathTemplate: string) => pathTemplate.startsWith('/pet') || pathTemplate === '/store/inventory';

/**
 * Starts the classic Petstore: users log in (`GET /user/login`) for a session token that the
 * pet operations require (`Authorization: <token>`, `Bearer <token>` or `api_key`), pets are
 * searched by status and tags, orders hold the pet they buy. Served under `/api/v3`.
 */
export function startPetstoreSandbox(options: PetstoreSandboxOptions = {}): Promise<PetstoreSandbox> {
  const simulator: ExampleSimulator<PetstoreStore, PetstoreScenario, PetstoreScenarioOverrides> = {
    title: 'Petstore',
    descriptions: [PETSTORE_OPENAPI_FILE],
    basePath: '/api/v3',
    createStore: () => createPetstoreStore(options.users ?? DEFAULT_PETSTORE_USERS),
    resolveScenario: resolvePetstoreScenario,
    handlers: { ...petHandlers('classic'), ...userHandlers },
    guard(ctx) {
      if (!needsSession(ctx.route.pathTemplate)) return undefined;
      const token = sessionTokenOf(ctx.exchange.headers);
      const challenge = { 'www-authenticate': 'Bearer realm="petstore"' };
      if (!token) return ctx.fail(401, 'unauthorized', 'Unauthorized', 'log in with GET /user/login and send the session token in Authorization', challenge);
      const session = ctx.store.sessions.get(token);
      if (!session || session.expiresAt <= ctx.now()) {
        return ctx.fail(401, 'invalid_session', 'Unauthorized', session ? 'the session expired; log in again' : 'unknown session token', challenge);
      }
      return undefined;
    },
    renderError: renderPetstoreError,
  };
  return startExampleSandbox(simulator, options);
}
