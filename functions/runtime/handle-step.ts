import type { Dispatcher } from 'undici';
import { inStatusRanges, prepareCriteria } from '../../core/criteria/index.js';
import { allPass, decideOutcome, openContext, type OpenedContext } from './decide-outcome.js';
import { callbackUrlFor, newCallbackId, pendingCallback, type CallbackStore, type TaskTokenClient } from './callbacks/index.js';
import { registerReceive } from './messages/receive-message.js';
import type { ForgedReason } from './callbacks/verify-callback-signature.js';
import type { BrokerTransport, MessagePublisher } from './messages/publish-message.js';
import { mqttUserPropertyName } from './messages/mqtt-messages.js';
import {
  ErrorCodes,
  expressionError,
  isErrorCode,
  planError,
  providerUnavailable,
  responseSchemaMismatch,
  stepFailed,
  stepTimeout,
  throttled,
  retryAfterSignal,
  ArazzoRuntimeError,
  unexpectedContentType,
} from '../../core/errors.js';
import { parseRetryAfter } from './http/retry-after.js';
import { DEFAULT_CHECK_SEVERITIES, type CheckFinding } from '../../core/response-checks.js';
import { declaredSchemaFor, schemaProblems } from './http/check-response-schema.js';
import { evaluateValue, type ExpressionContext } from '../../core/expressions/index.js';
import { evaluateSelector } from '../../core/selectors/evaluate-selector.js';
import type { SubstitutionEscape } from '../../core/expressions/evaluate-value.js';
import { escapeXmlSubstitution } from './http/encode-xml.js';
import { isJsonMediaType, isXmlMediaType, mediaTypeOf, type UndeclaredMediaType } from '../../core/media-type.js';
import { buildRequest, isFormQuerystring, setAtPointer, type BuiltRequest } from './http/build-request.js';
import { providerAnswerExcerpt } from './http/provider-answer.js';
import { parseBody, sendRequest, type ReceivedResponse } from './http/send-request.js';
import { applyReplacement } from './http/apply-replacement.js';
import type { StepEvent, StepPlan, StepResult } from '../../core/plan.js';
import type { Sealer, SecretsProvider } from './secrets/index.js';
import { applyAuth, joinAuthParameters, TokenCache } from './auth/index.js';
import { PemSigningKeys, signRequest, type SigningKeys } from './signing/index.js';
import { ClientCertificateAgents } from './http/client-certificate-agents.js';

export interface StepRuntime {
  readonly secrets: SecretsProvider;
  readonly sealer: Sealer;
  /** Pooled HTTP client; the default global dispatcher when absent. */
  readonly dispatcher?: Dispatcher;
  /** Server URL per source description name, overriding the OpenAPI `servers[0]`. */
  readonly serverUrls?: Readonly<Record<string, string>>;
  /**
   * Where callback steps (`x-arazzo-sfn-callback`) and receive steps register, which URL the
   * provider calls back, and (for a receive step whose message came first) how its Task is resumed.
   */
  readonly callbacks?: {
    readonly baseUrl: string;
    readonly store: CallbackStore;
    readonly tokens?: TaskTokenClient;
    /** Told of a message a receive step refuses when it takes it (a replay kept before the step waited again): the forged-callback count. */
    readonly onForged?: (reason: ForgedReason, step: { readonly workflowId: string; readonly stepId: string }) => void;
  };
  /**
   * Access tokens minted for `x-security` oauth2/openIdConnect schemes, kept until they expire.
   * @default one cache per secrets provider (so per runtime, whatever copies of it a caller makes)
   */
  readonly tokenCache?: TokenCache;
  /**
   * Where steps with a signing declaration get their signatures made: KMS on AWS.
   * @default PEM keys read through `secrets` by the declaration's key name (a key file or environment secret locally, Secrets Manager on AWS)
   */
  readonly signingKeys?: SigningKeys;
  /**
   * The agents of mutualTLS steps, one per client certificate (pooled connections that present it).
   * @default one set per secrets provider, as the token cache; a caller that ends (the CLI) passes its own and closes it
   */
  readonly clientCertificates?: ClientCertificateAgents;
  /** Where send steps on SQS, SNS or EventBridge publish: the AWS brokers, or the embedded broker locally. */
  readonly messages?: MessagePublisher;
  /** Receives one line per call: step, request line, status, duration. Never headers or bodies. */
  readonly log?: (entry: StepLogEntry) => void;
}

export interface StepLogEntry {
  readonly workflowId: string;
  readonly stepId: string;
  readonly method: string;
  readonly path: string;
  readonly statusCode?: number;
  readonly durationMs: number;
  readonly outcome?: string;
  /** When the outcome repeats a step (a poll, a retry): the wait before the next turn. */
  readonly nextTurnSeconds?: number;
  readonly error?: string;
  /** Response checks that failed at `warn` (the step went on): their names. */
  readonly checks?: readonly string[];
  /** When the step failed on the provider's answer: its body, truncated and redacted (see provider-answer.ts). */
  readonly providerAnswer?: string;
}

async function registerCallback(plan: StepPlan, event: StepEvent, runtime: StepRuntime): Promise<{ url: string }> {
  if (!runtime.callbacks || !event.taskToken) {
    throw planError(
      `step ${plan.stepId} waits for a callback, but ${runtime.callbacks ? 'the Task passed no task token' : 'this runtime has no callback receiver configured'}`,
    );
  }
  const id = newCallbackId();
  await runtime.callbacks.store.put(pendingCallback(id, plan, event.taskToken, event));
  return { url: callbackUrlFor(runtime.callbacks.baseUrl, id) };
}

/** A receive step (Arazzo 1.1): register the wait for its message; the Task waits for the receiver to resume it. */
async function waitForMessage(plan: StepPlan, event: StepEvent, ctx: ExpressionContext, runtime: StepRuntime): Promise<StepResult> {
  const { callbacks } = runtime;
  if (!callbacks?.tokens || !event.taskToken) {
    throw planError(`step ${plan.stepId} receives a message, but ${callbacks?.tokens ? 'the Task passed no task token' : 'this runtime has no message receiver configured'}`);
  }
  const started = Date.now();
  const state = await registerReceive(plan, { ...event, taskToken: event.taskToken }, ctx, {
    store: callbacks.store,
    tokens: callbacks.tokens,
    sealer: runtime.sealer,
    secrets: runtime.secrets,
    ...(callbacks.onForged ? { onForged: callbacks.onForged } : {}),
  });
  runtime.log?.({
    workflowId: plan.workflowId,
    stepId: plan.stepId,
    method: plan.operation.method,
    path: plan.operation.path,
    durationMs: Date.now() - started,
    outcome: state === 'received' ? 'received the message that came first' : 'waiting for the message',
  });
  return { outcome: 'waiting', outputs: {}, visits: (event.steps?.[plan.stepId]?.visits ?? 0) + 1 };
}

/** A send step on SQS, SNS, EventBridge or MQTT: it succeeds once the broker took the message; its actions and outputs are judged then. */
async function publishMessage(
  plan: StepPlan,
  event: StepEvent,
  opened: OpenedContext,
  transport: BrokerTransport,
  parameters: readonly { name: string; in: string; value: unknown }[],
  payload: unknown,
  runtime: StepRuntime,
): Promise<StepResult> {
  const where = `step ${plan.stepId}`;
  if (!runtime.messages) throw planError(`${where} publishes on ${transport.kind}, but this runtime has no message publisher configured`);
  // MQTT 5 user property keys are case-sensitive: they go as the description spells them, which a subscriber (an IoT rule's get_user_properties) matches exactly.
  const nameOf = (name: string) => (transport.kind === 'mqtt' ? mqttUserPropertyName(transport, name) : name.toLowerCase());
  const headers = Object.fromEntries(parameters.filter((p) => p.in === 'header' && p.value !== undefined).map((p) => [nameOf(p.name), String(p.value)]));
  const started = Date.now();
  const logBase = { workflowId: plan.workflowId, stepId: plan.stepId, method: plan.operation.method, path: `${transport.kind} ${plan.operation.path}` };
  try {
    await runtime.messages.publish(transport, { headers, payload }, plan.requestBody ? { contentType: plan.requestBody.contentType } : {});
  } catch (err) {
    runtime.log?.({ ...logBase, durationMs: Date.now() - started, error: (err as Error).name });
    // The publisher names its faults (Arazzo.ProviderUnavailable, retried by the Task when the send is retry-safe, as an
    // HTTP call's would be; Arazzo.MessageRefused, not retried); anything else is the broker's fault too.
    if (err instanceof ArazzoRuntimeError) throw new ArazzoRuntimeError(err.name, `${where}: ${err.message}`, { cause: err.cause });
    throw providerUnavailable(`${where}: ${transport.kind} did not take the message (${(err as Error).name})`, { cause: err });
  }
  const result = await decideOutcome(plan, event, opened, runtime.sealer, allPass(plan.successCriteria, opened.ctx, opened.notes), () => `${where}: the message was published, but the step's success criteria do not hold, and no onFailure action applies`);
  runtime.log?.({ ...logBase, durationMs: Date.now() - started, outcome: result.outcome });
  return result;
}

const tokenCaches = new WeakMap<SecretsProvider, TokenCache>();

/** The runtime's token cache: its own, else one tied to its secrets provider (a warm container's, a local run's). */
function tokenCacheOf(runtime: StepRuntime): TokenCache {
  if (runtime.tokenCache) return runtime.tokenCache;
  let cache = tokenCaches.get(runtime.secrets);
  if (!cache) tokenCaches.set(runtime.secrets, (cache = new TokenCache()));
  return cache;
}

const certificateAgents = new WeakMap<SecretsProvider, ClientCertificateAgents>();
function clientCertificatesOf(runtime: StepRuntime): ClientCertificateAgents {
  if (runtime.clientCertificates) return runtime.clientCertificates;
  let agents = certificateAgents.get(runtime.secrets);
  if (!agents) certificateAgents.set(runtime.secrets, (agents = new ClientCertificateAgents()));
  return agents;
}

const pemKeys = new WeakMap<SecretsProvider, PemSigningKeys>();
function signingKeysOf(runtime: StepRuntime): SigningKeys {
  if (runtime.signingKeys) return runtime.signingKeys;
  let keys = pemKeys.get(runtime.secrets);
  if (!keys) pemKeys.set(runtime.secrets, (keys = new PemSigningKeys(runtime.secrets)));
  return keys;
}

/** Arazzo leaves an absent successCriteria open; a 2xx status is the conventional reading (undici follows no redirect). */
function succeeded(plan: StepPlan, ctx: ExpressionContext, statusCode: number, notes?: string[]): boolean {
  return plan.successCriteria.length ? allPass(plan.successCriteria, ctx, notes) : statusCode >= 200 && statusCode < 300;
}

function evaluateStrict(value: unknown, ctx: ExpressionContext, what: string, escape?: SubstitutionEscape): unknown {
  try {
    return evaluateValue(value, ctx, escape);
  } catch (err) {
    if (isErrorCode(err, ErrorCodes.Expression)) throw err;
    throw expressionError(`${what}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * The keyId a step signs with: literal, or evaluated from the execution's inputs (the compiler
 * allows only `$inputs` there, ASFN1120), so one deployment signs for the application each
 * execution names. It must come out as non-empty text: a missing input fails the step by name.
 */
function signingKeyId(plan: StepPlan, ctx: ExpressionContext, where: string): string {
  const keyId = plan.signing!.keyId;
  if (!keyId.includes('$')) return keyId;
  const value = evaluateStrict(keyId, ctx, `${where} signing keyId`);
  if ((typeof value !== 'string' || !value) && typeof value !== 'number') {
    throw expressionError(`${where} signing keyId: ${keyId} is ${value === undefined ? 'absent' : `not text (${value === null ? 'null' : typeof value})`}`);
  }
  return String(value);
}

const SEALED_VALUE = /sealed:v\d+:/;

/** Whether a value about to be sent holds a sealed string anywhere (a template may have embedded one). */
function holdsSealedValue(value: unknown): boolean {
  if (typeof value === 'string') return SEALED_VALUE.test(value);
  if (Array.isArray(value)) return value.some(holdsSealedValue);
  if (value !== null && typeof value === 'object') return Object.values(value).some(holdsSealedValue);
  return false;
}

/**
 * Names the step, the operation, the status and the media types (received and declared): the
 * Content-Type is the only header it reads, and never the body.
 */
function undeclaredMessage(plan: StepPlan, where: string, what: string, statusCode: number, found: UndeclaredMediaType): string {
  const operation = plan.operation.operationId ? `${what} (${plan.operation.operationId})` : what;
  // Bare media types only (parameters dropped); a label past any sensible length is cut.
  const received = found.received ? `Content-Type ${JSON.stringify(found.received.slice(0, 100))}` : 'no Content-Type';
  const declared = found.responseKey === String(statusCode) ? `for ${statusCode}` : `for ${statusCode} (its "${found.responseKey}" response)`;
  return `${where}: ${operation} answered ${statusCode} with ${received}, which the operation does not declare ${declared}: it declares ${found.declared.join(', ')}`;
}

/** Whether the step's criteria, actions or outputs read the response body. */
const readsBodyCache = new WeakMap<StepPlan, boolean>();
function readsResponseBody(plan: StepPlan): boolean {
  let reads = readsBodyCache.get(plan);
  if (reads === undefined) {
    const text = JSON.stringify([plan.successCriteria, plan.onSuccess.map((a) => a.criteria), plan.onFailure.map((a) => a.criteria), plan.outputs]);
    reads = text.includes('$response.body');
    readsBodyCache.set(plan, reads);
  }
  return reads;
}

interface UndeclaredRead {
  readonly body: unknown;
  readonly json: boolean;
  /** The declared type it was tried as. */
  readonly as: string;
  /** It did not parse as the declared type, so it was read as labelled. */
  readonly unreadable: boolean;
  /** What the history says about the reading. */
  readonly note: string;
}

/**
 * Reads a body whose label the operation does not declare: as the declared type when it parses
 * as that type (JSON labelled text/plain is still JSON), else as labelled, saying which.
 */
function readUndeclared(text: string, found: UndeclaredMediaType, label: string, what: string): UndeclaredRead {
  const json = found.declared.find((t) => isJsonMediaType(t));
  if (json) {
    try {
      return { body: parseBody(text, json, what), json: true, as: json, unreadable: false, note: `read as ${json}, as the operation declares` };
    } catch {
      const labelledJson = isJsonMediaType(mediaTypeOf(label));
      return {
        body: parseBody(text, label, what),
        json: labelledJson,
        as: json,
        unreadable: true,
        note: `it does not parse as ${json}: read as labelled, and the step does not read the body`,
      };
    }
  }
  // Declared XML or text: read as text, as it would be under its declared label.
  return { body: text, json: false, as: found.declared[0], unreadable: false, note: `read as text, as ${found.declared[0]} is` };
}

/**
 * The deadline of an Arazzo 1.1 step `timeout`, on the `performance.now()` clock: from the step's
 * start as its Pass stamped it (`event.startedAt`), so the Task's provider-fault retries and their
 * backoff count too, else (a Task that runs the step before a `retry`) from this invocation.
 */
function stepDeadline(plan: StepPlan, event: StepEvent): number | undefined {
  if (plan.timeoutMs === undefined) return undefined;
  const started = event.startedAt === undefined ? Number.NaN : Date.parse(event.startedAt);
  // A start in the future (clocks a little apart) counts as now: the step never gets more than its timeout.
  const elapsed = Number.isFinite(started) ? Math.max(0, Date.now() - started) : 0;
  return performance.now() + plan.timeoutMs - elapsed;
}

/** Statuses that say the credential was refused: a cached secret may have been rotated. */
const REFUSED_CREDENTIAL = new Set([401, 403]);

/**
 * Runs one Arazzo step: builds the request from the plan, sends it, evaluates the success
 * criteria and actions, and returns only declared outputs (credentials sealed). The Choice
 * state after the Task routes on `outcome`; a failure no onFailure action handles is thrown as
 * `Arazzo.StepFailed`, which the Task's Catch turns into the step's Fail state.
 *
 * When the provider answers 401 or 403 to a request that sent secrets, and the secrets provider
 * caches (Secrets Manager on AWS), the secrets are read again; if one changed (it was rotated
 * since it was cached), the step runs once more with the new value, and its result is the
 * second answer's. A refused request had no effect, so sending it again is safe; an unchanged
 * secret (a 403 that is a domain rule, Mbanq's) costs one Secrets Manager read and no request.
 */
export async function handleStep(plan: StepPlan, event: StepEvent, runtime: StepRuntime): Promise<StepResult> {
  // Arazzo 1.1 step timeout: one deadline for this run of the step, whatever it sends (a second try after a rotated secret included).
  const deadline = stepDeadline(plan, event);
  const refresh = runtime.secrets.refresh?.bind(runtime.secrets);
  if (!refresh) return runStep(plan, event, runtime, deadline);
  const read = new Set<string>();
  // The copy keeps the runtime's token cache (it is tied to the runtime's own secrets provider, not to this wrapper).
  const recording: StepRuntime = { ...runtime, tokenCache: tokenCacheOf(runtime), clientCertificates: clientCertificatesOf(runtime), secrets: { getSecret: (name) => (read.add(name), runtime.secrets.getSecret(name)) } };
  let status: number | undefined;
  const first = await runStep(plan, event, recording, deadline, (s) => (status = s)).then(
    (result) => ({ result }),
    (error: unknown) => ({ error }),
  );
  if (status !== undefined && REFUSED_CREDENTIAL.has(status) && read.size && (await refresh([...read]))) return runStep(plan, event, runtime, deadline);
  if ('error' in first) throw first.error;
  return first.result;
}

/**
 * A retry-safe call throttled with `Retry-After` (transport.throttle): thrown as the
 * `Arazzo.RetryAfter` signal, which the Task's first Catch sends through `<state>.throttled`, a
 * Wait of the header's delay, and back, so the path without a 429 pays no state for it. The count
 * of waits in a row comes back in the step's `throttle` (written by the emitted Pass states). A
 * delay past maxWaitSeconds, or a wait past maxWaits, fails the step with `Arazzo.Throttled`.
 */
function throttledSignal(plan: StepPlan, event: StepEvent, retryAfter: number, what: string, log: (outcome: string) => void): ArazzoRuntimeError {
  const { maxWaitSeconds, maxWaits } = plan.transport.throttle!;
  const waits = (event.steps?.[plan.stepId]?.throttle?.wait?.waits ?? 0) + 1;
  if (retryAfter > maxWaitSeconds) {
    log(`throttled: Retry-After ${retryAfter} s is past the bound of ${maxWaitSeconds} s: failing`);
    return throttled(`${what} with Retry-After ${retryAfter} s, past the bound of ${maxWaitSeconds} s`);
  }
  if (waits > maxWaits) {
    log(`throttled ${waits} times in a row: failing`);
    return throttled(`${what} with Retry-After ${waits} times in a row, past the bound of ${maxWaits} waits`);
  }
  log(`throttled: waiting ${retryAfter} s (Retry-After)`);
  return retryAfterSignal({ seconds: retryAfter, waits }, `${what} with Retry-After ${retryAfter}`);
}

/**
 * The step ran past its timeout (Arazzo 1.1): "aborting and failing the step", so its onFailure
 * actions decide, with no status or response to read; none applies, `Arazzo.StepTimeout`.
 */
async function timedOutResult(plan: StepPlan, event: StepEvent, opened: OpenedContext, runtime: StepRuntime, message: string): Promise<StepResult> {
  // A callback step's Task waits for its token whatever this returns: the failure must be thrown.
  if (plan.callback) throw stepTimeout(message);
  try {
    return await decideOutcome(plan, event, opened, runtime.sealer, false, () => `${message}, and no onFailure action applies`);
  } catch (err) {
    if (isErrorCode(err, ErrorCodes.StepFailed)) throw stepTimeout(err.message);
    throw err;
  }
}

async function runStep(
  plan: StepPlan,
  event: StepEvent,
  runtime: StepRuntime,
  deadline: number | undefined,
  onAnswer?: (statusCode: number) => void,
  tokenRenewed = false,
): Promise<StepResult> {
  // Before the call: a criterion engine that cannot load must not leave a POST sent and unjudged.
  await prepareCriteria(plan);
  const opened = await openContext(plan, event, runtime, plan.credentialInputs);
  const { ctx } = opened;
  const where = `step ${plan.stepId}`;
  if (plan.receive) return waitForMessage(plan, event, ctx, runtime);
  // An attempt that starts past the step's deadline (the Task's retries and their backoff used it) sends nothing.
  if (deadline !== undefined && deadline <= performance.now()) {
    runtime.log?.({ workflowId: plan.workflowId, stepId: plan.stepId, method: plan.operation.method, path: plan.operation.path, durationMs: 0, error: ErrorCodes.StepTimeout });
    return timedOutResult(plan, event, opened, runtime, `${where}: the step's timeout of ${plan.timeoutMs} ms ran out before this attempt (the earlier attempts and the waits between them used it)`);
  }

  let parameters = plan.parameters.map((p) => {
    const what = `${where} parameter ${p.name}`;
    // A form querystring template: each substituted value is percent-encoded, so an `&` or `=` in it stays data.
    const escape = p.in === 'querystring' && isFormQuerystring(p.contentType) ? (v: string) => encodeURIComponent(v) : undefined;
    const value = p.selector ? evaluateSelector(p.selector, ctx, what) : evaluateStrict(p.value, ctx, what, escape);
    return { name: p.name, in: p.in, value, ...(p.contentType ? { contentType: p.contentType } : {}) };
  });
  const serverUrl = runtime.serverUrls?.[plan.operation.source] ?? plan.operation.serverUrl;
  // x-security: the one place auth is applied, before the request is built (and so before any signing of it).
  let cachedTokenKeys: readonly string[] = [];
  let dispatcher = runtime.dispatcher;
  if (plan.auth?.length) {
    const applied = await applyAuth(plan.auth, {
      ctx,
      serverUrl,
      describedServerUrl: plan.operation.serverUrl,
      cache: tokenCacheOf(runtime),
      signingKeys: signingKeysOf(runtime),
      clientCertificates: clientCertificatesOf(runtime),
      dispatcher: runtime.dispatcher,
      connectTimeoutMs: plan.transport.connectTimeoutMs,
      requestTimeoutMs: plan.transport.requestTimeoutMs,
      where,
      // Each token or discovery request is a call of the step's, logged as one (a cached token makes none).
      onCall: (call) =>
        runtime.log?.({
          workflowId: plan.workflowId,
          stepId: plan.stepId,
          method: call.method,
          path: call.path,
          durationMs: call.durationMs,
          ...(call.statusCode !== undefined ? { statusCode: call.statusCode } : {}),
          ...(call.error ? { error: call.error } : { outcome: `x-security ${call.purpose}` }),
        }),
    });
    parameters = joinAuthParameters(parameters, applied.parameters);
    cachedTokenKeys = applied.cachedTokenKeys;
    if (applied.dispatcher) dispatcher = applied.dispatcher;
    opened.opened.push(...applied.opened.filter((v) => v.length >= 4));
  }
  let payload: unknown;
  if (plan.requestBody) {
    // Values substituted into an XML text payload are escaped: an input holding `</amount>` stays data.
    const escape =
      typeof plan.requestBody.payload === 'string' && isXmlMediaType(mediaTypeOf(plan.requestBody.contentType)) ? escapeXmlSubstitution : undefined;
    payload = evaluateStrict(plan.requestBody.payload, ctx, `${where} request body`, escape);
    for (const { pointer, selector } of plan.requestBody.selections ?? []) {
      payload = setAtPointer(payload, pointer, evaluateSelector(selector, ctx, `${where} request body ${pointer}`));
    }
    // The compiler refuses replacements into a text payload that is not XML (ASFN1024); a plan written by hand is refused in applyReplacement, by name.
    const xml = isXmlMediaType(mediaTypeOf(plan.requestBody.contentType));
    for (const r of plan.requestBody.replacements) {
      const what = `${where} replacement ${r.target}`;
      payload = applyReplacement(payload, r, r.selector ? evaluateSelector(r.selector, ctx, what) : evaluateStrict(r.value, ctx, what), xml, what);
    }
  }
  // Only the sealed values a step reads are opened: one that still reached a parameter or the body
  // (checked before encoding, so before percent- or form-encoding could hide it) would be sent as an opaque blob.
  if (holdsSealedValue(parameters.map((p) => p.value)) || holdsSealedValue(payload)) {
    throw planError(`${where}: a value sealed in the execution state would be sent unopened; this is a bug in arazzo-sfn's reading of the step's expressions`);
  }
  // A send step (Arazzo 1.1) on an AWS-native broker publishes instead of calling: headers from its parameters, payload from its body.
  const { channel } = plan;
  if (channel?.action === 'send' && channel.transport.kind !== 'http') return publishMessage(plan, event, opened, channel.transport, parameters, payload, runtime);
  // A callback step registers before it calls: a provider may call back before its answer arrives.
  const callback = plan.callback ? await registerCallback(plan, event, runtime) : undefined;
  if (callback) payload = setAtPointer(payload, plan.callback!.urlTarget, callback.url);
  const built: BuiltRequest = buildRequest(plan, serverUrl, parameters, payload);
  // Messages and logs name the path template: a resolved path may hold a credential or personal data.
  const logBase = { workflowId: plan.workflowId, stepId: plan.stepId, method: built.method, path: plan.operation.path };
  let request = built;
  // Signed last, over the request as it is sent (auth applied, body encoded), on every attempt: a fresh Date and signature.
  if (plan.signing) {
    try {
      request = await signRequest(built, { ...plan.signing, keyId: signingKeyId(plan, ctx, where) }, signingKeysOf(runtime), Date.now(), where);
    } catch (err) {
      runtime.log?.({ ...logBase, durationMs: 0, error: (err as Error).name });
      throw err;
    }
  }

  let response: ReceivedResponse;
  try {
    response = await sendRequest(request, {
      dispatcher,
      connectTimeoutMs: plan.transport.connectTimeoutMs,
      requestTimeoutMs: plan.transport.requestTimeoutMs,
      describe: `${request.method} ${plan.operation.path}`,
      responseMediaTypes: plan.operation.responseMediaTypes,
      ...(deadline !== undefined ? { stepTimeout: { remainingMs: deadline - performance.now(), timeoutMs: plan.timeoutMs! } } : {}),
    });
  } catch (err) {
    runtime.log?.({ ...logBase, durationMs: 0, error: (err as Error).name });
    if (isErrorCode(err, ErrorCodes.StepTimeout)) {
      ctx.url = request.url;
      ctx.method = request.method;
      ctx.request = request.parts;
      return timedOutResult(plan, event, opened, runtime, `${where}: ${err.message}`);
    }
    throw err;
  }
  // A 401 to a token an earlier step minted: the provider dropped it before its time (revoked, a
  // restart). It is forgotten and the step runs once more with a new one; a refused request had no effect.
  if (response.statusCode === 401 && cachedTokenKeys.length && !tokenRenewed && !callback) {
    for (const key of cachedTokenKeys) tokenCacheOf(runtime).evict(key);
    runtime.log?.({ ...logBase, statusCode: response.statusCode, durationMs: response.durationMs, outcome: 'token refused: requesting a new one' });
    return runStep(plan, event, runtime, deadline, onAnswer, true);
  }
  onAnswer?.(response.statusCode);
  const what = `${request.method} ${logBase.path}`;
  // A retry-safe call's 5xx/429 is a provider fault for the Task's Retry, unless the step handles
  // that status itself (its criteria name it, or an onFailure action could match it: decided at compile time).
  if (
    plan.transport.retrySafe &&
    (response.statusCode >= 500 || response.statusCode === 429) &&
    !inStatusRanges(plan.transport.handledStatuses, response.statusCode)
  ) {
    const retryAfter = response.statusCode === 429 && plan.transport.throttle ? parseRetryAfter(response.headers['retry-after']) : undefined;
    // A Retry-After the step's timeout cannot hold: waiting it out would only end in the timeout.
    if (retryAfter !== undefined && deadline !== undefined && retryAfter * 1000 >= deadline - performance.now()) {
      runtime.log?.({ ...logBase, statusCode: 429, durationMs: response.durationMs, outcome: `throttled: Retry-After ${retryAfter} s is past the step's timeout: failing` });
      return timedOutResult(plan, event, opened, runtime, `${where}: ${what} answered 429 with Retry-After ${retryAfter} s, past what is left of the step's timeout of ${plan.timeoutMs} ms`);
    }
    if (retryAfter !== undefined) throw throttledSignal(plan, event, retryAfter, `${where}: ${what} answered 429`, (outcome) => runtime.log?.({ ...logBase, statusCode: 429, durationMs: response.durationMs, outcome }));
    runtime.log?.({ ...logBase, statusCode: response.statusCode, durationMs: response.durationMs, error: ErrorCodes.ProviderUnavailable });
    throw providerUnavailable(`${where}: ${what} answered ${response.statusCode}`);
  }
  // Extra checks besides the criteria (Respect's CONTENT_TYPE_CHECK and SCHEMA_CHECK), each with
  // its severity: error fails the step, warn lets the criteria decide and says so in the result.
  const severities = plan.checks ?? DEFAULT_CHECK_SEVERITIES;
  const findings: CheckFinding[] = [];
  const label = response.headers['content-type'] ?? '';
  let body = response.body;
  let bodyIsJson = body !== undefined && isJsonMediaType(mediaTypeOf(label));
  // A callback step's immediate answer is not read, so not checked either.
  if (response.undeclaredMediaType && !callback) {
    const message = undeclaredMessage(plan, where, what, response.statusCode, response.undeclaredMediaType);
    const severity = severities.CONTENT_TYPE_CHECK;
    // A success answer labelled otherwise than the operation declares would be misread (JSON kept
    // as text matches no criterion, and a default route moves on): at error, a contract fault,
    // retried like a 5xx when the call is retry-safe. Error answers are not checked (send-request
    // reads them as labelled).
    const refuse = (why: string) => {
      runtime.log?.({ ...logBase, statusCode: response.statusCode, durationMs: response.durationMs, error: ErrorCodes.UnexpectedContentType });
      return unexpectedContentType(`${message}${why}`);
    };
    if (severity === 'error') throw refuse('');
    // Off: no check, the body is read as labelled (as before the check existed).
    const read =
      severity === 'off'
        ? { body: parseBody(response.body as string, label, what), json: isJsonMediaType(mediaTypeOf(label)), as: label, unreadable: false, note: '' }
        : readUndeclared(response.body as string, response.undeclaredMediaType, label, what);
    // Never route on a body that could not be read: a step that reads it fails, whatever the severity.
    if (read.unreadable && readsResponseBody(plan)) throw refuse(`; the body does not parse as ${read.as} either, and the step reads it`);
    body = read.body;
    bodyIsJson = read.json;
    if (severity === 'warn') findings.push({ check: 'CONTENT_TYPE_CHECK', severity: 'warn', message: `${message}; ${read.note}` });
  }
  if (!callback && bodyIsJson && severities.SCHEMA_CHECK !== 'off' && plan.operation.responseSchemas) {
    const schema = declaredSchemaFor(plan.operation.responseSchemas, response.statusCode, label);
    const problems = schema === undefined ? [] : schemaProblems(schema, plan.operation.responseSchemas.dialect, body);
    if (problems.length) {
      const message = `${where}: ${what} answered ${response.statusCode} with a body that does not match the schema the operation declares for it: ${problems.join(', ')}`;
      if (severities.SCHEMA_CHECK === 'error') {
        runtime.log?.({ ...logBase, statusCode: response.statusCode, durationMs: response.durationMs, error: ErrorCodes.ResponseSchemaMismatch });
        throw responseSchemaMismatch(message);
      }
      findings.push({ check: 'SCHEMA_CHECK', severity: 'warn', message });
    }
  }

  if (callback) {
    // The Task now waits for the webhook; what the handler returns is not used.
    const accepted = response.statusCode >= 200 && response.statusCode < 300;
    const answer = accepted ? undefined : providerAnswerExcerpt(response.body, opened.opened);
    runtime.log?.({
      ...logBase,
      statusCode: response.statusCode,
      durationMs: response.durationMs,
      outcome: accepted ? 'waiting for the callback' : 'failed',
      ...(answer ? { providerAnswer: answer } : {}),
    });
    if (!accepted) {
      throw stepFailed(
        `${where}: ${what} answered ${response.statusCode}: the provider did not accept the request, so no callback will come${answer ? `; the provider answered: ${answer}` : ''}`,
      );
    }
    return { statusCode: response.statusCode, outcome: 'waiting', outputs: {}, visits: (event.steps?.[plan.stepId]?.visits ?? 0) + 1 };
  }

  ctx.url = request.url;
  ctx.method = request.method;
  ctx.statusCode = response.statusCode;
  ctx.request = request.parts;
  ctx.response = { headers: response.headers, body };

  const ok = succeeded(plan, ctx, response.statusCode, opened.notes);
  // A failed step quotes what the provider answered (its error body), truncated and redacted.
  const answer = () => providerAnswerExcerpt(body, opened.opened);
  let result: StepResult;
  try {
    result = await decideOutcome(plan, event, opened, runtime.sealer, ok, () => {
      const criteria = plan.successCriteria.map((c) => c.condition).join(' && ') || '2xx status';
      const quoted = answer();
      return `${where}: ${what} answered ${response.statusCode}, which does not meet its success criteria (${criteria}), and no onFailure action applies${quoted ? `; the provider answered: ${quoted}` : ''}`;
    });
  } catch (err) {
    if (isErrorCode(err, ErrorCodes.StepFailed)) {
      const quoted = answer();
      runtime.log?.({
        ...logBase,
        statusCode: response.statusCode,
        durationMs: response.durationMs,
        outcome: 'failed',
        ...(quoted ? { providerAnswer: quoted } : {}),
      });
    }
    throw err;
  }
  if (findings.length) result = { ...result, checks: findings };
  runtime.log?.({
    ...logBase,
    statusCode: response.statusCode,
    durationMs: response.durationMs,
    outcome: result.outcome,
    ...(findings.length ? { checks: findings.map((f) => f.check) } : {}),
    ...(result.delaySeconds !== undefined ? { nextTurnSeconds: result.delaySeconds } : {}),
  });
  return result;
}
