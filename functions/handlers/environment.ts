import { secretError } from '../runtime/errors.js';
import { KmsSealer, SecretsManagerProvider, type Sealer } from '../runtime/secrets/index.js';

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
} as const;

/** The esbuild `define` names the entry points read their plans from (a JSON string). */
export const PlanDefines = {
  /** The StepPlans an operation function serves (every step of the workflow that calls its operation). */
  stepPlans: '__ARAZZO_STEP_PLANS__',
  /** The WorkflowPlan the workflow function serves. */
  workflowPlan: '__ARAZZO_WORKFLOW_PLAN__',
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
