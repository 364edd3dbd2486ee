import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { createHistoryRecorder, type HistoryOptions } from './create-history-recorder.js';
import type { EngineEvent } from './engine-event.js';
import type { TaskInvocation } from './task-invocation.js';

export type { StateInfo } from './index-states.js';

export interface ToHistoryEventsOptions extends HistoryOptions {
  /**
   * Handler calls the runner observed, in any order. Without them the Lambda events are inferred
   * from the engine alone: `input` is then the state's raw input (before InputPath/Parameters) and
   * `output` the state's output (after ResultSelector/ResultPath/OutputPath).
   */
  invocations?: readonly (TaskInvocation & { stateName: string })[];
}

/** One-shot conversion of a finished run's `eventLogs` into `GetExecutionHistory` events. */
export function toHistoryEvents(engineEvents: readonly EngineEvent[], options: ToHistoryEventsOptions): HistoryEvent[] {
  const recorder = createHistoryRecorder(options);
  for (const { stateName, ...invocation } of options.invocations ?? []) recorder.recordTaskInvocation(stateName, invocation);
  for (const event of engineEvents) recorder.push(event);
  return recorder.events();
}
