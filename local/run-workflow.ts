import { randomUUID } from 'node:crypto';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { CompiledWorkflow } from '../infra/compiler/compile-file.js';
import type { StepRuntime } from '../functions/runtime/handle-step.js';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { createLocalHandlers, type TaskInvocation } from './create-local-handlers.js';
import { toHistoryEvents, type EngineEvent } from './history/index.js';

export type ExecutionStatus = 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TIMED_OUT';

export interface LocalRunOptions {
  readonly runtime: StepRuntime;
  /**
   * Milliseconds every Wait state pauses, instead of the seconds the definition asks for.
   * @default undefined — real waits, as on AWS
   */
  readonly waitMs?: number;
  /**
   * Milliseconds a Task's Retry pauses before each attempt, instead of its backoff.
   * @default undefined — the definition's IntervalSeconds/BackoffRate/jitter
   */
  readonly retryIntervalMs?: number;
  /** Abort the execution after this many milliseconds. @default no limit beyond the definition's TimeoutSeconds */
  readonly timeoutMs?: number;
  readonly executionName?: string;
  readonly signal?: AbortSignal;
}

export interface LocalExecution {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly status: ExecutionStatus;
  readonly input: unknown;
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
  readonly startDate: Date;
  readonly stopDate: Date;
  /** The engine's own event log, in order. */
  readonly engineEvents: readonly unknown[];
  /** Each Task handler call (the local Lambda invocations), in order. */
  readonly invocations: readonly TaskInvocation[];
  /** The execution history as `GetExecutionHistory` returns it. */
  readonly history: readonly HistoryEvent[];
}

const REGION = 'us-east-1';
const ACCOUNT = '000000000000';

export const stateMachineArnOf = (workflowId: string) => `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${workflowId}`;

/**
 * A compiled workflow bound to the embedded engine. The engine's constructor validates the
 * definition (~200 ms); the compiler already did, so it is built once, unvalidated, and reused.
 */
export class LocalWorkflow {
  private readonly machine: StateMachine;
  readonly stateMachineArn: string;

  constructor(readonly compiled: CompiledWorkflow) {
    this.machine = new StateMachine(compiled.definition as unknown as StateMachineDefinition, { validationOptions: { noValidate: true } });
    this.stateMachineArn = stateMachineArnOf(compiled.plan.workflowId);
  }

  async run(input: unknown, options: LocalRunOptions): Promise<LocalExecution> {
    const name = options.executionName ?? randomUUID();
    const executionArn = `arn:aws:states:${REGION}:${ACCOUNT}:execution:${this.compiled.plan.workflowId}:${name}`;
    const invocations: TaskInvocation[] = [];
    const states = this.compiled.definition.States;
    const waitTimeOverrides =
      options.waitMs === undefined ? undefined : Object.fromEntries(Object.keys(states).filter((s) => states[s].Type === 'Wait').map((s) => [s, options.waitMs!]));
    const retryIntervalOverrides =
      options.retryIntervalMs === undefined ? undefined : Object.fromEntries(Object.keys(states).filter((s) => states[s].Retry).map((s) => [s, options.retryIntervalMs!]));

    const startDate = new Date();
    const execution = this.machine.run(input as never, {
      overrides: {
        taskResourceLocalHandlers: createLocalHandlers(this.compiled, options.runtime, (i) => invocations.push(i)),
        ...(waitTimeOverrides ? { waitTimeOverrides } : {}),
        ...(retryIntervalOverrides ? { retryIntervalOverrides } : {}),
      },
      noThrowOnAbort: true,
      context: { Execution: { Id: executionArn, Name: name, StartTime: startDate.toISOString(), Input: input as never } },
    });
    const engineEvents: unknown[] = [];
    const collecting = (async () => {
      for await (const event of execution.eventLogs) engineEvents.push(event);
    })();
    const timer = options.timeoutMs ? setTimeout(() => execution.abort(), options.timeoutMs) : undefined;
    const onAbort = () => execution.abort();
    options.signal?.addEventListener('abort', onAbort, { once: true });

    let status: ExecutionStatus = 'SUCCEEDED';
    let output: unknown;
    let error: string | undefined;
    let cause: string | undefined;
    try {
      output = await execution.result;
      if (output === null && engineEvents.some((e) => (e as { type: string }).type === 'ExecutionAborted')) status = 'ABORTED';
    } catch (err) {
      const e = err as Error & { cause?: unknown };
      if (e.name === 'ExecutionTimeoutError') status = 'TIMED_OUT';
      else if (e.name === 'ExecutionAbortedError') status = 'ABORTED';
      else status = 'FAILED';
    } finally {
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    }
    await collecting;
    if (engineEvents.some((e) => (e as { type: string }).type === 'ExecutionAborted')) status = 'ABORTED';
    const failed = engineEvents.find((e) => (e as { type: string }).type === 'ExecutionFailed') as { Error?: string; Cause?: unknown } | undefined;
    if (failed) {
      status = 'FAILED';
      error = failed.Error;
      cause = typeof failed.Cause === 'string' ? failed.Cause : failed.Cause === undefined ? undefined : JSON.stringify(failed.Cause);
    }
    return {
      executionArn,
      stateMachineArn: this.stateMachineArn,
      name,
      status,
      input,
      ...(status === 'SUCCEEDED' ? { output } : {}),
      ...(error !== undefined ? { error } : {}),
      ...(cause !== undefined ? { cause } : {}),
      startDate,
      stopDate: new Date(),
      engineEvents,
      invocations,
      history: toHistoryEvents(engineEvents as EngineEvent[], {
        definition: this.compiled.definition,
        executionArn,
        stateMachineArn: this.stateMachineArn,
        invocations,
      }),
    };
  }
}
