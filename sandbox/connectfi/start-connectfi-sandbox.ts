import { Agent } from 'undici';
import {
  buildRouteTable,
  createBoundedLog,
  createSandboxState,
  DEFAULT_REQUEST_LOG_LIMIT,
  extendSandboxHandle,
  loadSandboxDescriptions,
  serveSimulator,
  validateExchange,
  type ApiRoute,
  type SandboxExchange,
  type SandboxHandle,
  type SandboxResponse,
  type SimulatorStartOptions,
} from '../http/index.js';
import { authorizeConnectFiToken } from './authorize-connectfi-token.js';
import { createValidationContextBuilder } from './build-validation-context.js';
import type { ConnectFiCallbackLogEntry } from './callback-log-entry.js';
import type { ConnectFiContext } from './connectfi-context.js';
import { resolveConnectFiScenario, type ConnectFiScenario, type ConnectFiScenarioOverrides } from './connectfi-scenario.js';
import { createConnectFiStats, type ConnectFiSandboxStats } from './connectfi-stats.js';
import { createConnectFiStore } from './connectfi-store.js';
import { createKycRunner } from './create-kyc-runner.js';
import { connectFiHandlers } from './handlers/index.js';
import { CONNECTFI_OPENAPI_FILE, locateConnectFiOpenApi } from './locate-connectfi-openapi.js';
import { connectFiError, renderConnectFiError } from './render-connectfi-error.js';

/** The user the sandbox accepts when no `users` are given, so a journey runs with no account. */
export const DEFAULT_CONNECTFI_USERS: Readonly<Record<string, string>> = Object.freeze({ sandbox_user: 'sandbox-password' });

/** `scenario` is merged over DEFAULT_CONNECTFI_SCENARIO; `now` does not pace callbacks; `openApiDir` holds `connectfi-kyc-openapi.yml`. */
export interface ConnectFiSandboxOptions extends SimulatorStartOptions<ConnectFiScenarioOverrides> {
  /** login -> password accepted by `/auth/get-token`. @default DEFAULT_CONNECTFI_USERS */
  readonly users?: Readonly<Record<string, string>>;
  /** How many entries `requestLog` and `callbacks` each keep (oldest dropped first). @default 1000 */
  readonly requestLogLimit?: number;
  /**
   * Signs each KYC callback with this HMAC key, in the receiver's `hmac-sha256` form
   * (`t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">`), so a callback step's `verify` can be
   * exercised end to end. @default - callbacks are not signed
   */
  readonly webhookSigning?: { readonly key: string; readonly header?: string };
}

export interface ConnectFiSandbox extends SandboxHandle<ConnectFiSandboxStats, ConnectFiScenario, ConnectFiScenarioOverrides> {
  /** `http://127.0.0.1:PORT`: the server URL of the connectFi description (its instance URL). */
  readonly url: string;
  /** A copy of the callback log: each KYC callback sent or dropped, with the receiver's answer. */
  readonly callbacks: readonly ConnectFiCallbackLogEntry[];
  /** Replaces the scenario (overrides merged over the defaults) and restarts the fault budgets; running KYC processes keep their plan. */
  setScenario(overrides: ConnectFiScenarioOverrides): void;
  /** Resolves once every KYC process started so far has played out (all its callbacks answered or dropped). */
  callbacksSettled(): Promise<void>;
  /** Cancels pending callbacks and forgets every token, customer, stat and log entry; keeps the scenario. */
  reset(): void;
  /** Cancels pending callbacks, then stops the server. */
  close(): Promise<void>;
}

/**
 * Starts the connectFi simulator: the token, customer and (deprecated) KYC endpoints validated
 * against connectfi-kyc-openapi.yml, with KYC processes that move through a scenario's statuses
 * and call the client's `webhookURL` on every change.
 */
export async function startConnectFiSandbox(options: ConnectFiSandboxOptions = {}): Promise<ConnectFiSandbox> {
  const now = options.now ?? Date.now;
  const users = new Map(Object.entries(options.users ?? DEFAULT_CONNECTFI_USERS));
  const routes = buildRouteTable(await loadSandboxDescriptions(options.openApiDir ?? locateConnectFiOpenApi(), { connectfi: CONNECTFI_OPENAPI_FILE }, 'connectFi'));
  const validationContext = createValidationContextBuilder(routes);
  const state = createSandboxState(options, {
    resolveScenario: resolveConnectFiScenario,
    faultRules: (scenario) => scenario.faults,
    createStore: createConnectFiStore,
    createStats: createConnectFiStats,
  });
  const callbacks = createBoundedLog<ConnectFiCallbackLogEntry>(options.requestLogLimit ?? DEFAULT_REQUEST_LOG_LIMIT);

  // Its own connection pool, so close() can drop the connections to webhook receivers.
  const dispatcher = new Agent({ connections: 8 });
  const kyc = createKycRunner({
    dispatcher,
    now,
    ...(options.webhookSigning ? { signing: options.webhookSigning } : {}),
    onCallback(entry) {
      const { stats } = state;
      const status = entry.answerStatus ?? 0;
      if (entry.delivery === 'lost') stats.callbacksLost += 1;
      else {
        stats.callbacksSent += 1;
        if (status < 200 || status > 299) stats.callbacksFailed += 1;
      }
      callbacks.push(entry);
    },
  });

  function dispatch(exchange: SandboxExchange, route: ApiRoute, pathParams: Readonly<Record<string, string>>): SandboxResponse {
    const { store, scenario, stats } = state;
    const requestId = exchange.logId.replaceAll('-', '');
    const fail = (status: number, code: string, message?: string, context?: unknown) => connectFiError(status, { requestId, code, message, context });

    let login: string | undefined;
    if (route.operationId !== 'getToken') {
      login = authorizeConnectFiToken(exchange.headers['x-connectfi-token'], store, now());
      if (login === undefined) return fail(401, 'unauthorized', 'Authentication error');
    }

    const validated = validateExchange(route, exchange, pathParams);
    if (!validated.ok) {
      if (validated.status === 415) return fail(415, 'unsupportedMediaType', validated.problems[0]?.detail);
      return fail(400, 'requestValidateError', undefined, validationContext(route, exchange.rawBody, validated.problems));
    }

    const handler = connectFiHandlers[route.operationId];
    if (!handler) return fail(501, 'notImplemented', `the sandbox does not simulate ${route.operationId}`);
    const ctx: ConnectFiContext = {
      exchange,
      route,
      request: validated.value,
      requestId,
      login,
      users,
      store,
      scenario,
      stats,
      kyc,
      now,
      ok: (data, headers) => ({ status: 200, headers, body: { code: '0', data, requestId } }),
      fail,
      findCustomer(customerId) {
        const customer = store.customers.get(customerId);
        if (customer && customer.owner === login) return customer;
        return fail(400, 'customerNotFound', 'Customer not found.', { customerId });
      },
    };
    return handler(ctx);
  }

  const sandbox = await serveSimulator(state, options, { routes, dispatch, renderError: renderConnectFiError });
  return extendSandboxHandle(sandbox, {
    get callbacks() {
      return callbacks.entries();
    },
    callbacksSettled: () => kyc.settled(),
    reset() {
      // Cancelled callbacks are never logged, so the fresh logs cannot receive a stale entry.
      void kyc.cancelAll();
      state.reset();
      callbacks.clear();
    },
    async close() {
      await kyc.cancelAll();
      await Promise.all([sandbox.close(), dispatcher.close()]);
    },
  });
}
