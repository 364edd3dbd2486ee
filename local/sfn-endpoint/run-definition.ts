import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { startEngineRun, type EngineHost } from '../engine-host.js';
import { createHistoryRecorder, type LocalTaskHandler } from '../history/index.js';
import { allStates } from './resolve-tasks.js';
import type { ExecutionFinish } from './store.js';

/** A local Task handler: takes the state's effective input, returns its result (JSON). */
export type TaskHandler = (input: any) => Promise<unknown>;

export interface DefinitionRunOptions {
  readonly definition: { StartAt: string; States: Record<string, Record<string, unknown>> };
  readonly stateMachineArn: string;
  readonly executionArn: string;
  readonly name: string;
  readonly roleArn: string;
  readonly input: unknown;
  readonly startDate: Date;
  /** One handler per Task state name (every Task must have one: the engine would call AWS otherwise). */
  readonly handlers: Record<string, TaskHandler>;
  readonly waitMs?: number;
  readonly retryIntervalMs?: number;
  /** Where the engine runs it. @default this thread */
  readonly engine?: EngineHost;
  /**
   * A redriven run: the context object's `$$.Execution.RedriveCount` and `RedriveTime`. (The
   * engine sets `$$.Execution.Input` to the run's input, here the input of the state it resumes at.)
   */
  readonly redrive?: { readonly count: number; readonly at: Date };
}

export interface DefinitionRunOutcome extends Omit<ExecutionFinish, 'stopDate'> {
  readonly history: HistoryEvent[];
}

export interface DefinitionRun {
  /** The history so far: it grows while the execution runs. */
  history(): HistoryEvent[];
  readonly done: Promise<DefinitionRunOutcome>;
  abort(): void;
}

const TERMINAL: Record<string, DefinitionRunOutcome['status']> = {
  ExecutionSucceeded: 'SUCCEEDED',
  ExecutionFailed: 'FAILED',
  ExecutionAborted: 'ABORTED',
  ExecutionTimedOut: 'TIMED_OUT',
};

/**
 * Runs a definition that was not compiled from Arazzo on the embedded engine (compiled ones run
 * through LocalWorkflow), streaming its event log into a history recorder so GetExecutionHistory
 * answers while it runs.
 */
export function runDefinition(options: DefinitionRunOptions): DefinitionRun {
  const { definition, executionArn, stateMachineArn, name } = options;
  const recorder = createHistoryRecorder({ definition, executionArn, stateMachineArn, roleArn: options.roleArn });
  const states = allStates(definition);
  const overrideAll = (type: (s: Record<string, unknown>) => boolean, ms: number | undefined) =>
    ms === undefined ? undefined : Object.fromEntries(states.filter(([, s]) => type(s)).map(([n]) => [n, ms]));
  const waitTimeOverrides = overrideAll((s) => s.Type === 'Wait', options.waitMs);
  const retryIntervalOverrides = overrideAll((s) => Array.isArray(s.Retry), options.retryIntervalMs);

  // As createLocalHandlers does: the engine reports `name` as the error and `message` as the cause.
  const handlers = Object.fromEntries(
    Object.entries(options.handlers).map(([state, handler]) => [
      state,
      (async (input: unknown) => {
        try {
          return await handler(input);
        } catch (err) {
          const clean = new Error((err as Error).message);
          clean.name = (err as Error).name;
          throw clean;
        }
      }) as LocalTaskHandler,
    ]),
  );
  const taskResourceLocalHandlers = recorder.wrapTaskHandlers(handlers);
  const context = {
    Execution: {
      Id: executionArn,
      Name: name,
      StartTime: options.startDate.toISOString(),
      Input: options.input,
      RoleArn: options.roleArn,
      RedriveCount: options.redrive?.count ?? 0,
      ...(options.redrive ? { RedriveTime: options.redrive.at.toISOString() } : {}),
    },
    StateMachine: { Id: stateMachineArn, Name: stateMachineArn.slice(stateMachineArn.lastIndexOf(':') + 1) },
  } as never;
  const machine = () => new StateMachine(definition as unknown as StateMachineDefinition, { validationOptions: { noValidate: true } });
  const execution = startEngineRun(options.engine, machine, definition, options.input, { taskResourceLocalHandlers, waitTimeOverrides, retryIntervalOverrides, context });
  const consuming = (async () => {
    for await (const event of execution.eventLogs) recorder.push(event);
  })();

  const done = (async (): Promise<DefinitionRunOutcome> => {
    let thrown: Error | undefined;
    try {
      await execution.result;
    } catch (err) {
      thrown = err as Error;
    }
    await consuming;
    const history = recorder.events();
    const last = history.at(-1);
    const status = last?.type ? TERMINAL[last.type] : undefined;
    if (status === 'SUCCEEDED') return { status, output: last!.executionSucceededEventDetails?.output ?? 'null', history };
    if (status === 'FAILED') return { status, error: last!.executionFailedEventDetails?.error, cause: last!.executionFailedEventDetails?.cause, history };
    if (status) return { status, history };
    // The engine threw without logging an end (an engine fault): report it as the execution's failure.
    return { status: 'FAILED', error: thrown?.name ?? 'States.Runtime', cause: thrown?.message ?? 'the engine ended the execution without a result', history };
  })();

  return { history: () => recorder.events(), done, abort: () => execution.abort() };
}
