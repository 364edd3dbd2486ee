import { join } from 'node:path';
import { formatDiagnostic, hasErrors } from '../../../infra/compiler/diagnostics/index.js';
import { loadOpenApi, type LoadedOpenApi } from '../../../infra/compiler/load/index.js';
import {
  buildRouteTable,
  createFaultInjector,
  serveSandbox,
  validateFaultRule,
  type ApiRoute,
  type FaultInjector,
  type FaultRule,
  type RequestLogEntry,
  type RouteTable,
  type SandboxErrorSpec,
  type SandboxExchange,
  type SandboxResponse,
  type ValidatedRequest,
} from '../../http/index.js';
import { locateOaiExamples } from './locate-oai-examples.js';

/** Everything an operation handler of an example simulator may read or change, for one request. */
export interface ExampleContext<Store, Scenario> {
  readonly exchange: SandboxExchange;
  readonly route: ApiRoute;
  readonly request: ValidatedRequest;
  readonly store: Store;
  readonly scenario: Scenario;
  /** Epoch milliseconds, per the simulator's clock. */
  readonly now: () => number;
  /** `http://host:port` followed by the API's base path: where the API's own links point. */
  readonly serverUrl: string;
  /** An error in the simulator's envelope. */
  fail(status: number, code: string, title: string, detail?: string, headers?: Record<string, string>): SandboxResponse;
}

export type ExampleHandler<Store, Scenario> = (ctx: ExampleContext<Store, Scenario>) => SandboxResponse;

/** What a request sees before validation: a guard answers (401, 403) or lets the request through. */
export interface GuardContext<Store, Scenario> {
  readonly exchange: SandboxExchange;
  readonly route: ApiRoute;
  readonly store: Store;
  readonly scenario: Scenario;
  readonly now: () => number;
  fail(status: number, code: string, title: string, detail?: string, headers?: Record<string, string>): SandboxResponse;
}

/** One simulator: the descriptions it serves, its state, its scenario and its operations. */
export interface ExampleSimulator<Store, Scenario, ScenarioOverrides> {
  /** Shown in errors, e.g. `BNPL`. */
  readonly title: string;
  /** OpenAPI description file names, in the examples folder. */
  readonly descriptions: readonly string[];
  /** Path prefix of the API on this host (the path of its `servers[0].url`), e.g. `/bnpl/v1`. */
  readonly basePath?: string;
  /**
   * Corrections applied to a loaded description before routing and validation, for upstream
   * descriptions that contradict themselves (each one is documented in the simulator).
   */
  readonly errata?: (openapi: LoadedOpenApi, file: string) => LoadedOpenApi;
  createStore(options: { readonly now: () => number }): Store;
  resolveScenario(overrides: ScenarioOverrides | undefined): Scenario;
  readonly handlers: Readonly<Record<string, ExampleHandler<Store, Scenario>>>;
  /** Runs before validation (authentication), like a gateway in front of the API. */
  guard?(ctx: GuardContext<Store, Scenario>): SandboxResponse | undefined;
  renderError(spec: SandboxErrorSpec): SandboxResponse;
  /** Answers paths outside the descriptions (a hosted page); `undefined` means 404. */
  fallback?(exchange: SandboxExchange, store: Store): SandboxResponse | undefined;
}

export interface ExampleSandboxOptions<ScenarioOverrides> {
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** @default 0 (an ephemeral port; read `url`) */
  readonly port?: number;
  readonly scenario?: ScenarioOverrides;
  /** Clock in epoch milliseconds. @default Date.now */
  readonly now?: () => number;
  /** Folder holding the OpenAPI descriptions. @default the project's `test/fixtures/oai-examples` */
  readonly openApiDir?: string;
  /** How many entries `requestLog` keeps (oldest dropped first). @default 1000 */
  readonly requestLogLimit?: number;
}

/** Counters any example simulator keeps. Snapshots: later requests do not change them. */
export interface ExampleSandboxStats {
  readonly requests: number;
  /** Requests per operationId; `(unrouted)` for paths outside the descriptions. */
  readonly byOperation: Readonly<Record<string, number>>;
  /** Requests per HTTP status sent (`0`: connection reset by a fault). */
  readonly byStatus: Readonly<Record<string, number>>;
  readonly faultsInjected: number;
}

export interface ExampleSandbox<Store, Scenario, ScenarioOverrides> {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** `url` plus the API's base path: the server URL to run the example's workflows against. */
  readonly serverUrl: string;
  readonly stats: ExampleSandboxStats;
  /** Method, path, operationId, status, duration; never headers, query strings or bodies. */
  readonly requestLog: readonly RequestLogEntry[];
  readonly scenario: Scenario;
  /** Replaces the scenario (merged over the defaults; faults restart their budgets). */
  setScenario(overrides: ScenarioOverrides): void;
  /** Faults for this simulator, in the shared FaultRule shape. Replaces the previous ones. */
  setFaults(faults: readonly FaultRule[]): void;
  /** Forgets all state, the stats and the log; keeps the scenario and the faults (budgets restart). */
  reset(): void;
  /** The live state, for the simulator's typed views. */
  readonly store: Store;
  close(): Promise<void>;
}

/** Routes only requests under `basePath`, matching the rest against the descriptions' paths. */
function withBasePath(table: RouteTable, basePath: string): RouteTable {
  if (!basePath) return table;
  return {
    routes: table.routes,
    match(method, path) {
      if (path !== basePath && !path.startsWith(`${basePath}/`)) return { kind: 'not-found' };
      return table.match(method, path.slice(basePath.length) || '/');
    },
  };
}

async function loadDescriptions(
  dir: string,
  files: readonly string[],
  errata: ((openapi: LoadedOpenApi, file: string) => LoadedOpenApi) | undefined,
  title: string,
): Promise<{ name: string; openapi: LoadedOpenApi }[]> {
  return Promise.all(
    files.map(async (file) => {
      const { openapi, diagnostics } = await loadOpenApi(join(dir, file));
      if (!openapi || hasErrors(diagnostics)) {
        throw new Error(`cannot load ${file} for the ${title} sandbox:\n${diagnostics.map(formatDiagnostic).join('\n')}`);
      }
      return { name: file, openapi: errata ? errata(openapi, file) : openapi };
    }),
  );
}

/**
 * Starts an example simulator on the shared HTTP skeleton: routing by the descriptions' paths
 * under the API's base path, scenario faults, an optional guard, validation of parameters and
 * body against the operation, then the operation's handler, which answers from the store.
 */
export async function startExampleSandbox<Store, Scenario, ScenarioOverrides>(
  simulator: ExampleSimulator<Store, Scenario, ScenarioOverrides>,
  options: ExampleSandboxOptions<ScenarioOverrides> & { readonly faults?: readonly FaultRule[] } = {},
): Promise<ExampleSandbox<Store, Scenario, ScenarioOverrides>> {
  const now = options.now ?? Date.now;
  const logLimit = options.requestLogLimit ?? 1000;
  const dir = options.openApiDir ?? locateOaiExamples(simulator.descriptions[0]);
  const basePath = (simulator.basePath ?? '').replace(/\/+$/, '');
  const routes = withBasePath(buildRouteTable(await loadDescriptions(dir, simulator.descriptions, simulator.errata, simulator.title)), basePath);

  let scenario = simulator.resolveScenario(options.scenario);
  let faultRules: readonly FaultRule[] = [...(options.faults ?? [])];
  faultRules.forEach(validateFaultRule);
  let faults: FaultInjector = createFaultInjector(faultRules);
  let store = simulator.createStore({ now });
  let stats = { requests: 0, byOperation: {} as Record<string, number>, byStatus: {} as Record<string, number>, faultsInjected: 0 };
  let log: RequestLogEntry[] = [];
  let serverUrl = '';

  function dispatch(exchange: SandboxExchange, route: ApiRoute, pathParams: Readonly<Record<string, string>>): SandboxResponse {
    const fail = (status: number, code: string, title: string, detail?: string, headers?: Record<string, string>) =>
      simulator.renderError({ status, code, title, detail, headers, route, logId: exchange.logId });
    const denied = simulator.guard?.({ exchange, route, store, scenario, now, fail });
    if (denied) return denied;

    const validated = route.validate({ pathParams, query: exchange.query, headers: exchange.headers, rawBody: exchange.rawBody });
    if (!validated.ok) {
      const [code, title] = validated.status === 415 ? ['unsupported_media_type', 'Unsupported media type'] : ['invalid_request', 'Invalid request'];
      return simulator.renderError({ status: validated.status, code, title, problems: validated.problems, route, logId: exchange.logId });
    }
    const handler = simulator.handlers[route.operationId];
    if (!handler) return fail(501, 'not_implemented', 'Not simulated', `the ${simulator.title} sandbox does not simulate ${route.operationId}`);
    return handler({ exchange, route, request: validated.value, store, scenario, now, serverUrl, fail });
  }

  const server = await serveSandbox({
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    routes,
    takeFault: (target) => faults.take(target),
    dispatch,
    fallback: simulator.fallback ? (exchange) => simulator.fallback!(exchange, store) : undefined,
    renderError: simulator.renderError,
    onLog(entry) {
      const operation = entry.operationId ?? '(unrouted)';
      stats.requests += 1;
      stats.byOperation[operation] = (stats.byOperation[operation] ?? 0) + 1;
      stats.byStatus[entry.status] = (stats.byStatus[entry.status] ?? 0) + 1;
      if (entry.fault) stats.faultsInjected += 1;
      log.push(entry);
      if (log.length > logLimit) log.splice(0, log.length - logLimit);
    },
  });
  serverUrl = server.url + basePath;

  return {
    url: server.url,
    serverUrl,
    get stats() {
      return structuredClone(stats);
    },
    get requestLog() {
      return [...log];
    },
    get scenario() {
      return scenario;
    },
    get store() {
      return store;
    },
    setScenario(overrides) {
      scenario = simulator.resolveScenario(overrides);
      faults = createFaultInjector(faultRules);
    },
    setFaults(rules) {
      rules.forEach(validateFaultRule);
      faultRules = [...rules];
      faults = createFaultInjector(faultRules);
    },
    reset() {
      store = simulator.createStore({ now });
      stats = { requests: 0, byOperation: {}, byStatus: {}, faultsInjected: 0 };
      log = [];
      faults = createFaultInjector(faultRules);
    },
    close: () => server.close(),
  };
}
