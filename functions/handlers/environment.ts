import { DynamoDbCallbackStore, SfnTaskTokenClient } from '../runtime/callbacks/index.js';
import type { ForgedReason } from '../runtime/callbacks/verify-callback-signature.js';
import { forgedCallbackMetric } from './metrics.js';
import { secretError } from '../../core/errors.js';
import type { StepPlan } from '../../core/plan.js';
import { KmsSealer, SecretsManagerProvider, type Sealer, type SecretsProvider } from '../runtime/secrets/index.js';
import { KmsSigningKeys, PemSigningKeys, type SigningKeys } from '../runtime/signing/index.js';

/**
 * What the CDK construct hands each Lambda function. Plans are compiled into the bundle (an
 * esbuild `define`), not passed as environment variables: Lambda caps a function's whole
 * environment at 4 KB, and a plan is data the code cannot run without.
 */
export const HandlerEnvironment = {
  /** JSON map: secret reference name → Secrets Manager secret ARN, only the secrets the function's steps send. */
  secretIds: 'ARAZZO_SECRET_IDS',
  /** JSON map: source description name → server URL, overriding the OpenAPI `servers[0]`. */
  serverUrls: 'ARAZZO_SERVER_URLS',
  /** The KMS key that encrypts sealing data keys; absent for a function that never seals nor opens a value. */
  sealKeyId: 'ARAZZO_SEAL_KEY_ID',
  /** The DynamoDB table of pending callbacks: operation functions of callback steps put, the webhook receiver reads and settles. */
  callbackTable: 'ARAZZO_CALLBACK_TABLE',
  /** The webhook receiver's Function URL: callback steps hand the provider `<url>/callbacks?id=<id>`. */
  callbackBaseUrl: 'ARAZZO_CALLBACK_BASE_URL',
  /** JSON map: broker target (`sqs:<queue>`, `sns:<topic>`, `eventbridge:<bus>`, `mqtt:<topic>`) → queue URL, topic ARN, bus ARN or MQTT topic, for send steps (Arazzo 1.1). */
  channelTargets: 'ARAZZO_CHANNEL_TARGETS',
  /** The https URL of the account's AWS IoT Core data endpoint (`iot:Data-ATS`), for send steps on MQTT channels. */
  iotDataEndpoint: 'ARAZZO_IOT_DATA_ENDPOINT',
  /** JSON map: queue ARN → the broker target its messages carry (`sqs:<queue>`, `sns:<topic>`), for the broker receiver (Arazzo 1.1 receive steps). */
  receiveQueues: 'ARAZZO_RECEIVE_QUEUES',
  /** JSON map: signing key name (a signing declaration's `key`) → KMS key ARN the function may `kms:Sign` with; other names are PEM secrets. */
  signingKeys: 'ARAZZO_SIGNING_KEYS',
  /** The starter function: the state machine (its alias) it starts executions of. */
  stateMachineArn: 'ARAZZO_STATE_MACHINE_ARN',
  /** The starter function: how the trigger maps an event to inputs (JSON of a TriggerMapping). */
  triggerMapping: 'ARAZZO_TRIGGER_MAPPING',
} as const;

/** The esbuild `define` names the entry points read their plans from (a JSON string). */
export const PlanDefines = {
  /** The StepPlans an operation function serves (every step of the workflow that calls its operation). */
  stepPlans: '__ARAZZO_STEP_PLANS__',
  /** The WorkflowPlan the workflow function serves. */
  workflowPlan: '__ARAZZO_WORKFLOW_PLAN__',
  /** The StepPlans of the workflow's callback steps, which the webhook receiver judges callbacks with. */
  callbackPlans: '__ARAZZO_CALLBACK_PLANS__',
} as const;

type Environment = Readonly<Record<string, string | undefined>>;

export function readJsonMap(env: Environment, name: string): Record<string, string> {
  const raw = env[name];
  if (raw === undefined || raw === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Error(`environment variable ${name} is not JSON`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed) || Object.values(parsed).some((v) => typeof v !== 'string')) {
    throw new Error(`environment variable ${name} must be a JSON object of strings`);
  }
  return parsed as Record<string, string>;
}

/** A function granted no KMS key: it was deployed as one that never seals nor opens, and says so if that proves wrong. */
const noSealer: Sealer = {
  seal: () => Promise.reject(secretError(`this function has no sealing key (${HandlerEnvironment.sealKeyId}), so it cannot seal a credential output`)),
  unseal: () => Promise.reject(secretError(`this function has no sealing key (${HandlerEnvironment.sealKeyId}), so it cannot open a sealed value`)),
};

export function sealerFromEnvironment(env: Environment): Sealer {
  const keyId = env[HandlerEnvironment.sealKeyId];
  return keyId ? new KmsSealer({ keyId }) : noSealer;
}

export function secretsFromEnvironment(env: Environment): SecretsManagerProvider {
  return new SecretsManagerProvider({ secretIds: readJsonMap(env, HandlerEnvironment.secretIds) });
}

/** The callback table as the plans' callback steps use it: each record expires a margin past its step's timeout. */
export function callbackStoreFromEnvironment(env: Environment, plans: readonly StepPlan[]): DynamoDbCallbackStore | undefined {
  const tableName = env[HandlerEnvironment.callbackTable];
  if (!tableName) return undefined;
  // A callback step's wait, or a receive step's (Arazzo 1.1): either bounds how long its record must live.
  const timeouts = new Map(plans.flatMap((p) => {
    const seconds = p.callback?.timeoutSeconds ?? p.receive?.timeoutSeconds;
    return seconds === undefined ? [] : [[`${p.workflowId}\u0000${p.stepId}`, seconds] as const];
  }));
  return new DynamoDbCallbackStore({ tableName, timeoutSecondsFor: (workflowId, stepId) => timeouts.get(`${workflowId}\u0000${stepId}`) });
}

/**
 * What an operation function's callback steps register with. Absent (a function without callback
 * steps, or deployed without a receiver): a callback step then fails with `Arazzo.Plan` naming it.
 */
export function callbacksFromEnvironment(
  env: Environment,
  plans: readonly StepPlan[],
): { baseUrl: string; store: DynamoDbCallbackStore; tokens?: SfnTaskTokenClient; onForged?: (reason: ForgedReason, step: { readonly workflowId: string }) => void } | undefined {
  const baseUrl = env[HandlerEnvironment.callbackBaseUrl];
  const store = plans.some((p) => p.callback || p.receive) ? callbackStoreFromEnvironment(env, plans) : undefined;
  // A receive step resumes its own Task when its message came first (kept by the receiver): it needs SendTaskSuccess/Failure.
  const tokens = plans.some((p) => p.receive) ? new SfnTaskTokenClient() : undefined;
  // Only a callback step hands out the receiver's URL: a receive step on a broker channel has none to hand out.
  const needsUrl = plans.some((p) => p.callback);
  // A receive step that takes a message kept before it waited may find it a replay (401): counted as the receiver counts its refusals.
  return store && (baseUrl || !needsUrl) ? { baseUrl: baseUrl ?? '', store, ...(tokens ? { tokens, onForged: logForgedMessage } : {}) } : undefined;
}

const logForgedMessage = (reason: ForgedReason, step: { readonly workflowId: string }) =>
  console.log(JSON.stringify({ message: 'arazzo step call', ...forgedCallbackMetric(reason, step.workflowId, Date.now()) }));

/**
 * Where the function's signed steps get signatures: KMS for the key names the construct mapped to
 * a KMS key (the private key never leaves KMS), a PEM secret read through `secrets` for the others.
 * Absent when nothing is mapped: the runtime's default (PEM secrets) applies.
 */
export function signingKeysFromEnvironment(env: Environment, secrets: SecretsProvider): SigningKeys | undefined {
  const keys = readJsonMap(env, HandlerEnvironment.signingKeys);
  return Object.keys(keys).length ? new KmsSigningKeys({ keys, fallback: new PemSigningKeys(secrets) }) : undefined;
}
