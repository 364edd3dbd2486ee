import { messageRefused, providerUnavailable, type ArazzoRuntimeError } from '../../../core/errors.js';

/**
 * Codes under which SQS, SNS and EventBridge say "not now": throttling, or a fault of their own.
 * The SDK has already retried these (standard mode, three attempts) when the error reaches us.
 */
const TRANSIENT_CODES = new Set([
  'RequestThrottled',
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'ServiceUnavailable',
  'InternalError',
  'InternalFailure',
  'InternalErrorException',
  'InternalException',
  'KMSThrottlingException',
  'TimeoutError',
  'RequestTimeout',
]);

/** Whether a broker's answer (an SDK error, or a PutEvents entry's ErrorCode) is worth another try later. */
export function isTransientBrokerFault(code: string, status?: number): boolean {
  return TRANSIENT_CODES.has(code) || (status !== undefined && (status >= 500 || status === 429));
}

/**
 * A broker's refusal as a named Arazzo error: `Arazzo.ProviderUnavailable` (retryable: the
 * Task's Retry repeats it when the send is retry-safe) for throttling, the broker's own faults and
 * network errors; `Arazzo.MessageRefused` (not retryable) for everything a repeat would meet again
 * (access denied, no such queue, an attribute it refuses). The message names the broker and the
 * error code, never the message.
 */
export function brokerFault(where: string, err: unknown): ArazzoRuntimeError {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown };
  const code = e?.name ?? 'Error';
  const status = e?.$metadata?.httpStatusCode;
  // No answer from the service at all (refused connection, DNS, socket timeout): the SDK sets no status.
  const unanswered = status === undefined;
  if (unanswered || e.$retryable || isTransientBrokerFault(code, status)) {
    return providerUnavailable(`${where}: the broker did not take the message (${code}${status ? `, HTTP ${status}` : ''})`, { cause: err });
  }
  return messageRefused(`${where}: the broker refused the message (${code}, HTTP ${status})`, { cause: err });
}
