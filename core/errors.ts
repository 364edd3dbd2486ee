/**
 * The one error hierarchy of the runtime. Each class's `name` is the literal error code that
 * Step Functions sees (Lambda reports `error.name` as `errorType`), so the emitted `Retry`,
 * `Catch` and `Fail` states import the same constants instead of repeating strings.
 *
 * Messages must never contain secret values: they end up in the execution history.
 */

export const ErrorCodes = {
  /** The step's success criteria failed and no onFailure action matched. */
  StepFailed: 'Arazzo.StepFailed',
  /** A loop (`retry` action or `goto` back-edge) reached its bound. */
  RetryLimitExceeded: 'Arazzo.RetryLimitExceeded',
  /** The execution input does not satisfy the workflow's inputs schema. */
  InvalidInputs: 'Arazzo.InvalidInputs',
  /** Connection error, timeout, 5xx or 429 from the provider (retried by the Task's Retry when safe). */
  ProviderUnavailable: 'Arazzo.ProviderUnavailable',
  /**
   * The provider answered with a Content-Type the OpenAPI operation does not declare for that
   * status (a contract fault, retried by the Task's Retry when safe, as ProviderUnavailable is).
   */
  UnexpectedContentType: 'Arazzo.UnexpectedContentType',
  /** A runtime expression could not be evaluated (missing value, bad pointer). */
  Expression: 'Arazzo.Expression',
  /** A credential could not be resolved, sealed or unsealed. */
  Secret: 'Arazzo.Secret',
  /** The provider's response could not be read (malformed body, too large). */
  InvalidResponse: 'Arazzo.InvalidResponse',
  /** The plan handed to the handler is not usable (unknown step, version mismatch). */
  Plan: 'Arazzo.Plan',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export class ArazzoRuntimeError extends Error {
  /** Whether a Task `Retry` may repeat the call that raised it. */
  readonly retryable: boolean;
  override readonly name: ErrorCode;

  constructor(code: ErrorCode, message: string, options: { retryable?: boolean } = {}) {
    super(message);
    this.name = code;
    this.retryable = options.retryable ?? false;
  }
}

export const stepFailed = (message: string) => new ArazzoRuntimeError(ErrorCodes.StepFailed, message);
export const invalidInputs = (message: string) => new ArazzoRuntimeError(ErrorCodes.InvalidInputs, message);
export const providerUnavailable = (message: string) =>
  new ArazzoRuntimeError(ErrorCodes.ProviderUnavailable, message, { retryable: true });
export const unexpectedContentType = (message: string) =>
  new ArazzoRuntimeError(ErrorCodes.UnexpectedContentType, message, { retryable: true });
export const expressionError = (message: string) => new ArazzoRuntimeError(ErrorCodes.Expression, message);
export const secretError = (message: string) => new ArazzoRuntimeError(ErrorCodes.Secret, message);
export const invalidResponse = (message: string) => new ArazzoRuntimeError(ErrorCodes.InvalidResponse, message);
export const planError = (message: string) => new ArazzoRuntimeError(ErrorCodes.Plan, message);
