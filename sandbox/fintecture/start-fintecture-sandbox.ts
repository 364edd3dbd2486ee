import { join } from 'node:path';
import { formatDiagnostic, hasErrors } from '../../infra/compiler/diagnostics/index.js';
import { loadOpenApi, type LoadedOpenApi } from '../../infra/compiler/load/index.js';
import {
  buildRouteTable,
  createFaultInjector,
  serveSandbox,
  type ApiRoute,
  type FaultInjector,
  type RequestLogEntry,
  type SandboxExchange,
  type SandboxResponse,
} from '../http/index.js';
import { authorizeBearer } from './authorize-bearer.js';
import type { FintectureContext } from './fintecture-context.js';
import { resolveFintectureScenario, type FintectureScenario, type FintectureScenarioOverrides } from './fintecture-scenario.js';
import { countRequest, createFintectureStats, snapshotStats, type FintectureSandboxStats } from './fintecture-stats.js';
import { createFintectureStore } from './fintecture-store.js';
import { fintectureHandlers } from './handlers/index.js';
import { FINTECTURE_OPENAPI_FILES, locateFintectureOpenApi } from './locate-fintecture-openapi.js';
import { renderConnectPage } from './render-connect-page.js';
import { renderFintectureError } from './render-fintecture-error.js';

/** The application the sandbox accepts when no `clients` are given, so a journey runs with no account. */
export const DEFAULT_FINTECTURE_CLIENTS: Readonly<Record<string, string>> = Object.freeze({ 'sandbox-app-id': 'sandbox-app-secret' });

/** Scope each API's bearer token needs (compared without case). */
const REQUIRED_SCOPES: Readonly<Record<string, string>> = { customers: 'customer', pis: 'PIS' };

export interface FintectureSandboxOptions {
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** @default 0 (an ephemeral port; read `url`) */
  readonly port?: number;
  /** Merged over DEFAULT_FINTECTURE_SCENARIO. */
  readonly scenario?: FintectureScenarioOverrides;
  /** client_id -> client_secret accepted by the OAuth endpoint. @default DEFAULT_FINTECTURE_CLIENTS */
  readonly clients?: Readonly<Record<string, string>>;
  /** Clock in epoch milliseconds: token expiry and timestamps. @default Date.now */
  readonly now?: () => number;
  /** Folder holding the three `fintecture-*-openapi.yml` descriptions. @default the project's `workflows/openapi` */
  readonly openApiDir?: string;
  /** How many entries `requestLog` keeps (oldest dropped first). @default 1000 */
  readonly requestLogLimit?: number;
}

export interface FintectureSandbox {
  /** `http://127.0.0.1:PORT`: the server URL for all three APIs, as api.fintecture.com serves them. */
  readonly url: string;
  /** A snapshot of the counters. */
  readonly stats: FintectureSandboxStats;
  /** A copy of the request log: method, path, operationId, status, duration; never headers or bodies. */
  readonly requestLog: readonly RequestLogEntry[];
  readonly scenario: FintectureScenario;
  /** Replaces the scenario (overrides merged over the defaults) and restarts the fault budgets. */
  setScenario(overrides: FintectureScenarioOverrides): void;
  /** Forgets every token, customer, verification and payment, the stats and the log; keeps the scenario. */
  reset(): void;
  close(): Promise<void>;
}

async function loadDescriptions(dir: string): Promise<{ name: string; openapi: LoadedOpenApi }[]> {
  return Promise.all(
    Object.entries(FINTECTURE_OPENAPI_FILES).map(async ([name, file]) => {
      const { openapi, diagnostics } = await loadOpenApi(join(dir, file));
      if (!openapi || hasErrors(diagnostics)) {
        throw new Error(`cannot load ${file} for the Fintecture sandbox:\n${diagnostics.map(formatDiagnostic).join('\n')}`);
      }
      return { name, openapi };
    }),
  );
}

/**
 * Starts the Fintecture simulator: one HTTP server for the OAuth, Customers and PIS APIs that
 * validates every request against their OpenAPI descriptions and answers from its own state.
 */
export async function startFintectureSandbox(options: FintectureSandboxOptions = {}): Promise<FintectureSandbox> {
  const now = options.now ?? Date.now;
  const clients = new Map(Object.entries(options.clients ?? DEFAULT_FINTECTURE_CLIENTS));
  const logLimit = options.requestLogLimit ?? 1000;
  const routes = buildRouteTable(await loadDescriptions(options.openApiDir ?? locateFintectureOpenApi()));

  let scenario = resolveFintectureScenario(options.scenario);
  let faults: FaultInjector = createFaultInjector(scenario.faults);
  let store = createFintectureStore();
  let stats = createFintectureStats();
  let log: RequestLogEntry[] = [];

  function dispatch(exchange: SandboxExchange, route: ApiRoute, pathParams: Readonly<Record<string, string>>): SandboxResponse {
    const fail = (status: number, code: string, title: string, detail?: string, headers?: Record<string, string>) =>
      renderFintectureError({ status, code, title, detail, headers, route, logId: exchange.logId });

    let clientId: string | undefined;
    const requiredScope = REQUIRED_SCOPES[route.api];
    if (requiredScope) {
      const auth = authorizeBearer({ authorization: exchange.headers.authorization, requiredScope, store, now: now(), fail });
      if ('denied' in auth) return auth.denied;
      clientId = auth.clientId;
    }

    const validated = route.validate({ pathParams, query: exchange.query, headers: exchange.headers, rawBody: exchange.rawBody });
    if (!validated.ok) {
      const [code, title] = validated.status === 415 ? ['unsupported_media_type', 'Unsupported media type'] : ['invalid_request', 'Invalid request'];
      return renderFintectureError({ status: validated.status, code, title, problems: validated.problems, route, logId: exchange.logId });
    }

    const handler = fintectureHandlers[route.operationId];
    if (!handler) return fail(501, 'not_implemented', 'Not simulated', `the sandbox does not simulate ${route.operationId}`);
    const ctx: FintectureContext = { exchange, route, request: validated.value, clientId, clients, store, scenario, stats, now, fail };
    return handler(ctx);
  }

  const server = await serveSandbox({
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    routes,
    takeFault: (target) => faults.take(target),
    dispatch,
    fallback: (exchange) => renderConnectPage(exchange, store),
    renderError: renderFintectureError,
    onLog(entry) {
      countRequest(stats, entry);
      log.push(entry);
      if (log.length > logLimit) log.splice(0, log.length - logLimit);
    },
  });

  return {
    url: server.url,
    get stats() {
      return snapshotStats(stats);
    },
    get requestLog() {
      return [...log];
    },
    get scenario() {
      return scenario;
    },
    setScenario(overrides) {
      scenario = resolveFintectureScenario(overrides);
      faults = createFaultInjector(scenario.faults);
    },
    reset() {
      store = createFintectureStore();
      stats = createFintectureStats();
      log = [];
      faults = createFaultInjector(scenario.faults);
    },
    close: () => server.close(),
  };
}
