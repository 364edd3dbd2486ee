import {
  buildRouteTable,
  createSandboxState,
  loadSandboxDescriptions,
  serveSimulator,
  validateExchange,
  type ApiRoute,
  type SandboxExchange,
  type SandboxHandle,
  type SandboxResponse,
  type SimulatorStartOptions,
} from '../http/index.js';
import { fineractError, invalidTenant, oauthError, problemsToErrors, renderMbanqError, unauthenticated, validationErrors } from './fineract-errors.js';
import { mbanqHandlers } from './handlers/index.js';
import { locateMbanqOpenApi, MBANQ_OPENAPI_FILE } from './locate-mbanq-openapi.js';
import type { MbanqContext } from './mbanq-context.js';
import { resolveMbanqScenario, type MbanqScenario, type MbanqScenarioOverrides } from './mbanq-scenario.js';
import { createMbanqStats, type MbanqSandboxStats } from './mbanq-stats.js';
import { createMbanqStore, type MbanqTenant } from './mbanq-store.js';

/**
 * The banking instance the sandbox serves when no `tenants` are given, so a journey runs with no
 * account. `api`/`secret` is the OAuth client Mbanq's preview instances come with.
 */
export const DEFAULT_MBANQ_TENANTS: Readonly<Record<string, MbanqTenant>> = Object.freeze({
  default: Object.freeze({ users: Object.freeze({ 'sandbox-user': 'sandbox-password' }), oauthClients: Object.freeze({ api: 'secret' }) }),
});

const TOKEN_OPERATION = 'requestAccessToken';

/** Prefix of Fineract's validation message codes per operation. */
const RESOURCE_BY_OPERATION: Readonly<Record<string, string>> = { createClientIdentifier: 'clientIdentifier' };

/** `scenario` is merged over DEFAULT_MBANQ_SCENARIO; `now` is also "today" for dates; `openApiDir` holds `mbanq-cloud-openapi.yml`. */
export interface MbanqSandboxOptions extends SimulatorStartOptions<MbanqScenarioOverrides> {
  /** tenantId -> its API users and OAuth clients. @default DEFAULT_MBANQ_TENANTS */
  readonly tenants?: Readonly<Record<string, MbanqTenant>>;
}

export interface MbanqSandbox extends SandboxHandle<MbanqSandboxStats, MbanqScenario, MbanqScenarioOverrides> {
  /** `http://127.0.0.1:PORT`: the server URL of the Mbanq description. */
  readonly url: string;
  /** Forgets every token, client and identifier, the stats and the log; keeps the tenants and the scenario. */
  reset(): void;
}

function header(exchange: SandboxExchange, name: string): string | undefined {
  const value = exchange.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Starts the Mbanq Cloud simulator: one HTTP server for the onboarding part of the core API
 * (token, clients, identifiers, verify/activate commands) that validates every request against
 * `mbanq-cloud-openapi.yml` and answers from per-tenant state, with Fineract's error envelopes.
 */
export async function startMbanqSandbox(options: MbanqSandboxOptions = {}): Promise<MbanqSandbox> {
  const now = options.now ?? Date.now;
  const tenants = options.tenants ?? DEFAULT_MBANQ_TENANTS;
  const routes = buildRouteTable(await loadSandboxDescriptions(options.openApiDir ?? locateMbanqOpenApi(), { mbanq: MBANQ_OPENAPI_FILE }, 'Mbanq'));
  const state = createSandboxState(options, {
    resolveScenario: resolveMbanqScenario,
    faultRules: (scenario) => scenario.faults,
    createStore: createMbanqStore,
    createStats: createMbanqStats,
  });

  const tenantOf = (id: string | undefined) => (id !== undefined && Object.hasOwn(tenants, id) ? tenants[id] : undefined);

  /** The token endpoint speaks RFC 6749, before and after validation. */
  function dispatchToken(exchange: SandboxExchange, route: ApiRoute, pathParams: Readonly<Record<string, string>>): SandboxResponse {
    const grantType = /application\/x-www-form-urlencoded/i.test(header(exchange, 'content-type') ?? '')
      ? new URLSearchParams(exchange.rawBody.toString('utf8')).get('grant_type')
      : null;
    if (grantType !== null && grantType !== 'password') {
      return oauthError(400, 'unsupported_grant_type', `grant_type ${grantType} is not supported here; use password`);
    }
    const validated = validateExchange(route, exchange, pathParams);
    if (!validated.ok) return oauthError(validated.status, 'invalid_request', validated.problems.map((p) => p.detail ?? p.title).join('; '));
    const tenantId = String(validated.value.headers.tenantid);
    const tenant = tenantOf(tenantId);
    // The token endpoint authenticates the application within the tenant: an unknown tenant has no clients to match.
    if (!tenant) return oauthError(401, 'invalid_client', `unknown tenant ${JSON.stringify(tenantId)}`, { 'www-authenticate': 'Basic realm="mbanq"' });
    const { store, scenario, stats } = state;
    return mbanqHandlers[TOKEN_OPERATION]({ exchange, route, request: validated.value, tenantId, tenant, store, scenario, stats, now });
  }

  function dispatch(exchange: SandboxExchange, route: ApiRoute, pathParams: Readonly<Record<string, string>>): SandboxResponse {
    if (route.operationId === TOKEN_OPERATION) return dispatchToken(exchange, route, pathParams);
    const { store, scenario, stats } = state;

    // Fineract resolves the tenant before anything else, then authenticates within it.
    const tenantId = header(exchange, 'tenantid');
    const tenant = tenantOf(tenantId);
    if (!tenant) {
      return invalidTenant(tenantId ? `The tenant identifier: ${tenantId} is invalid.` : 'No tenant identifier found: send the tenantId header.');
    }
    const token = /^Bearer\s+(\S+)\s*$/i.exec(header(exchange, 'authorization') ?? '')?.[1];
    if (!token) return unauthenticated('no bearer token');
    const record = store.tokens.get(token);
    if (!record || record.expiresAt <= now()) return unauthenticated(record ? 'the access token expired' : 'the access token is unknown');
    if (record.tenantId !== tenantId) return unauthenticated('the access token belongs to another tenant');

    const validated = validateExchange(route, exchange, pathParams);
    if (!validated.ok) {
      const errors = problemsToErrors(validated.problems, RESOURCE_BY_OPERATION[route.operationId] ?? 'client');
      if (validated.status === 415) {
        return fineractError(415, { developerMessage: errors[0]?.developerMessage ?? 'Unsupported media type', defaultUserMessage: 'Unsupported media type.', userMessageGlobalisationCode: 'error.msg.unsupported.media.type' });
      }
      return validationErrors(errors);
    }

    const handler = mbanqHandlers[route.operationId];
    if (!handler) return fineractError(501, { developerMessage: `the sandbox does not simulate ${route.operationId}`, defaultUserMessage: 'Not simulated.', userMessageGlobalisationCode: 'error.msg.not.implemented' });
    const ctx: MbanqContext = { exchange, route, request: validated.value, tenantId: tenantId!, tenant, store, scenario, stats, now };
    return handler(ctx);
  }

  return serveSimulator(state, options, { routes, dispatch, renderError: renderMbanqError });
}
