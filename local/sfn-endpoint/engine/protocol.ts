/**
 * The messages between the endpoint and its engine workers. Types only (and constants), so the
 * worker loads nothing of the project but this file.
 */

/** AWS Step Functions' quotas, as the endpoint enforces them on every execution. */
export const AWS_QUOTAS = {
  /** A state's input or output, as UTF-8 JSON: past it the execution fails with States.DataLimitExceeded. */
  maxPayloadBytes: 256 * 1024,
  /** The execution history: event 25,000 is ExecutionFailed unless it is ExecutionSucceeded. */
  maxHistoryEvents: 25_000,
} as const;

export interface EngineQuotas {
  readonly maxPayloadBytes: number;
  readonly maxHistoryEvents: number;
  /** Wall time an execution may run before it times out (ExecutionTimedOut, States.Timeout). */
  readonly maxDurationMs: number;
  /**
   * Bytes of state input and output an execution's history keeps; past it, events keep their
   * names and order but their data is dropped and marked truncated, so a loop over a large
   * payload cannot fill the endpoint's memory and database.
   */
  readonly historyDataBytes: number;
}

/** The error names an execution ends with when it passes a quota. */
export const QUOTA_ERRORS = {
  payload: 'States.DataLimitExceeded',
  // AWS documents the failure at event 25,000 but not its error name; States.Runtime is the service's name for a fault of the execution itself.
  history: 'States.Runtime',
  timeout: 'States.Timeout',
  /** The worker running the execution died (its memory limit, most likely): every execution it ran ends with this. */
  workerLost: 'ArazzoSfn.EngineWorkerLost',
} as const;

/**
 * The cause an execution's `ArazzoSfn.EngineWorkerLost` carries when its worker was terminated
 * because another execution on it did not answer its StopExecution: the endpoint then redrives
 * the execution on another worker at once (see ExecutionRunner).
 */
export const WORKER_STOPPED_FOR_ANOTHER =
  'The engine worker running this execution was stopped because another execution on it did not answer its StopExecution; the endpoint redrives this one on another worker from the state it was in (when its history kept that state\'s input).';

/** Marks state data the history no longer keeps (see EngineQuotas.historyDataBytes). */
export { TRUNCATED_DATA } from '../../history/truncated-data.js';

export type ToWorker =
  | {
      readonly kind: 'start';
      readonly id: number;
      readonly definitionId: number;
      /** Sent once per definition and worker; the worker keeps it by definitionId. */
      readonly definition?: object;
      readonly input: unknown;
      readonly context?: unknown;
      readonly taskStates: readonly string[];
      readonly waitTimeOverrides?: Record<string, number>;
      readonly retryIntervalOverrides?: Record<string, number>;
      readonly quotas: EngineQuotas;
    }
  | { readonly kind: 'task-result'; readonly id: number; readonly call: number; readonly ok: true; readonly output: unknown }
  | { readonly kind: 'task-result'; readonly id: number; readonly call: number; readonly ok: false; readonly error: { readonly name: string; readonly message: string } }
  | { readonly kind: 'abort'; readonly id: number }
  /** Answered with `pong` when the worker's event loop is free: a worker that does not answer is stalled. */
  | { readonly kind: 'ping' };

export type FromWorker =
  | { readonly kind: 'ready' }
  | { readonly kind: 'pong' }
  | { readonly kind: 'events'; readonly id: number; readonly events: readonly unknown[] }
  | { readonly kind: 'task'; readonly id: number; readonly call: number; readonly state: string; readonly input: unknown }
  | { readonly kind: 'end'; readonly id: number; readonly ok: true; readonly output: unknown }
  | { readonly kind: 'end'; readonly id: number; readonly ok: false; readonly error: { readonly name: string; readonly message: string } };
