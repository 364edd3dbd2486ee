import { randomUUID } from 'node:crypto';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { CompiledWorkflow } from '../compiler/compile-file.js';
import type { StepRuntime } from '../functions/runtime/handle-step.js';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { createLocalHandlers, type LocalCallbackOptions, type StartChildExecution, type SubmittedTask, type TaskInvocation } from './create-local-handlers.js';
import { startEngineRun, type EngineHost } from './engine-host.js';
import { toHistoryEvents, type EngineEvent } from './history/index.js';
import { sealPersonalInputs } from '../functions/runtime/personal/seal-personal-inputs.js';

/** The longest delay `setTimeout` holds. */
const MAX_TIMER_MS = 2 ** 31 - 1;

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
  /**
   * The workflows nested executions may start (workflow steps, `goto` a workflow, `dependsOn`),
   * by workflow id and, for another document's workflow, its arazzo source name.
   */
  readonly workflows?: (target: { readonly workflowId: string; readonly source?: string }) => LocalWorkflow | undefined;
  /** The webhook receiver callback steps (`x-arazzo-sfn-callback`) register with. */
  readonly callbacks?: LocalCallbackOptions;
  /**
   * Called once as the execution starts, with a function that returns its history so far (the
   * shape of `GetExecutionHistory`), so a caller such as the local endpoint can serve the history
   * of a running execution. A Task still running shows as entered; its Lambda events come when it ends.
   */
  readonly onStarted?: (historySoFar: () => HistoryEvent[]) => void;
  /**
   * Where the engine runs the execution (and its nested executions): the local endpoint's worker
   * threads, which enforce its quotas. @default this thread
   */
  readonly engine?: EngineHost;
  /**
   * Start at this top-level state instead of `StartAt`, with the run's input as its input: how the
   * local endpoint redrives an execution from the state that failed (RedriveExecution).
   * @default the definition's StartAt
   */
  readonly startAt?: string;
  /**
   * A redriven run: the context object's `$$.Execution.RedriveCount` and `RedriveTime`. (The
   * engine sets `$$.Execution.Input` to the run's input, here the input of the state it resumes at.)
   */
  readonly redrive?: { readonly count: number; readonly at: Date };
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
  /** Nested executions this one started, in start order (each with its own history). */
  readonly children: readonly LocalExecution[];
}

const REGION = 'us-east-1';
const ACCOUNT = '000000000000';

export const stateMachineArnOf = (workflowId: string) => `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${workflowId}`;

/**
 * A compiled workflow bound to the embedded engine. The engine's constructor validates the
 * definition (~200 ms); the compiler already did, so it is built once, unvalidated, and reused.
 *
 * The engine never sees the definition's `TimeoutSeconds`: aws-local-stepfunctions 3.0.0 arms
 * a timer for it that only its own cleanup clears, and when it throws before its first state
 * (copying a deeply nested input) that cleanup never runs, so a day-long timer kept the process
 * alive. The runner keeps that timer itself and clears it however the execution ends.
 */
export class LocalWorkflow {
  private readonly machine: StateMachine;
  /** The definition the engine runs (without TimeoutSeconds), also what an EngineHost is given. */
  private readonly engineDefinition: object;
  /** The definition's `TimeoutSeconds`, in milliseconds. */
  private readonly executionTimeoutMs: number | undefined;
  readonly stateMachineArn: string;
  private readonly waitStates: readonly string[];
  private readonly retryingStates: readonly string[];

  constructor(readonly compiled: CompiledWorkflow, options: { readonly stateMachineArn?: string } = {}) {
    const { TimeoutSeconds: timeoutSeconds, ...engineDefinition } = compiled.definition;
    this.executionTimeoutMs = typeof timeoutSeconds === 'number' ? timeoutSeconds * 1000 : undefined;
    this.engineDefinition = engineDefinition;
    this.machine = new StateMachine(engineDefinition as unknown as StateMachineDefinition, { validationOptions: { noValidate: true } });
    this.stateMachineArn = options.stateMachineArn ?? stateMachineArnOf(compiled.plan.workflowId);
    const states = compiled.definition.States;
    this.waitStates = Object.keys(states).filter((s) => states[s].Type === 'Wait');
    this.retryingStates = Object.keys(states).filter((s) => states[s].Retry);
  }

  async run(input: unknown, options: LocalRunOptions): Promise<LocalExecution> {
    // The starter's work: personal inputs sealed before the first event (a redrive resumes at a state whose input is the state's).
    if (options.startAt === undefined) input = await sealPersonalInputs(this.compiled.plan, input, options.runtime.sealer);
    const name = options.executionName ?? randomUUID();
    const executionArn = `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    const invocations: TaskInvocation[] = [];
    const waitTimeOverrides = options.waitMs === undefined ? undefined : Object.fromEntries(this.waitStates.map((s) => [s, options.waitMs!]));
    const retryIntervalOverrides = options.retryIntervalMs === undefined ? undefined : Object.fromEntries(this.retryingStates.map((s) => [s, options.retryIntervalMs!]));

    const children: LocalExecution[] = [];
    // Emulates `states:startExecution.sync:2` (the engine has no service integrations): a child run, awaited.
    const startChild: StartChildExecution = async (target, request) => {
      const child = options.workflows?.(target);
      if (!child) throw Object.assign(new Error(`no state machine for workflow ${target.workflowId} (${request.StateMachineArn})`), { name: 'StepFunctions.StateMachineDoesNotExistException' });
      // The child is an execution of its own: the parent's timeout and history observer are not its.
      const result = await child.run(request.Input, { ...options, executionName: `${name}-${target.workflowId}-${children.length + 1}`.slice(0, 80), timeoutMs: undefined, onStarted: undefined });
      children.push(result);
      const described = {
        ExecutionArn: result.executionArn,
        StateMachineArn: result.stateMachineArn,
        Name: result.name,
        Status: result.status,
        StartDate: result.startDate.getTime(),
        StopDate: result.stopDate.getTime(),
        Input: request.Input,
      };
      if (result.status === 'SUCCEEDED') return { ...described, Output: result.output };
      // As on AWS: the parent's Task fails with States.TaskFailed, the child's DescribeExecution as the cause.
      throw Object.assign(new Error(JSON.stringify({ ...described, Error: result.error, Cause: result.cause })), { name: 'States.TaskFailed' });
    };
    const startDate = new Date();
    // Callback Tasks whose token is out: the history shows them submitted, their token in TaskScheduled's parameters.
    const waiting = new Set<SubmittedTask>();
    const taskResourceLocalHandlers = createLocalHandlers(
      this.compiled,
      options.runtime,
      (i) => {
        if (i.submitted) waiting.delete(i.submitted);
        invocations.push(i);
      },
      startChild,
      options.callbacks,
      (s) => waiting.add(s),
    );
    // Task.Token: the ASL reads $$.Task.Token for callback steps; the local handler issues the real token per Task.
    const redrive = options.redrive;
    const context = {
      Execution: {
        Id: executionArn,
        Name: name,
        StartTime: startDate.toISOString(),
        Input: input as never,
        RedriveCount: redrive?.count ?? 0,
        ...(redrive ? { RedriveTime: redrive.at.toISOString() } : {}),
      },
      Task: { Token: 'issued-by-the-local-handler' },
    } as never;
    const startAt = options.startAt;
    if (startAt !== undefined && !Object.hasOwn(this.compiled.definition.States, startAt)) throw new Error(`no top-level state "${startAt}" to start at`);
    const engineDefinition = startAt === undefined ? this.engineDefinition : { ...this.engineDefinition, StartAt: startAt };
    const machine = () => (startAt === undefined ? this.machine : new StateMachine(engineDefinition as unknown as StateMachineDefinition, { validationOptions: { noValidate: true } }));
    const execution = startEngineRun(options.engine, machine, engineDefinition, input, {
      taskResourceLocalHandlers,
      waitTimeOverrides,
      retryIntervalOverrides,
      context,
    });
    const engineEvents: unknown[] = [];
    const stateMachineArn = this.stateMachineArn;
    const definition = this.compiled.definition;
    const historySoFar = () =>
      toHistoryEvents(engineEvents as EngineEvent[], {
        definition,
        executionArn,
        stateMachineArn,
        invocations: [
          ...invocations.map(({ submitted, ...i }) => ({ ...i, ...(submitted ? { submitted: { at: submitted.at, output: submitted.output } } : {}) })),
          ...[...waiting].map((w) => ({ stateName: w.stateName, input: w.input, startedAt: w.startedAt, submitted: { at: w.at, output: w.output } })),
        ],
      });
    options.onStarted?.(historySoFar);
    let collected = false;
    const collecting = (async () => {
      for await (const event of execution.eventLogs) engineEvents.push(event);
      collected = true;
    })();
    const timer = options.timeoutMs ? setTimeout(() => execution.abort(), options.timeoutMs) : undefined;
    // The definition's TimeoutSeconds: the execution times out (ExecutionTimedOut, States.Timeout).
    let timedOut = false;
    // Node fires a longer timer (past 2^31 - 1 ms, about 24.8 days) at once: a bound that long is not timed locally.
    const executionTimer =
      this.executionTimeoutMs === undefined || this.executionTimeoutMs > MAX_TIMER_MS
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            execution.abort();
          }, this.executionTimeoutMs);
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
      else {
        status = 'FAILED';
        // A failure the engine raises outside any state: named as Step Functions names a runtime fault.
        error = e.name === 'Error' || e.name === 'RangeError' || e.name === 'TypeError' ? 'States.Runtime' : e.name;
        cause = e.message.slice(0, 500);
      }
    } finally {
      if (timer) clearTimeout(timer);
      if (executionTimer) clearTimeout(executionTimer);
      options.signal?.removeEventListener('abort', onAbort);
    }
    // The engine can fail before its first state (e.g. a RangeError copying a pathologically nested
    // input) and then never end its event stream: the result decides, the stream gets a moment.
    // The stream normally ends within a turn of the event loop; a timer for every run would cost more than the run's bookkeeping.
    await Promise.race([collecting, new Promise((resolve) => setImmediate(resolve))]);
    if (!collected) {
      // Not unref'd: with nothing else open (no sandbox, no server) Node would exit mid-await, exit code 0 and no result printed.
      let grace: NodeJS.Timeout | undefined;
      await Promise.race([collecting, new Promise((resolve) => (grace = setTimeout(resolve, 1000)))]);
      clearTimeout(grace);
    }
    if (timedOut) {
      // The abort that served the timeout is the timeout, as the engine itself would have logged it.
      const at = engineEvents.findIndex((e) => (e as { type: string }).type === 'ExecutionAborted');
      if (at >= 0) engineEvents[at] = { type: 'ExecutionTimeout', timestamp: (engineEvents[at] as { timestamp: number }).timestamp };
      status = 'TIMED_OUT';
      error = 'States.Timeout';
    } else if (engineEvents.some((e) => (e as { type: string }).type === 'ExecutionAborted')) status = 'ABORTED';
    if (status === 'FAILED' && !engineEvents.some((e) => (e as { type: string }).type === 'ExecutionFailed')) {
      // The engine failed outside any state and logged no end: the history still ends as AWS's would.
      engineEvents.push({ type: 'ExecutionFailed', timestamp: Date.now(), Error: error, Cause: cause });
    }
    const failed = engineEvents.find((e) => (e as { type: string }).type === 'ExecutionFailed') as { Error?: string; Cause?: unknown } | undefined;
    if (failed) {
      status = 'FAILED';
      error = failed.Error;
      cause = typeof failed.Cause === 'string' ? failed.Cause : failed.Cause === undefined ? undefined : JSON.stringify(failed.Cause);
    }
    let history: HistoryEvent[] | undefined;
    return {
      executionArn,
      stateMachineArn,
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
      children,
      // Built on first read: a caller that only wants the outcome (a throughput run) does not pay for it.
      get history() {
        return (history ??= historySoFar());
      },
    };
  }
}
