import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { StateMachine, type RunOptions } from 'aws-local-stepfunctions';
import {
  createHistoryRecorder,
  type EngineEvent,
  type HistoryRecorder,
  type LocalTaskHandler,
} from '../../../local/history/index.js';

export const STATE_MACHINE_ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:demo';
export const EXECUTION_ARN = 'arn:aws:states:eu-west-1:123456789012:execution:demo:run-1';
export const ROLE_ARN = 'arn:aws:iam::123456789012:role/demo';

export const lambdaArn = (name: string) => `arn:aws:lambda:eu-west-1:123456789012:function:${name}`;

export interface RunOutcome {
  recorder: HistoryRecorder;
  engineEvents: EngineEvent[];
  events: HistoryEvent[];
  /** `events()` taken after each pushed engine event, to check the history only ever grows. */
  snapshots: HistoryEvent[][];
  result?: unknown;
  error?: Error;
}

/** Runs a definition on the real engine with recorded local handlers, streaming its event log. */
export async function runMachine(
  definition: any,
  input: unknown,
  handlers: Record<string, LocalTaskHandler> = {},
  overrides: Omit<NonNullable<RunOptions['overrides']>, 'taskResourceLocalHandlers'> = {},
  control: { abortAfterMs?: number } = {},
): Promise<RunOutcome> {
  const recorder = createHistoryRecorder({ definition, executionArn: EXECUTION_ARN, stateMachineArn: STATE_MACHINE_ARN, roleArn: ROLE_ARN });
  const run = new StateMachine(definition, { validationOptions: { noValidate: true } }).run(input as any, {
    overrides: { ...overrides, taskResourceLocalHandlers: recorder.wrapTaskHandlers(handlers) },
    noThrowOnAbort: true,
  });
  if (control.abortAfterMs !== undefined) setTimeout(run.abort, control.abortAfterMs);
  const engineEvents: EngineEvent[] = [];
  const snapshots: HistoryEvent[][] = [];
  const consume = (async () => {
    for await (const event of run.eventLogs) {
      engineEvents.push(event);
      recorder.push(event);
      snapshots.push(recorder.events());
    }
  })();
  const outcome: Partial<RunOutcome> = {};
  try {
    outcome.result = await run.result;
  } catch (error) {
    outcome.error = error as Error;
  }
  await consume;
  return { recorder, engineEvents, events: recorder.events(), snapshots, ...outcome };
}

export const typesOf = (events: readonly HistoryEvent[]) => events.map((e) => e.type);

/** Throws like an Arazzo runtime error: the engine reports `name` as Error and `message` as Cause. */
export function arazzoError(code: string, message: string) {
  const error = new Error(message);
  error.name = code;
  return error;
}
