import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { buildHistory } from './build-history.js';
import type { EngineEvent, LocalTaskHandler } from './engine-event.js';
import { indexStates } from './index-states.js';
import { describeThrown, toJsonText, toMillis, type InvocationRecord, type TaskInvocation } from './task-invocation.js';

export interface HistoryOptions {
  definition: { States: Record<string, any> };
  executionArn: string;
  stateMachineArn: string;
  /** Written into ExecutionStarted as AWS does; omitted when absent. */
  roleArn?: string;
}

/** Closes a call opened with `beginTaskInvocation`. */
export interface TaskInvocationHandle {
  succeeded(output: unknown, endedAt?: number | Date): void;
  failed(error: unknown, endedAt?: number | Date): void;
}

export interface HistoryRecorder {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  /** Feed every engine event, in the order `eventLogs` yields them. */
  push(event: EngineEvent): void;
  /**
   * Wraps a local Task handler so each call is recorded with its exact input and raw result.
   * The call is recorded before the handler's promise settles, i.e. before the engine can log
   * the attempt's outcome, which keeps `events()` append-only while an execution runs.
   */
  wrapTaskHandler(stateName: string, handler: LocalTaskHandler): LocalTaskHandler;
  /** `wrapTaskHandler` over a whole `taskResourceLocalHandlers` map. */
  wrapTaskHandlers<T extends Record<string, LocalTaskHandler>>(handlers: T): T;
  /** For runners with their own wrapper: open a call when the handler starts, close it when it settles. */
  beginTaskInvocation(stateName: string, input: unknown, startedAt?: number | Date): TaskInvocationHandle;
  /**
   * For runners that report a call in one go; call it before handing the result to the engine. A
   * call without `endedAt` is still out (a callback Task waiting for its token).
   */
  recordTaskInvocation(stateName: string, invocation: TaskInvocation): void;
  /**
   * The history so far, rebuilt from everything pushed and recorded (ids 1…n). While the
   * execution runs, a Task attempt whose handler has started shows as Scheduled + Started.
   */
  events(): HistoryEvent[];
}

/**
 * Incremental recorder of an execution's history, for a runner that streams `eventLogs`:
 *
 * ```ts
 * const recorder = createHistoryRecorder({ definition, executionArn, stateMachineArn, roleArn });
 * const run = new StateMachine(definition, { validationOptions: { noValidate: true } }).run(input, {
 *   overrides: { taskResourceLocalHandlers: recorder.wrapTaskHandlers(handlers) },
 * });
 * for await (const event of run.eventLogs) recorder.push(event);
 * const history = recorder.events();
 * ```
 *
 * Handler calls of one state are matched to that state's attempts in start order, so concurrent
 * Map iterations running the same Task state may be paired with the wrong iteration.
 */
export function createHistoryRecorder(options: HistoryOptions): HistoryRecorder {
  const states = indexStates(options.definition);
  const engineEvents: EngineEvent[] = [];
  const invocations: InvocationRecord[] = [];
  const region = options.stateMachineArn.split(':')[3] || undefined;

  const begin = (stateName: string, input: unknown, startedAt: number | Date = Date.now()): TaskInvocationHandle => {
    const record: InvocationRecord = { stateName, seq: invocations.length, startedAt: toMillis(startedAt), inputJson: toJsonText(input) };
    invocations.push(record);
    return {
      succeeded(output, endedAt = Date.now()) {
        record.endedAt = toMillis(endedAt);
        record.outcome = { kind: 'output', outputJson: toJsonText(output) };
      },
      failed(error, endedAt = Date.now()) {
        record.endedAt = toMillis(endedAt);
        record.outcome = { kind: 'error', ...describeThrown(error) };
      },
    };
  };

  const wrapTaskHandler = (stateName: string, handler: LocalTaskHandler): LocalTaskHandler =>
    async (input) => {
      const call = begin(stateName, input);
      try {
        const output = await handler(input);
        call.succeeded(output);
        return output;
      } catch (error) {
        call.failed(error);
        throw error;
      }
    };

  return {
    executionArn: options.executionArn,
    stateMachineArn: options.stateMachineArn,
    push: (event) => void engineEvents.push(event),
    wrapTaskHandler,
    wrapTaskHandlers: (handlers) =>
      Object.fromEntries(Object.entries(handlers).map(([name, handler]) => [name, wrapTaskHandler(name, handler)])) as typeof handlers,
    beginTaskInvocation: begin,
    recordTaskInvocation(stateName, invocation) {
      const call = begin(stateName, invocation.input, invocation.startedAt);
      if (invocation.submitted) invocations.at(-1)!.submitted = { at: toMillis(invocation.submitted.at), outputJson: toJsonText(invocation.submitted.output) };
      if (invocation.endedAt === undefined) return;
      if (invocation.error !== undefined) call.failed(invocation.error, invocation.endedAt);
      else call.succeeded(invocation.output, invocation.endedAt);
    },
    events: () => buildHistory({ engineEvents, invocations, states, roleArn: options.roleArn, region }),
  };
}
