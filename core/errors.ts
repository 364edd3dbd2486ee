/**
 * The one error hierarchy of arazzo-sfn, shared by the compiler and the runtime:
 *
 *   ArazzoError                   everything arazzo-sfn throws on purpose (`instanceof` tells it from a bug)
 *   ├─ ArazzoRuntimeError         what a handler throws; `name` is the Step Functions error code
 *   │  └─ ExpressionSyntaxError   (core/expressions) a runtime expression that does not parse
 *   └─ CompileError               (compiler/diagnostics) every error of one compilation
 *
 * Each runtime error's `name` is the literal error code that Step Functions sees (Lambda reports
 * `error.name` as `errorType`), so the emitted `Retry`, `Catch` and `Fail` states import the same
 * constants instead of repeating strings, and `retryable` (fixed per code, in `ErrorCodes`) decides
 * which codes the Task's provider-fault `Retry` lists.
 *
 * Messages must never contain secret values: they end up in the execution history. The `cause`
 * (the underlying fault) stays in the process: Lambda and the local engine report only name and message.
 */

/** Each code with whether a Task `Retry` may repeat the call that raised it. Order is the order of the emitted `ErrorEquals`. */
const ERROR_KINDS = {
  /** The step's success criteria failed and no onFailure action matched. */
  StepFailed: { code: 'Arazzo.StepFailed', retryable: false },
  /** A loop (`retry` action or `goto` back-edge) reached its bound. */
  RetryLimitExceeded: { code: 'Arazzo.RetryLimitExceeded', retryable: false },
  /** The execution input does not satisfy the workflow's inputs schema. */
  InvalidInputs: { code: 'Arazzo.InvalidInputs', retryable: false },
  /** Connection error, timeout, 5xx or 429 from the provider (retried by the Task's Retry when safe). */
  ProviderUnavailable: { code: 'Arazzo.ProviderUnavailable', retryable: true },
  /**
   * The step ran past its Arazzo 1.1 `timeout` and no onFailure action handled it (the spec: the
   * step fails). Not retried by the provider-fault Retry: an onFailure `retry` action is how a
   * document asks for another try.
   */
  StepTimeout: { code: 'Arazzo.StepTimeout', retryable: false },
  /**
   * The provider kept answering 429 with `Retry-After` past the step's bound of waits
   * (`transport.throttle.maxWaits`), or asked for a longer wait than `maxWaitSeconds`.
   */
  Throttled: { code: 'Arazzo.Throttled', retryable: false },
  /**
   * The provider answered 429 with a `Retry-After` within the step's bounds: not a failure but a
   * signal. The Task's first Catch sends it through `<state>.throttled`, a Wait of that delay, and
   * back; the message is the JSON of a {@link RetryAfterWait}. Never retried by a Task `Retry`
   * (which would call again at once).
   */
  RetryAfter: { code: 'Arazzo.RetryAfter', retryable: false },
  /**
   * The provider answered with a Content-Type the OpenAPI operation does not declare for that
   * status (a contract fault, retried by the Task's Retry when safe, as ProviderUnavailable is).
   */
  UnexpectedContentType: { code: 'Arazzo.UnexpectedContentType', retryable: true },
  /** The JSON body does not match the schema the OpenAPI operation declares for it (SCHEMA_CHECK at `error`). */
  ResponseSchemaMismatch: { code: 'Arazzo.ResponseSchemaMismatch', retryable: false },
  /** A runtime expression could not be evaluated (missing value, bad pointer). */
  Expression: { code: 'Arazzo.Expression', retryable: false },
  /** A credential could not be resolved, sealed or unsealed. */
  Secret: { code: 'Arazzo.Secret', retryable: false },
  /** An encrypted PEM private key whose secret has no passphrase, or one that does not open it (not retried: it stays wrong until the secret is fixed). */
  KeyPassphrase: { code: 'Arazzo.KeyPassphrase', retryable: false },
  /** The provider's response could not be read (malformed body, too large). */
  InvalidResponse: { code: 'Arazzo.InvalidResponse', retryable: false },
  /**
   * An `x-security` credential could not be applied: the token endpoint or the OpenID Connect
   * discovery document refused or answered something unusable (not retried: a bad client or
   * password stays bad; an unreachable endpoint is Arazzo.ProviderUnavailable instead).
   */
  AuthFailed: { code: 'Arazzo.AuthFailed', retryable: false },
  /**
   * A broker (SQS, SNS, EventBridge) refused a send step's message for a reason a repeat would
   * meet again: access denied, no such queue, topic or bus, a message it does not accept.
   * (Throttling and the broker's own faults are Arazzo.ProviderUnavailable.)
   */
  MessageRefused: { code: 'Arazzo.MessageRefused', retryable: false },
  /** A `receive` step (Arazzo 1.1) got no matching message within its `timeout`. */
  MessageTimeout: { code: 'Arazzo.MessageTimeout', retryable: false },
  /** The plan handed to the handler is not usable (unknown step, version mismatch). */
  Plan: { code: 'Arazzo.Plan', retryable: false },
} as const;

type ErrorKind = keyof typeof ERROR_KINDS;

/** The error codes by kind (`ErrorCodes.StepFailed === 'Arazzo.StepFailed'`). */
export const ErrorCodes = Object.fromEntries(Object.entries(ERROR_KINDS).map(([kind, { code }]) => [kind, code])) as {
  readonly [K in ErrorKind]: (typeof ERROR_KINDS)[K]['code'];
};

export type ErrorCode = (typeof ERROR_KINDS)[ErrorKind]['code'];

const RETRYABLE = new Map<string, boolean>(Object.values(ERROR_KINDS).map(({ code, retryable }) => [code, retryable]));

/** Whether a Task `Retry` may repeat the call that raised `code`. */
export const isRetryable = (code: ErrorCode): boolean => RETRYABLE.get(code) ?? false;

/** The codes a Task's provider-fault `Retry` lists, in declaration order. */
export const RETRYABLE_ERROR_CODES: readonly ErrorCode[] = Object.values(ERROR_KINDS)
  .filter((kind) => kind.retryable)
  .map((kind) => kind.code);

/** The root of everything arazzo-sfn throws on purpose. */
export class ArazzoError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    // Spelled out: bundlers may rename classes. Subclasses set their own.
    this.name = 'ArazzoError';
  }
}

export interface RuntimeErrorOptions {
  /** The underlying fault (kept in the process, never sent to Step Functions). */
  readonly cause?: unknown;
}

export class ArazzoRuntimeError extends ArazzoError {
  /** Whether a Task `Retry` may repeat the call that raised it (fixed by the code). */
  readonly retryable: boolean;
  override readonly name: ErrorCode;

  constructor(code: ErrorCode, message: string, options: RuntimeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = code;
    this.retryable = isRetryable(code);
  }
}

/** Whether `err` is a runtime error of this code (`instanceof`, not a look at any error's name). */
export const isErrorCode = (err: unknown, code: ErrorCode): err is ArazzoRuntimeError => err instanceof ArazzoRuntimeError && err.name === code;

type Factory = (message: string, options?: RuntimeErrorOptions) => ArazzoRuntimeError;
const factory =
  (code: ErrorCode): Factory =>
  (message, options) =>
    new ArazzoRuntimeError(code, message, options);

export const stepFailed = factory(ErrorCodes.StepFailed);
export const invalidInputs = factory(ErrorCodes.InvalidInputs);
export const providerUnavailable = factory(ErrorCodes.ProviderUnavailable);
export const throttled = factory(ErrorCodes.Throttled);
export const stepTimeout = factory(ErrorCodes.StepTimeout);

/** What the `Arazzo.RetryAfter` signal carries (its message, as JSON): the delay to wait, and the count of waits in a row so far. */
export interface RetryAfterWait {
  readonly seconds: number;
  readonly waits: number;
}

/**
 * The `Arazzo.RetryAfter` signal: its message is the JSON the emitted `<state>.throttled.delay`
 * Pass parses (`seconds`, `waits`), with the reason for a reader of the history.
 */
export const retryAfterSignal = (wait: RetryAfterWait, reason: string): ArazzoRuntimeError =>
  new ArazzoRuntimeError(ErrorCodes.RetryAfter, JSON.stringify({ seconds: wait.seconds, waits: wait.waits, reason }));
export const unexpectedContentType = factory(ErrorCodes.UnexpectedContentType);
export const responseSchemaMismatch = factory(ErrorCodes.ResponseSchemaMismatch);
export const expressionError = factory(ErrorCodes.Expression);
export const secretError = factory(ErrorCodes.Secret);
export const keyPassphraseError = factory(ErrorCodes.KeyPassphrase);
export const invalidResponse = factory(ErrorCodes.InvalidResponse);
export const planError = factory(ErrorCodes.Plan);
export const authFailed = factory(ErrorCodes.AuthFailed);
export const messageRefused = factory(ErrorCodes.MessageRefused);
