import { Agent } from 'undici';
import {
  buildRouteTable,
  createBoundedLog,
  extendSandboxHandle,
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
import type { LoadedOpenApi } from '../../compiler/load/index.js';
import { authorizeBearer } from './authorize-bearer.js';
import { readSignatureKeys, verifyFintectureSignature } from './verify-signature.js';
import type { FintectureContext } from './fintecture-context.js';
import { resolveFintectureScenario, type FintectureScenario, type FintectureScenarioOverrides } from './fintecture-scenario.js';
import { createFintectureStats, type FintectureSandboxStats } from './fintecture-stats.js';
import { createFintectureStore, type PaymentRecord } from './fintecture-store.js';
import { fintectureHandlers } from './handlers/index.js';
import { FINTECTURE_OPENAPI_FILES, locateFintectureOpenApi } from './locate-fintecture-openapi.js';
import { renderConnectPage } from './render-connect-page.js';
import { renderOpenIdConfiguration } from './render-openid-configuration.js';
import { renderFintectureError } from './render-fintecture-error.js';
import { createPaymentWebhooks, type PaymentWebhookTiming } from './create-payment-webhooks.js';
import type { PaymentWebhookLogEntry } from './payment-webhook-log-entry.js';

/** The application the sandbox accepts when no `clients` are given, so a journey runs with no account. */
export const DEFAULT_FINTECTURE_CLIENTS: Readonly<Record<string, string>> = Object.freeze({ 'sandbox-app-id': 'sandbox-app-secret' });

/** Scope each API's bearer token needs (compared without case). */
const REQUIRED_SCOPES: Readonly<Record<string, string>> = { customers: 'customer', pis: 'PIS' };

/** `scenario` is merged over DEFAULT_FINTECTURE_SCENARIO; `openApiDir` holds the three `fintecture-*-openapi.yml`. */
export interface FintectureSandboxOptions extends SimulatorStartOptions<FintectureScenarioOverrides> {
  /** client_id -> client_secret accepted by the OAuth endpoint. @default DEFAULT_FINTECTURE_CLIENTS */
  readonly clients?: Readonly<Record<string, string>>;
  /**
   * Public keys (PEM) by `keyId` the PIS API verifies request signatures with, as the real API
   * does with the key an application registered (verify-signature.ts).
   * @default {} - none registered: every signed request names an unknown keyId (401)
   */
  readonly signatureKeys?: Readonly<Record<string, string>>;
  /**
   * Whether the PIS API verifies request signatures, as the real API does: an operation that
   * declares a `Signature` header answers 401 in Fintecture's error envelope to an unsigned or
   * invalid request. `false` is for runners that cannot sign (Redocly Respect, the bench's
   * unsigned baseline): `Signature` is not checked, and `Signature`, `Digest` and `Date`, which
   * the description requires, are not (a sent `Digest` must still match the body).
   * @default true
   */
  readonly verifySignatures?: boolean;
  /**
   * The webhook URL of each application (by application id), as set in Fintecture's Console:
   * per application, not per request. A payment session of an application listed here is
   * completed by the simulated payer (`webhookTiming.payerDelayMs` after it opened) and its final
   * status POSTed there, form-encoded and signed as Fintecture signs webhooks
   * (sign-fintecture-webhook.ts), encrypted to the application's key in `signatureKeys`.
   * @default {} - no webhooks: a session settles by its reads only
   */
  readonly webhooks?: Readonly<Record<string, string>>;
  /** When webhooks go out and how they are retried. @default see PaymentWebhookTiming */
  readonly webhookTiming?: PaymentWebhookTiming;
  /** How many webhook attempts `webhookDeliveries` keeps (oldest dropped first). @default 1000 */
  readonly webhookLogLimit?: number;
}

export interface FintectureSandbox extends SandboxHandle<FintectureSandboxStats, FintectureScenario, FintectureScenarioOverrides> {
  /** `http://127.0.0.1:PORT`: the server URL for all three APIs, as api.fintecture.com serves them. */
  readonly url: string;
  /** Forgets every token, customer, verification and payment, the stats and the log; keeps the scenario. */
  reset(): void;
  /** A copy of the payment webhook log: each delivery attempt with the receiver's answer (never the body or signature). */
  readonly webhookDeliveries: readonly PaymentWebhookLogEntry[];
  /**
   * Sets (or with `undefined` removes) an application's webhook URL, as an application owner does
   * in Fintecture's Console; sessions opened from now on use it. The application needs a key in
   * `signatureKeys`.
   */
  configureWebhook(appId: string, url: string | undefined): void;
  /** Resolves once every payment webhook started so far was taken or given up on. */
  webhooksSettled(): Promise<void>;
  /** Cancels pending webhooks, then stops the server. */
  close(): Promise<void>;
}

/**
 * Starts the Fintecture simulator: one HTTP server for the OAuth, Customers and PIS APIs that
 * validates every request against their OpenAPI descriptions and answers from its own state.
 */
export async function startFintectureSandbox(options: FintectureSandboxOptions = {}): Promise<FintectureSandbox> {
  const now = options.now ?? Date.now;
  const clients = new Map(Object.entries(options.clients ?? DEFAULT_FINTECTURE_CLIENTS));
  const verifySignatures = options.verifySignatures ?? true;
  const signatureKeys = readSignatureKeys(options.signatureKeys ?? {});
  const webhookUrls = new Map<string, string>();
  const configureWebhook = (appId: string, url: string | undefined): void => {
    if (url === undefined) return void webhookUrls.delete(appId);
    // Fintecture encrypts a webhook's signature to the application's key: without one it could not sign.
    if (!signatureKeys.has(appId)) throw new RangeError(`webhooks.${appId}: the application has no key in signatureKeys to sign its webhooks with`);
    if (!/^https?:$/.test(new URL(url).protocol)) throw new RangeError(`webhooks.${appId} must be an http(s) URL`);
    webhookUrls.set(appId, url);
  };
  for (const [appId, url] of Object.entries(options.webhooks ?? {})) configureWebhook(appId, url);
  const descriptions = await loadSandboxDescriptions(options.openApiDir ?? locateFintectureOpenApi(), FINTECTURE_OPENAPI_FILES, 'Fintecture');
  const routes = buildRouteTable(verifySignatures ? descriptions : descriptions.map(({ name, openapi }) => ({ name, openapi: waiveSignatureHeaders(openapi) })));
  const state = createSandboxState(options, {
    resolveScenario: resolveFintectureScenario,
    faultRules: (scenario) => scenario.faults,
    createStore: createFintectureStore,
    createStats: createFintectureStats,
  });

  const webhookLog = createBoundedLog<PaymentWebhookLogEntry>(options.webhookLogLimit ?? 1_000);
  // Its own connection pool, so close() can drop the connections to webhook receivers.
  const dispatcher = new Agent({ connections: 8 });
  const webhooks = createPaymentWebhooks({
    dispatcher,
    now,
    ...(options.webhookTiming ? { timing: options.webhookTiming } : {}),
    onAttempt(entry) {
      state.stats.webhooksSent += 1;
      if (entry.answerStatus < 200 || entry.answerStatus > 299) state.stats.webhooksFailed += 1;
      webhookLog.push(entry);
    },
  });
  const paymentOpened = (payment: PaymentRecord): void => {
    const url = webhookUrls.get(payment.owner);
    // A session planned never to settle (`+never`) has no status change to announce.
    if (url === undefined || !Number.isFinite(payment.plan.pendingPolls)) return;
    webhooks.start({
      sessionId: payment.id,
      appId: payment.owner,
      url,
      publicKey: signatureKeys.get(payment.owner)!,
      settle() {
        payment.payerDone = true;
        payment.updatedAt = new Date(now()).toISOString();
        const { amount, currency } = payment.attributes as Record<string, unknown>;
        return { status: payment.plan.status, fields: { ...(typeof amount === 'string' ? { amount } : {}), ...(typeof currency === 'string' ? { currency } : {}) } };
      },
    });
  };

  function dispatch(exchange: SandboxExchange, route: ApiRoute, pathParams: Readonly<Record<string, string>>): SandboxResponse {
    const { store, scenario, stats } = state;
    const fail = (status: number, code: string, title: string, detail?: string, headers?: Record<string, string>) =>
      renderFintectureError({ status, code, title, detail, headers, route, logId: exchange.logId });

    let clientId: string | undefined;
    const requiredScope = REQUIRED_SCOPES[route.api];
    if (requiredScope) {
      const auth = authorizeBearer({ authorization: exchange.headers.authorization, requiredScope, store, now: now(), fail });
      if ('denied' in auth) return auth.denied;
      clientId = auth.clientId;
    }
    // Before the description's checks, as the real API: an unsigned request is refused 401, not 400 for its missing headers.
    if (verifySignatures && route.operation.parameters.some((p) => p.in === 'header' && p.name.toLowerCase() === 'signature')) {
      const denied = verifyFintectureSignature(exchange, signatureKeys, now(), fail);
      if (denied) return denied;
    }

    const validated = validateExchange(route, exchange, pathParams);
    if (!validated.ok) {
      const [code, title] = validated.status === 415 ? ['unsupported_media_type', 'Unsupported media type'] : ['invalid_request', 'Invalid request'];
      return renderFintectureError({ status: validated.status, code, title, problems: validated.problems, route, logId: exchange.logId });
    }

    const handler = fintectureHandlers[route.operationId];
    if (!handler) return fail(501, 'not_implemented', 'Not simulated', `the sandbox does not simulate ${route.operationId}`);
    const ctx: FintectureContext = { exchange, route, request: validated.value, clientId, clients, store, scenario, stats, now, fail, paymentOpened };
    return handler(ctx);
  }

  const sandbox = await serveSimulator(state, options, {
    routes,
    dispatch,
    fallback: (exchange) => renderOpenIdConfiguration(exchange) ?? renderConnectPage(exchange, state.store),
    renderError: renderFintectureError,
  });
  return extendSandboxHandle(sandbox, {
    get webhookDeliveries() {
      return webhookLog.entries();
    },
    configureWebhook,
    webhooksSettled: () => webhooks.settled(),
    reset() {
      void webhooks.cancelAll();
      sandbox.reset();
      webhookLog.clear();
    },
    async close() {
      await webhooks.cancelAll();
      await Promise.all([sandbox.close(), dispatcher.close()]);
    },
  });
}

/** The headers a signed PIS request carries, which the description requires. */
const SIGNATURE_HEADERS = new Set(['signature', 'digest', 'date']);

/** The description with its signature headers optional: what a simulator that does not verify signatures asks for. */
function waiveSignatureHeaders(openapi: LoadedOpenApi): LoadedOpenApi {
  return {
    ...openapi,
    operations: openapi.operations.map((operation) => ({
      ...operation,
      parameters: operation.parameters.map((p) => (p.in === 'header' && SIGNATURE_HEADERS.has(p.name.toLowerCase()) ? { ...p, required: false } : p)),
    })),
  };
}
