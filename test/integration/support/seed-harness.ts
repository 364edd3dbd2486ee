import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { Agent, request, type Dispatcher } from 'undici';
import { compileFileOrThrow, type CompiledWorkflow } from '../../../compiler/index.js';
import type { CompileOptions } from '../../../compiler/plan/compile-options.js';
import type { StepLogEntry } from '../../../functions/runtime/handle-step.js';
import { AesGcmSealer, InMemorySecretsProvider } from '../../../functions/runtime/secrets/index.js';
import { formatHistory, historyToJson, toHistoryEvents, type EngineEvent } from '../../../local/history/index.js';
import { LocalWorkflow, type LocalExecution } from '../../../local/run-workflow.js';
import {
  DEFAULT_FINTECTURE_CLIENTS,
  startFintectureSandbox,
  type FaultRule,
  type FintectureSandbox,
  type FintectureScenarioOverrides,
  type RequestLogEntry,
} from '../../../sandbox/index.js';

export const ROOT = join(import.meta.dirname, '../../..');
export const SEED_000 = join(ROOT, 'workflows/arazzo/customer-verification-poll.arazzo.yml');
export const SEED_001 = join(ROOT, 'workflows/arazzo/token-then-payment.arazzo.yml');

const compiled = new Map<string, Promise<CompiledWorkflow>>();

/** The secret name of the harness application's signing key (a key made per test file, as the demo makes one per run). */
export const HARNESS_SIGNING_KEY = 'harness-signing-key';
/**
 * Seed 001's payment calls signed as Fintecture's PIS API asks, by configuration (the seed is run
 * as written): what every harness run compiles with unless it passes `compile.signing` or `unsigned`.
 */
export const HARNESS_SIGNING = {
  pisApi: {
    scheme: 'draft-cavage',
    algorithm: 'rsa-sha256',
    components: ['(request-target)', 'date', 'digest', 'x-request-id'],
    key: HARNESS_SIGNING_KEY,
    keyId: '$inputs.clientId',
  },
} as const;

/** Compiles a seed once per test file (per option set); fails on any compile error. */
export function compileSeed(file: string, options: CompileOptions = {}): Promise<CompiledWorkflow> {
  const key = `${file}\u0000${JSON.stringify(options)}`;
  let found = compiled.get(key);
  if (!found) {
    found = compileFileOrThrow(file, options).then((r) => {
      if (r.workflows.length !== 1) throw new Error(`${file}: expected one workflow, got ${r.workflows.length}`);
      return r.workflows[0];
    });
    compiled.set(key, found);
  }
  return found;
}

export interface SeedRun {
  readonly execution: LocalExecution;
  /** GetExecutionHistory-shaped events of the run. */
  readonly history: HistoryEvent[];
  /** `historyToJson(history)` serialised: what `aws stepfunctions get-execution-history` would print. */
  readonly historyJson: string;
  /** The console-style table, with data columns. */
  readonly formattedHistory: string;
  /** The sandbox requests made during this run only. */
  readonly requests: readonly RequestLogEntry[];
  /** The runtime's log lines (StepRuntime.log), serialised. */
  readonly logLines: readonly string[];
  /** How many requests of this run the sandbox routed to `operationId`. */
  callsTo(operationId: string): number;
  /** Names of the states entered, in order. */
  readonly statesEntered: readonly string[];
}

export interface RunSeedOptions {
  /** Compile options; the seed is compiled (once) with them. */
  readonly compile?: CompileOptions;
  /** Fault rules active for this run only (the sandbox's scenario is restored afterwards). */
  readonly faults?: readonly FaultRule[];
  /** Scenario for this run only (merged over the defaults). */
  readonly scenario?: FintectureScenarioOverrides;
  /** HTTP client the runtime uses (e.g. a `WireTap`'s); undici's global one when absent. */
  readonly dispatcher?: Dispatcher;
  /** Wait states wait their real time on the engine's clock, instead of 1 ms. */
  readonly realWaits?: boolean;
  /** Compile without HARNESS_SIGNING: the PIS simulator then refuses the payment calls (401). */
  readonly unsigned?: boolean;
}

export interface SeedHarness {
  readonly sandbox: FintectureSandbox;
  readonly secrets: InMemorySecretsProvider;
  readonly sealer: AesGcmSealer;
  /** The client id/secret the sandbox accepts (also stored as JSON secret `app`: `secret:app#id`, `secret:app#secret`). */
  readonly clientId: string;
  readonly clientSecret: string;
  /** Mints a token over real HTTP (form body, client_credentials), stores it as secret `name`, returns its value. */
  mintToken(scope: string, name: string): Promise<string>;
  /** Runs a seed on the embedded engine against the sandbox, with 1 ms waits (unless `realWaits`) and retry intervals. */
  run(file: string, input: Record<string, unknown>, options?: RunSeedOptions): Promise<SeedRun>;
  close(): Promise<void>;
}

export interface SeedHarnessOptions {
  /** `client_id -> client_secret` for the sandbox; the first entry is the harness's application. */
  readonly clients?: Readonly<Record<string, string>>;
  readonly scenario?: FintectureScenarioOverrides;
  /**
   * Public keys (PEM) by keyId the sandbox's PIS API verifies request signatures with, beside the
   * harness application's own (registered under its client id).
   */
  readonly signatureKeys?: Readonly<Record<string, string>>;
}

export async function startSeedHarness(options: SeedHarnessOptions = {}): Promise<SeedHarness> {
  const clients = options.clients ?? DEFAULT_FINTECTURE_CLIENTS;
  const [clientId, clientSecret] = Object.entries(clients)[0];
  // The simulator verifies PIS signatures as the real API does, with the key the application registered.
  const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const sandbox = await startFintectureSandbox({
    clients,
    ...(options.scenario ? { scenario: options.scenario } : {}),
    signatureKeys: { [clientId]: signingKey.publicKey.export({ type: 'spki', format: 'pem' }) as string, ...options.signatureKeys },
  });
  const baseScenario = options.scenario ?? {};
  const secrets = new InMemorySecretsProvider({
    app: JSON.stringify({ id: clientId, secret: clientSecret }),
    [HARNESS_SIGNING_KEY]: signingKey.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
  });
  const sealer = new AesGcmSealer(randomBytes(32));

  async function mintToken(scope: string, name: string): Promise<string> {
    const res = await request(`${sandbox.url}/oauth/accesstoken`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope, client_id: clientId, client_secret: clientSecret }).toString(),
    });
    const body = (await res.body.json()) as { access_token?: string };
    if (res.statusCode !== 200 || !body.access_token) throw new Error(`token request failed: ${res.statusCode}`);
    secrets.set(name, body.access_token);
    return body.access_token;
  }

  async function run(file: string, input: Record<string, unknown>, runOptions: RunSeedOptions = {}): Promise<SeedRun> {
    const signing = runOptions.unsigned ? {} : { signing: HARNESS_SIGNING };
    const workflow = await compileSeed(file, { ...signing, ...runOptions.compile });
    const changesScenario = runOptions.faults !== undefined || runOptions.scenario !== undefined;
    if (changesScenario) sandbox.setScenario({ ...baseScenario, ...runOptions.scenario, faults: runOptions.faults ?? [] });
    const logEntries: StepLogEntry[] = [];
    const before = sandbox.stats.requests;
    const logBefore = sandbox.requestLog.length;
    let execution: LocalExecution;
    try {
      execution = await new LocalWorkflow(workflow).run(input, {
        runtime: {
          secrets,
          sealer,
          ...(runOptions.dispatcher ? { dispatcher: runOptions.dispatcher } : {}),
          serverUrls: Object.fromEntries(workflow.plan.sources.map((s) => [s.name, sandbox.url])),
          log: (entry) => logEntries.push(entry),
        },
        ...(runOptions.realWaits ? {} : { waitMs: 1 }),
        retryIntervalMs: 1,
        timeoutMs: 60_000,
      });
    } finally {
      if (changesScenario) sandbox.setScenario(baseScenario);
    }
    const requests = sandbox.requestLog.slice(logBefore);
    if (requests.length !== sandbox.stats.requests - before) throw new Error('the sandbox request log overflowed during the run');
    const history = toHistoryEvents(execution.engineEvents as EngineEvent[], {
      definition: workflow.definition,
      executionArn: execution.executionArn,
      stateMachineArn: execution.stateMachineArn,
      invocations: execution.invocations,
    });
    return {
      execution,
      history,
      historyJson: JSON.stringify(historyToJson(history)),
      formattedHistory: formatHistory(history, { showData: true }),
      requests,
      logLines: logEntries.map((e) => JSON.stringify(e)),
      callsTo: (operationId) => requests.filter((r) => r.operationId === operationId).length,
      statesEntered: history.filter((e) => e.stateEnteredEventDetails).map((e) => e.stateEnteredEventDetails!.name!),
    };
  }

  return { sandbox, secrets, sealer, clientId, clientSecret, mintToken, run, close: () => sandbox.close() };
}

/** Seed 000's inputs with a `secret:` reference for the token and the given e-mail (its tags choose the outcome). */
export function seed000Input(email: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    accessToken: 'secret:customersToken',
    firstName: 'Jane',
    lastName: 'Doe',
    email,
    providerId: 'cmcifrpp',
    expectedName: 'Jane Doe',
    ...overrides,
  };
}

/** Seed 001's inputs, the client credentials as references into the JSON secret `app`. */
export function seed001Input(requestId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    clientId: 'secret:app#id',
    clientSecret: 'secret:app#secret',
    amount: '149.99',
    currency: 'EUR',
    communication: 'Order 1042',
    requestId,
    ...overrides,
  };
}

/**
 * Every secret value (and the encodings it could travel in: JSON-escaped, URL-encoded, in an HTTP
 * Basic header) found in `text`. Returns the secrets found, so a failure names what leaked.
 */
export function scanForSecrets(text: string, secretValues: readonly string[]): string[] {
  const leaked = new Set<string>();
  for (const secret of secretValues) {
    if (!secret) throw new Error('scanForSecrets: empty secret value');
    const forms = [secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret), Buffer.from(secret).toString('base64')];
    if (forms.some((form) => text.includes(form))) leaked.add(secret);
  }
  for (let i = 0; i < secretValues.length; i++) {
    for (let j = 0; j < secretValues.length; j++) {
      if (i !== j && text.includes(Buffer.from(`${secretValues[i]}:${secretValues[j]}`).toString('base64'))) leaked.add(secretValues[i]);
    }
  }
  return [...leaked];
}

/** Indexes of the events of `type` (whose state, when given, is `stateName`). */
export function eventIndexes(history: readonly HistoryEvent[], type: string, stateName?: string): number[] {
  const out: number[] = [];
  history.forEach((e, i) => {
    if (e.type !== type) return;
    if (stateName !== undefined && (e.stateEnteredEventDetails?.name ?? e.stateExitedEventDetails?.name) !== stateName) return;
    out.push(i);
  });
  return out;
}

/** One request as it left the runtime for the wire: lower-case header names, body as text. */
export interface TappedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

/**
 * A real undici Agent that also records what the runtime sends (the sandbox deliberately keeps no
 * headers or bodies). Test-only: what it records holds secrets and is never printed.
 */
export interface WireTap {
  readonly dispatcher: Dispatcher;
  readonly requests: TappedRequest[];
  close(): Promise<void>;
}

function headerRecord(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const put = (k: string, v: unknown) => {
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
  };
  if (!headers) return out;
  if (Array.isArray(headers)) {
    if (headers.length && Array.isArray(headers[0])) for (const [k, v] of headers as [string, unknown][]) put(k, v);
    else for (let i = 0; i + 1 < headers.length; i += 2) put(String(headers[i]), headers[i + 1]);
  } else if (typeof (headers as Iterable<unknown>)[Symbol.iterator] === 'function') {
    for (const [k, v] of headers as Iterable<[string, unknown]>) put(k, v);
  } else {
    for (const [k, v] of Object.entries(headers as Record<string, unknown>)) if (v !== undefined) put(k, v);
  }
  return out;
}

export function createWireTap(): WireTap {
  const agent = new Agent();
  const requests: TappedRequest[] = [];
  const dispatcher = agent.compose((dispatch) => (opts, handler) => {
    const body = typeof opts.body === 'string' ? opts.body : opts.body instanceof Uint8Array ? Buffer.from(opts.body).toString('utf8') : undefined;
    requests.push({ method: opts.method, path: opts.path, headers: headerRecord(opts.headers), ...(body !== undefined ? { body } : {}) });
    return dispatch(opts, handler);
  });
  return { dispatcher, requests, close: () => agent.close() };
}
