import type { LoadedOpenApi } from '../../../compiler/load/index.js';
import {
  buildRouteTable,
  createRequestStats,
  createSandboxState,
  extendSandboxHandle,
  loadSandboxDescriptions,
  serveSimulator,
  validateExchange,
  validateFaultRule,
  type ApiRoute,
  type FaultRule,
  type RouteTable,
  type SandboxErrorSpec,
  type SandboxExchange,
  type SandboxHandle,
  type SandboxRequestStats,
  type SandboxResponse,
  type SimulatorStartOptions,
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

/** Answers from the store; asynchronous where the check is (a JWT signature verified with jose). */
export type ExampleHandler<Store, Scenario> = (ctx: ExampleContext<Store, Scenario>) => SandboxResponse | Promise<SandboxResponse>;

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

/** `openApiDir` defaults to the project's `test/fixtures/oai-examples`. */
export type ExampleSandboxOptions<ScenarioOverrides> = SimulatorStartOptions<ScenarioOverrides>;

/** Counters any example simulator keeps. Snapshots: later requests do not change them. */
export type ExampleSandboxStats = SandboxRequestStats;

export interface ExampleSandbox<Store, Scenario, ScenarioOverrides> extends SandboxHandle<ExampleSandboxStats, Scenario, ScenarioOverrides> {
  /** `url` plus the API's base path: the server URL to run the example's workflows against. */
  readonly serverUrl: string;
  /** Replaces the scenario (merged over the defaults; faults restart their budgets). */
  setScenario(overrides: ScenarioOverrides): void;
  /** Faults for this simulator, in the shared FaultRule shape. Replaces the previous ones. */
  setFaults(faults: readonly FaultRule[]): void;
  /** Forgets all state, the stats and the log; keeps the scenario and the faults (budgets restart). */
  reset(): void;
  /** The live state, for the simulator's typed views. */
  readonly store: Store;
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
  const dir = options.openApiDir ?? locateOaiExamples(simulator.descriptions[0]);
  const basePath = (simulator.basePath ?? '').replace(/\/+$/, '');
  const files = Object.fromEntries(simulator.descriptions.map((file) => [file, file]));
  const descriptions = (await loadSandboxDescriptions(dir, files, simulator.title)).map(({ name, openapi }) => ({
    name,
    openapi: simulator.errata ? simulator.errata(openapi, name) : openapi,
  }));
  const routes = withBasePath(buildRouteTable(descriptions), basePath);

  // Faults sit beside the scenario here, so setScenario and setFaults each keep the other.
  let faultRules: readonly FaultRule[] = [...(options.faults ?? [])];
  const state = createSandboxState(options, {
    resolveScenario: (overrides) => simulator.resolveScenario(overrides),
    faultRules: () => faultRules,
    createStore: () => simulator.createStore({ now }),
    createStats: createRequestStats,
  });
  let serverUrl = '';

  function dispatch(exchange: SandboxExchange, route: ApiRoute, pathParams: Readonly<Record<string, string>>): SandboxResponse | Promise<SandboxResponse> {
    const { store, scenario } = state;
    const fail = (status: number, code: string, title: string, detail?: string, headers?: Record<string, string>) =>
      simulator.renderError({ status, code, title, detail, headers, route, logId: exchange.logId });
    const denied = simulator.guard?.({ exchange, route, store, scenario, now, fail });
    if (denied) return denied;

    const validated = validateExchange(route, exchange, pathParams);
    if (!validated.ok) {
      const [code, title] = validated.status === 415 ? ['unsupported_media_type', 'Unsupported media type'] : ['invalid_request', 'Invalid request'];
      return simulator.renderError({ status: validated.status, code, title, problems: validated.problems, route, logId: exchange.logId });
    }
    const handler = simulator.handlers[route.operationId];
    if (!handler) return fail(501, 'not_implemented', 'Not simulated', `the ${simulator.title} sandbox does not simulate ${route.operationId}`);
    return handler({ exchange, route, request: validated.value, store, scenario, now, serverUrl, fail });
  }

  const sandbox = await serveSimulator(state, options, {
    routes,
    dispatch,
    fallback: simulator.fallback ? (exchange) => simulator.fallback!(exchange, state.store) : undefined,
    renderError: simulator.renderError,
  });
  serverUrl = sandbox.url + basePath;

  return extendSandboxHandle(sandbox, {
    serverUrl,
    get store() {
      return state.store;
    },
    setFaults(rules: readonly FaultRule[]) {
      rules.forEach(validateFaultRule);
      faultRules = [...rules];
      state.restartFaults();
    },
  });
}
