import { ArazzoError } from '../../core/errors.js';
import type { LoopPolicy, ThrottlePolicy } from '../../core/plan.js';
import type { CheckSeverity, ResponseCheck } from '../../core/response-checks.js';

/** Options of a compilation; every field has a documented default. */
export interface CompileOptions {
  /**
   * Pacing and bound of loops that Arazzo leaves open: a `goto` back to the same or an
   * earlier step (seed 000 polls with no delay). Overridden per action or step by the
   * `x-arazzo-sfn-loop` extension.
   * @default { intervalSeconds: 5, backoffRate: 1.5, maxDelaySeconds: 60, maxAttempts: 20 }
   */
  readonly defaultLoop?: Partial<LoopPolicy>;
  /**
   * Workflow inputs to treat as credentials, by workflow id, in addition to those the
   * document marks (`format: password`, `writeOnly: true`, `x-arazzo-sfn-credential: true`,
   * or the workflow's `x-arazzo-sfn-credentials` list) and those recognised by name.
   * @default {}
   */
  readonly credentialInputs?: Readonly<Record<string, readonly string[]>>;
  /**
   * Recognise credential inputs and outputs by name (token, secret, password, apiKey,
   * clientId, ...). Turn off to rely on explicit markings only.
   * @default true
   */
  readonly credentialsByName?: boolean;
  /**
   * Personal data by workflow id, for documents kept verbatim (the inputs schema's
   * `x-arazzo-sfn-personal: true` declares it in the document): input paths (`email`,
   * `address.city`, `$inputs.email`, `/address/city`) and step outputs
   * (`$steps.<stepId>.outputs.<name>`). Such inputs travel sealed from the moment the execution
   * is started; such outputs, and every output that reads one, are sealed by the handler.
   * The key `*` applies its input paths to every workflow whose inputs schema declares them.
   * @default {}
   */
  readonly personalData?: Readonly<Record<string, readonly string[]>>;
  /** @default 5000 */
  readonly connectTimeoutMs?: number;
  /** @default 30000 */
  readonly requestTimeoutMs?: number;
  /**
   * Additional data bound into every sealed value. Workflows compiled with the same context
   * (one deployment) can open each other's sealed values, so a parent can hand a minted token
   * to a nested workflow; a value sealed under another context does not open.
   * @default "arazzo-sfn"
   */
  readonly sealContext?: string;
  /**
   * Severity of the response checks besides the criteria, named as Redocly Respect names them:
   * `CONTENT_TYPE_CHECK` (the answer's Content-Type is one the operation declares) and
   * `SCHEMA_CHECK` (a JSON body matches the schema the operation declares). `error` fails the
   * step, `warn` records the finding in the step's result and lets the criteria decide, `off`
   * skips the check.
   * @default { CONTENT_TYPE_CHECK: 'warn', SCHEMA_CHECK: 'warn' }
   */
  readonly checks?: Readonly<Partial<Record<ResponseCheck, CheckSeverity>>>;
  /**
   * Request signing by configuration, per source description name: the same declaration as an
   * OpenAPI security scheme's `x-arazzo-sfn-signing` (`scheme`, `algorithm`, `components`,
   * `digest`, `key`, `keyId`, `expiresIn`, `label`), used instead of the description's. It signs
   * the source's operations that declare a header it produces (`Signature`). Seed 001 signs this
   * way without being edited.
   * @default {} (the descriptions' declarations)
   */
  readonly signing?: Readonly<Record<string, unknown>>;
  /**
   * Webhook verification by configuration, by workflow id then step id: the declaration a
   * callback step's `x-arazzo-sfn-callback.verify` or a receive step's `x-arazzo-sfn-verify`
   * holds (`scheme`, `secret`, `header`, `keyId`, `toleranceSeconds`), used instead of the
   * document's. Seed 003's callback is verified this way without being edited; a deployment sets
   * its own Fintecture application id (`keyId`) so. An entry for a step that receives no webhook
   * is a warning (ASFN2210); one for a workflow of another document is ignored.
   * @default {} (the documents' declarations)
   */
  readonly webhookVerification?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /**
   * A provider's 429 with `Retry-After` to a retry-safe call the step does not handle: the
   * handler throws `Arazzo.RetryAfter`, and the Task's first Catch routes it through
   * `<state>.throttled`, a Wait of the header's delay, back to the Task. Nothing is added to the
   * path without a 429 (a Catch costs no transition); each wait costs three (two Pass states that
   * read the delay, the Wait) and the call again. A `Retry-After` longer than `maxWaitSeconds`, or
   * more than `maxWaits` throttled answers in a row, fails the step with `Arazzo.Throttled`.
   * `false`: a 429 goes to the Task's provider-fault Retry whatever its Retry-After, as a 429
   * without the header always does.
   * @default true, which means { maxWaitSeconds: 60, maxWaits: 5 }
   */
  readonly throttle?: Partial<ThrottlePolicy> | boolean;
}

export const DEFAULT_THROTTLE: ThrottlePolicy = { maxWaitSeconds: 60, maxWaits: 5 };

/** The values `throttle` accepts: a Wait's seconds are whole, and the whole execution is bounded by a day. */
export const THROTTLE_LIMITS = {
  maxWaitSeconds: { min: 1, max: 86_400 },
  maxWaits: { min: 1, max: 100 },
} as const;

/**
 * The throttle policy the option asks for (undefined: off), with the defaults filled in. A field
 * that is not a whole number within THROTTLE_LIMITS, or an unknown field, is an error named after
 * the option: one line, for the CLI flag, the construct prop and the compile API alike.
 */
export function resolveThrottle(option: CompileOptions['throttle']): ThrottlePolicy | undefined {
  if (option === false) return undefined;
  if (option === undefined || option === true) return DEFAULT_THROTTLE;
  if (typeof option !== 'object' || option === null || Array.isArray(option)) throw new ArazzoError(`throttle must be true, false or { maxWaitSeconds, maxWaits }`);
  for (const key of Object.keys(option)) {
    if (!(key in THROTTLE_LIMITS)) throw new ArazzoError(`throttle: unknown field "${key}" (allowed: ${Object.keys(THROTTLE_LIMITS).join(', ')})`);
  }
  const policy = { ...DEFAULT_THROTTLE, ...option };
  for (const [key, { min, max }] of Object.entries(THROTTLE_LIMITS) as [keyof ThrottlePolicy, { min: number; max: number }][]) {
    const value: unknown = policy[key];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new ArazzoError(`throttle.${key} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
    }
  }
  return policy;
}

export const DEFAULT_SEAL_CONTEXT = 'arazzo-sfn';

export const DEFAULT_LOOP: LoopPolicy = { intervalSeconds: 5, backoffRate: 1.5, maxDelaySeconds: 60, maxAttempts: 20 };

/** Arazzo 1.0.1: "If not specified then a single retry SHALL be attempted". */
export const DEFAULT_RETRY_LIMIT = 1;

/** The values `x-arazzo-sfn-loop` accepts: a bound out of these would emit an invalid or endless loop. */
export const LOOP_LIMITS = {
  intervalSeconds: { min: 0, max: 86_400, integer: false },
  backoffRate: { min: 1, max: 10, integer: false },
  maxDelaySeconds: { min: 0, max: 86_400, integer: false },
  maxAttempts: { min: 1, max: 10_000, integer: true },
} as const;
