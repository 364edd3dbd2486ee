/**
 * The error shapes of the Step Functions API (AWS JSON 1.0): HTTP 400 with
 * `{"__type": "<namespace>#<Code>", "message": "..."}`. The SDK and the CLI read the code after
 * the `#`, so clients get the same exception classes (`ExecutionDoesNotExist`, ...) as on AWS.
 */
export type SfnErrorCode =
  | 'ExecutionAlreadyExists'
  | 'ExecutionDoesNotExist'
  | 'ExecutionNotRedrivable'
  | 'ConflictException'
  | 'ResourceNotFound'
  | 'TooManyTags'
  | 'InvalidArn'
  | 'InvalidDefinition'
  | 'InvalidExecutionInput'
  | 'InvalidName'
  | 'InvalidOutput'
  | 'InvalidToken'
  | 'StateMachineAlreadyExists'
  | 'StateMachineDoesNotExist'
  | 'StateMachineTypeNotSupported'
  | 'TaskDoesNotExist'
  | 'TaskTimedOut'
  | 'ValidationException'
  | 'SerializationException'
  | 'UnknownOperationException'
  | 'InternalFailure'
  | 'AccessDeniedException'
  | 'UnrecognizedClientException';

/** The namespace the service writes in `__type`; coral's own validation errors carry theirs. */
const NAMESPACE: Partial<Record<SfnErrorCode, string>> = {
  ValidationException: 'com.amazon.coral.validate',
  SerializationException: 'com.amazon.coral.service',
  UnknownOperationException: 'com.amazon.coral.service',
  InternalFailure: 'com.amazon.coral.service',
  AccessDeniedException: 'com.amazon.coral.service',
  UnrecognizedClientException: 'com.amazon.coral.service',
};

export class SfnError extends Error {
  constructor(
    readonly code: SfnErrorCode,
    message: string,
    readonly statusCode = code === 'InternalFailure' ? 500 : 400,
  ) {
    super(message);
    this.name = code;
  }

  get type(): string {
    return `${NAMESPACE[this.code] ?? 'com.amazonaws.swf.service.v2.model'}#${this.code}`;
  }
}

export const sfnError = (code: SfnErrorCode, message: string) => new SfnError(code, message);

/**
 * What is wrong with a JSON text, without quoting it: the engine's own messages carry a piece of
 * the text, and an execution's input may hold credentials.
 */
export function jsonSyntaxProblem(err: unknown): string {
  const position = /at position (\d+)/.exec((err as Error)?.message ?? '')?.[1];
  return `not valid JSON${position !== undefined ? ` (at character ${position})` : ''}`;
}
