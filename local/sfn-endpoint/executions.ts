import { randomUUID } from 'node:crypto';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { StepRuntime } from '../../functions/runtime/handle-step.js';
import { handleStep } from '../../functions/runtime/handle-step.js';
import { handleWorkflowFunction } from '../../functions/runtime/handle-workflow-function.js';
import { planError } from '../../core/errors.js';
import { inputsFromEvent } from '../../core/event-input.js';
import { openPersonalForCheck, sealPersonalInputs } from '../../functions/runtime/personal/seal-personal-inputs.js';
import type { EngineHost } from '../engine-host.js';
import type { LocalCallbacks } from '../local-callbacks.js';
import { LocalWorkflow, type LocalExecution } from '../run-workflow.js';
import { defaultRoleArn, executionArn as executionArnOf, isValidName, type ArnScope } from './arns.js';
import { canonicalJson, type CatalogEntry, type DocumentGroup, type LocalFunction, type WorkflowCatalog } from './catalog.js';
import { jsonSyntaxProblem } from './errors.js';
import { resolveTasks, type StartExecutionMode } from './resolve-tasks.js';
import { runDefinition, type TaskHandler } from './run-definition.js';
import type { EndpointStore, ExecutionFinish, ExecutionRecord } from './store.js';
import { currentExecution, type TrackedTaskTokens } from './task-tokens.js';
import { QUOTA_ERRORS, WORKER_STOPPED_FOR_ANOTHER } from './engine/protocol.js';

export const EndpointErrors = {
  /** The endpoint process ended while the execution ran (found RUNNING at the next start). */
  restarted: 'ArazzoSfn.EndpointRestarted',
  /** The endpoint was closed while the execution ran. */
  stopped: 'ArazzoSfn.EndpointStopped',
  /** A definition not compiled from Arazzo has a Task the endpoint cannot run locally. */
  unsupportedTask: 'ArazzoSfn.UnsupportedTask',
} as const;

export const RESTART_CAUSE =
  'The endpoint stopped while this execution was running and found it unfinished at its next start. ' +
  'The embedded engine cannot resume an execution mid-run (its state lived in the stopped process): start it again.';

export interface ExecutionRunnerOptions {
  readonly store: EndpointStore;
  readonly catalog: WorkflowCatalog;
  readonly scope: ArnScope;
  /** The runtime of the executions of one document's workflows (its sources' server URLs). */
  readonly runtimeFor: (group: DocumentGroup | undefined) => StepRuntime;
  readonly callbacks: LocalCallbacks;
  readonly tokens: TrackedTaskTokens;
  readonly callbackSecondsToMs?: number;
  readonly waitMs?: number;
  readonly retryIntervalMs?: number;
  /** Where the engine runs executions (the endpoint's worker threads). @default this thread */
  readonly engine?: EngineHost;
  /** Where faults of the endpoint itself go (not those of executions: they are in their histories). */
  readonly report: (message: string) => void;
  /** Told when an execution starts and when it ends. */
  readonly onExecution?: (event: { readonly phase: 'started' | 'ended'; readonly execution: ExecutionRecord }) => void;
}

/** What an execution runs: a state machine's revision (its current one, or a published version's). */
export interface RunTarget {
  /** The state machine's ARN (unqualified). */
  readonly arn: string;
  readonly definition: string;
  readonly roleArn: string;
  readonly revisionId?: string;
  /** Set when the execution was started with a version's ARN (or an alias's: the version it routed to). */
  readonly versionArn?: string;
  /** Set when the execution was started through an alias. */
  readonly aliasArn?: string;
}

/** Where a redriven execution resumes: the top-level state it failed in, with that state's input, and the history so far. */
interface RedrivePoint {
  readonly startAt: string;
  readonly input: unknown;
  /** The stored history with ExecutionRedriven last. */
  readonly prior: readonly HistoryEvent[];
  /** What the context object says of the redrive. */
  readonly context: { readonly count: number; readonly at: Date };
}

/** Why RedriveExecution refuses: the service's ExecutionNotRedrivable. */
export class NotRedrivable extends Error {
  override readonly name = 'ExecutionNotRedrivable';
}

/**
 * The history of a redriven run continues the stored one: its ExecutionStarted is the
 * ExecutionRedriven event already there, and its later events are numbered after it.
 */
function continueHistory(prior: readonly HistoryEvent[], events: readonly HistoryEvent[]): HistoryEvent[] {
  const base = prior.at(-1)!.id! - 1;
  const rest = events.filter((e) => e.type !== 'ExecutionStarted').map((e) => ({ ...e, id: e.id! + base, previousEventId: e.previousEventId ? e.previousEventId + base : 0 }));
  return [...prior, ...rest];
}

/**
 * AWS redrives "from the state that failed": the last top-level state the history entered (the
 * one that failed, timed out or was running when the execution was stopped), with the input it
 * was entered with. A run that failed before its first state starts again at StartAt.
 */
export function redrivePoint(history: readonly HistoryEvent[], definition: { StartAt: string; States: Record<string, unknown> }, executionInput: string): { startAt: string; input: unknown } {
  for (let i = history.length - 1; i >= 0; i--) {
    const details = history[i].stateEnteredEventDetails;
    if (!details?.name || !Object.hasOwn(definition.States, details.name)) continue;
    if (details.inputDetails?.truncated) throw new NotRedrivable(`The input of state '${details.name}' was not kept in the history (past the endpoint's history data budget), so the execution cannot resume there`);
    return { startAt: details.name, input: JSON.parse(details.input ?? 'null') };
  }
  return { startAt: definition.StartAt, input: JSON.parse(executionInput) };
}

interface Running {
  readonly arn: string;
  readonly parentArn?: string;
  abort(): void;
  /** The history while it runs, where the runner streams it. */
  live?: () => HistoryEvent[];
  stop?: { readonly error?: string; readonly cause?: string; readonly at: number };
  done: Promise<void>;
}

const named = (name: string, message: string) => Object.assign(new Error(message), { name });

const TERMINAL_TYPES = new Set(['ExecutionSucceeded', 'ExecutionFailed', 'ExecutionAborted', 'ExecutionTimedOut']);

/**
 * The histories the engine records lack what the service writes from the request: the role in
 * ExecutionStarted, and the error and cause StopExecution was given in ExecutionAborted.
 */
function completeHistory(history: readonly HistoryEvent[], roleArn: string, stop?: Running['stop'], fallbackEnd?: { error: string; cause: string; at: number }): HistoryEvent[] {
  const events = history.map((e) => {
    if (e.type === 'ExecutionStarted') return { ...e, executionStartedEventDetails: { ...e.executionStartedEventDetails, roleArn } };
    if (e.type === 'ExecutionAborted' && stop) {
      const details = { ...(stop.error !== undefined ? { error: stop.error } : {}), ...(stop.cause !== undefined ? { cause: stop.cause } : {}) };
      return { ...e, executionAbortedEventDetails: details };
    }
    return e;
  });
  const last = events.at(-1);
  if (!last || !TERMINAL_TYPES.has(last.type ?? '')) {
    const id = (last?.id ?? 0) + 1;
    const at = new Date(stop?.at ?? fallbackEnd?.at ?? Date.now());
    events.push(
      stop
        ? { timestamp: at, type: 'ExecutionAborted', id, previousEventId: 0, executionAbortedEventDetails: { ...(stop.error !== undefined ? { error: stop.error } : {}), ...(stop.cause !== undefined ? { cause: stop.cause } : {}) } }
        : { timestamp: at, type: 'ExecutionFailed', id, previousEventId: last?.id ?? 0, executionFailedEventDetails: { error: fallbackEnd?.error, cause: fallbackEnd?.cause } },
    );
  }
  return events;
}

/**
 * The bridge between the API and the embedded engine: StartExecution writes the execution
 * RUNNING and returns, the run goes on in the background (a LocalWorkflow for a compiled
 * workflow, the definition runner otherwise), and its end is written back with the whole history.
 */
export class ExecutionRunner {
  private readonly running = new Map<string, Running>();
  /** LocalWorkflows of machines created through the API with a compiled workflow's definition. */
  private readonly aliases = new Map<string, LocalWorkflow>();

  constructor(private readonly o: ExecutionRunnerOptions) {}

  /**
   * A starter's work, before anything is written: the personal inputs of a compiled workflow
   * sealed, so that its ExecutionStarted event, DescribeExecution and the history hold them sealed
   * only. Other definitions' inputs are returned as given.
   */
  async sealInput(target: RunTarget, inputText: string): Promise<string> {
    const entry = this.o.catalog.forDefinition(JSON.parse(target.definition));
    if (!entry?.compiled.plan.personalInputs?.length) return inputText;
    return JSON.stringify(await sealPersonalInputs(entry.compiled.plan, JSON.parse(inputText), this.o.runtimeFor(entry.group).sealer));
  }

  /** Whether a running execution's stored input (personal values sealed) is the input a repeated StartExecution gives in plain. */
  async sameInput(target: RunTarget, storedText: string, inputText: string): Promise<boolean> {
    if (storedText === inputText) return true;
    const entry = this.o.catalog.forDefinition(JSON.parse(target.definition));
    if (!entry?.compiled.plan.personalInputs?.length) return false;
    try {
      const { opened } = await openPersonalForCheck(entry.compiled.plan, JSON.parse(storedText), this.o.runtimeFor(entry.group).sealer);
      return canonicalJson(opened) === canonicalJson(inputsFromEvent(JSON.parse(inputText)).inputs);
    } catch {
      return false;
    }
  }

  /** Writes the execution RUNNING with its ExecutionStarted event and starts it in the background. */
  start(machine: RunTarget, name: string, inputText: string, options: { readonly parentArn?: string; readonly arn?: string } = {}): ExecutionRecord {
    const startDate = Date.now();
    const { parentArn } = options;
    const record: ExecutionRecord = {
      arn: options.arn ?? executionArnOf(machine.arn, name),
      stateMachineArn: machine.arn,
      name,
      status: 'RUNNING',
      input: inputText,
      startDate,
      ...(parentArn ? { parentArn } : {}),
      ...(machine.revisionId ? { revisionId: machine.revisionId } : {}),
      ...(machine.versionArn ? { versionArn: machine.versionArn } : {}),
      ...(machine.aliasArn ? { aliasArn: machine.aliasArn } : {}),
    };
    const started: HistoryEvent = {
      timestamp: new Date(startDate),
      type: 'ExecutionStarted',
      id: 1,
      previousEventId: 0,
      executionStartedEventDetails: { input: inputText, inputDetails: { truncated: false }, roleArn: machine.roleArn },
    };
    this.o.store.insertExecution(record, started);
    this.o.onExecution?.({ phase: 'started', execution: record });
    this.launch(machine, record, JSON.parse(inputText));
    return record;
  }

  /**
   * RedriveExecution: a FAILED, TIMED_OUT or ABORTED execution runs again on the revision it ran,
   * from the top-level state it failed in (see redrivePoint); ExecutionRedriven is appended to its
   * history and the redriven run's events follow. Returns the redrive date.
   */
  redrive(execution: ExecutionRecord, target: RunTarget): number {
    const prior = this.o.store.historyPage(execution.arn, { reverse: false, limit: Number.MAX_SAFE_INTEGER });
    const definition = JSON.parse(target.definition) as { StartAt: string; States: Record<string, unknown> };
    const from = redrivePoint(prior, definition, execution.input);
    const at = Date.now();
    const last = prior.at(-1);
    const redriven: HistoryEvent = {
      timestamp: new Date(at),
      type: 'ExecutionRedriven',
      id: (last?.id ?? 0) + 1,
      previousEventId: last?.id ?? 0,
      executionRedrivenEventDetails: { redriveCount: (execution.redriveCount ?? 0) + 1 },
    };
    if (!this.o.store.redriveExecution(execution.arn, at, redriven)) throw new NotRedrivable(`Execution is ${execution.status} and cannot be redriven`);
    const record = this.o.store.getExecution(execution.arn)!;
    this.o.onExecution?.({ phase: 'started', execution: record });
    const context = { count: record.redriveCount ?? 1, at: new Date(at) };
    this.launch(target, record, from.input, { ...from, prior: [...prior, redriven], context });
    return at;
  }

  private launch(machine: RunTarget, record: ExecutionRecord, input: unknown, redrive?: RedrivePoint): void {
    const definition = JSON.parse(machine.definition) as { StartAt: string; States: Record<string, Record<string, unknown>> };
    const entry = this.o.catalog.forDefinition(definition);
    const joined = (history: readonly HistoryEvent[]) => (redrive ? continueHistory(redrive.prior, history) : history);
    const running: Running = { arn: record.arn, ...(record.parentArn ? { parentArn: record.parentArn } : {}), abort: () => undefined, done: Promise.resolve() };
    this.running.set(record.arn, running);
    const finish = (finish: ExecutionFinish, history: readonly HistoryEvent[]) => {
      // False when a stop that outlived its grace period closed it already.
      const closed = this.o.store.finishExecution(record.arn, finish, history);
      if (this.running.get(record.arn) === running) this.running.delete(record.arn);
      const ended = closed ? this.o.store.getExecution(record.arn) : undefined;
      if (ended) this.o.onExecution?.({ phase: 'ended', execution: ended });
      // Its worker was terminated to end another execution that ignored its stop: this one did nothing wrong, so it is
      // redriven on another worker at once (in the same turn: no request sees it FAILED), its history saying so.
      if (ended && !running.stop && ended.status === 'FAILED' && ended.error === QUOTA_ERRORS.workerLost && ended.cause === WORKER_STOPPED_FOR_ANOTHER) {
        try {
          this.redrive(ended, machine);
        } catch (err) {
          this.o.report(`execution ${record.arn} lost its engine worker and could not be redriven: ${(err as Error).message}`);
        }
      }
    };
    const failOnFault = (err: unknown) => {
      const at = Date.now();
      const error = (err as Error)?.name || 'States.Runtime';
      const cause = `the endpoint's runner failed: ${(err as Error)?.message ?? String(err)}`;
      try {
        finish({ status: 'FAILED', error, cause, stopDate: at }, completeHistory(this.history(record.arn), machine.roleArn, undefined, { error, cause, at }));
      } catch (again) {
        // The store itself failed: nothing left to write the failure to but the log.
        this.running.delete(record.arn);
        this.o.report(`execution ${record.arn} could not be closed: ${(again as Error).message} (after ${cause})`);
      }
    };

    if (entry) {
      const workflow = this.workflowFor(machine, entry);
      const controller = new AbortController();
      running.abort = () => controller.abort();
      running.done = currentExecution
        .run({ executionArn: record.arn }, () =>
          workflow.run(input, {
            executionName: record.name,
            runtime: this.o.runtimeFor(entry.group),
            signal: controller.signal,
            // GetExecutionHistory of a running execution shows what happened so far, as on AWS.
            onStarted: (historySoFar) => {
              running.live = () => [...joined(historySoFar())];
            },
            ...(redrive ? { startAt: redrive.startAt, redrive: redrive.context } : {}),
            workflows: (target) => entry.group.get(target),
            ...(this.o.engine ? { engine: this.o.engine } : {}),
            callbacks: { local: this.o.callbacks, ...(this.o.callbackSecondsToMs !== undefined ? { secondsToMs: this.o.callbackSecondsToMs } : {}) },
            ...(this.o.waitMs !== undefined ? { waitMs: this.o.waitMs } : {}),
            ...(this.o.retryIntervalMs !== undefined ? { retryIntervalMs: this.o.retryIntervalMs } : {}),
          }),
        )
        .then((execution) => {
          const stop = running.stop;
          const status = stop ? 'ABORTED' : execution.status;
          finish(
            {
              status,
              ...(status === 'SUCCEEDED' ? { output: JSON.stringify(execution.output ?? null) } : {}),
              ...(stop ? { error: stop.error, cause: stop.cause } : { error: execution.error, cause: execution.cause }),
              stopDate: stop?.at ?? execution.stopDate.getTime(),
            },
            completeHistory(joined(execution.history), machine.roleArn, stop),
          );
          this.recordChildren(execution.children, record.arn);
        })
        .catch(failOnFault);
      return;
    }

    const { tasks, unknown } = resolveTasks(definition, this.o.catalog.functions);
    if (unknown.length) {
      const at = Date.now();
      const cause =
        `This definition was not compiled from an Arazzo workflow, and the local endpoint runs only the Tasks it has in-process: ` +
        `the Lambda functions of its compiled workflows and states:startExecution of its own state machines. Cannot run: ` +
        unknown.map((u) => `"${u.state}" (${u.resource}): ${u.reason}`).join('; ');
      finish({ status: 'FAILED', error: EndpointErrors.unsupportedTask, cause, stopDate: at }, completeHistory(this.history(record.arn), machine.roleArn, undefined, { error: EndpointErrors.unsupportedTask, cause, at }));
      return;
    }
    const runtime = this.o.runtimeFor(undefined);
    const handlers: Record<string, TaskHandler> = {};
    for (const task of tasks) handlers[task.state] = task.kind === 'function' ? functionHandler(task.fn, runtime) : this.startExecutionHandler(task.mode, record.arn);
    currentExecution.run({ executionArn: record.arn }, () => {
      let run: ReturnType<typeof runDefinition>;
      try {
        run = runDefinition({
          definition: redrive ? { ...definition, StartAt: redrive.startAt } : definition,
          stateMachineArn: machine.arn,
          executionArn: record.arn,
          name: record.name,
          roleArn: machine.roleArn,
          input,
          startDate: new Date(record.startDate),
          handlers,
          ...(this.o.engine ? { engine: this.o.engine } : {}),
          ...(this.o.waitMs !== undefined ? { waitMs: this.o.waitMs } : {}),
          ...(this.o.retryIntervalMs !== undefined ? { retryIntervalMs: this.o.retryIntervalMs } : {}),
          ...(redrive ? { redrive: redrive.context } : {}),
        });
      } catch (err) {
        // The engine refused the definition as it started: the execution fails, it is not left RUNNING.
        return failOnFault(err);
      }
      running.abort = run.abort;
      running.live = () => [...joined(run.history())];
      running.done = run.done
        .then((outcome) => {
          const stop = running.stop;
          const status = stop ? 'ABORTED' : outcome.status;
          finish(
            {
              status,
              ...(status === 'SUCCEEDED' ? { output: outcome.output } : {}),
              ...(stop ? { error: stop.error, cause: stop.cause } : { error: outcome.error, cause: outcome.cause }),
              stopDate: stop?.at ?? Date.now(),
            },
            completeHistory(joined(outcome.history), machine.roleArn, stop),
          );
        })
        .catch(failOnFault);
    });
  }

  private workflowFor(machine: RunTarget, entry: CatalogEntry): LocalWorkflow {
    if (entry.arn === machine.arn) return entry.workflow;
    const key = `${machine.arn}\u0000${canonicalJson(entry.compiled.definition)}`;
    let workflow = this.aliases.get(key);
    if (!workflow) this.aliases.set(key, (workflow = new LocalWorkflow(entry.compiled, { stateMachineArn: machine.arn })));
    return workflow;
  }

  /** Nested executions a compiled workflow ran in-process become executions of their own machines, as on AWS. */
  private recordChildren(children: readonly LocalExecution[], parentArn: string): void {
    for (const child of children) {
      const roleArn = this.o.store.getStateMachine(child.stateMachineArn)?.roleArn ?? defaultRoleArn(this.o.scope);
      const record: ExecutionRecord = {
        arn: child.executionArn,
        stateMachineArn: child.stateMachineArn,
        name: child.name,
        status: child.status,
        input: JSON.stringify(child.input ?? {}),
        ...(child.status === 'SUCCEEDED' ? { output: JSON.stringify(child.output ?? null) } : {}),
        ...(child.error !== undefined ? { error: child.error } : {}),
        ...(child.cause !== undefined ? { cause: child.cause } : {}),
        startDate: child.startDate.getTime(),
        stopDate: child.stopDate.getTime(),
        parentArn,
      };
      this.o.store.insertFinishedExecution(record, completeHistory(child.history, roleArn));
      this.recordChildren(child.children, child.executionArn);
    }
  }

  /** `states:startExecution[.sync[:2]]` in a definition run here: a nested execution on this endpoint. */
  private startExecutionHandler(mode: StartExecutionMode, parentArn: string): TaskHandler {
    return async (request: { StateMachineArn?: string; Input?: unknown; Name?: string }) => {
      const machine = request.StateMachineArn ? this.o.store.getStateMachine(request.StateMachineArn) : undefined;
      if (!machine) throw named('StepFunctions.StateMachineDoesNotExistException', `State Machine Does Not Exist: '${request.StateMachineArn}'`);
      const inputText = typeof request.Input === 'string' ? request.Input : JSON.stringify(request.Input ?? {});
      try {
        JSON.parse(inputText);
      } catch (err) {
        throw named('StepFunctions.InvalidExecutionInputException', `Invalid State Machine Execution Input: '${jsonSyntaxProblem(err)}'`);
      }
      const name = request.Name ?? randomUUID();
      if (!isValidName(name)) throw named('StepFunctions.InvalidNameException', `Invalid Name: '${name}'`);
      const arn = executionArnOf(machine.arn, name);
      if (this.o.store.getExecution(arn)) throw named('StepFunctions.ExecutionAlreadyExistsException', `Execution Already Exists: '${arn}'`);
      const started = this.start(machine, name, inputText, { parentArn });
      if (mode === 'async') return { ExecutionArn: started.arn, StartDate: started.startDate };
      const ended = await this.awaitEnd(started.arn);
      const described = {
        ExecutionArn: ended.arn,
        StateMachineArn: ended.stateMachineArn,
        Name: ended.name,
        Status: ended.status,
        StartDate: ended.startDate,
        StopDate: ended.stopDate,
        Input: mode === 'sync2' ? JSON.parse(ended.input) : ended.input,
        InputDetails: { Included: true },
      };
      if (ended.status === 'SUCCEEDED') return { ...described, Output: mode === 'sync2' ? JSON.parse(ended.output ?? 'null') : ended.output, OutputDetails: { Included: true } };
      // As on AWS: the parent's Task fails with States.TaskFailed, the child's description as the cause.
      throw named('States.TaskFailed', JSON.stringify({ ...described, Error: ended.error, Cause: ended.cause }));
    };
  }

  isRunning(arn: string): boolean {
    return this.running.has(arn);
  }

  /** The history as it stands: streamed while a definition runs, else what the store holds. */
  private history(arn: string): HistoryEvent[] {
    return this.liveHistory(arn) ?? this.o.store.historyPage(arn, { reverse: false, limit: Number.MAX_SAFE_INTEGER });
  }

  /** The live history of a running execution, when its runner streams one. */
  liveHistory(arn: string): HistoryEvent[] | undefined {
    const live = this.running.get(arn)?.live;
    return live ? completeStarted(live(), this.o.store.historyPage(arn, { reverse: false, limit: 1 })[0]) : undefined;
  }

  async awaitEnd(arn: string): Promise<ExecutionRecord> {
    // A run that ends can be followed by its redrive (a lost worker): wait for the last one.
    for (let running = this.running.get(arn); running; running = this.running.get(arn)) {
      await running.done;
      if (this.running.get(arn) === running) break;
    }
    const record = this.o.store.getExecution(arn);
    if (!record) throw new Error(`execution ${arn} vanished from the store`);
    return record;
  }

  /**
   * Stops a running execution (and the nested executions it waits for), as StopExecution does:
   * ABORTED with the given error and cause. Returns the stop date.
   */
  async stop(arn: string, stop: { error?: string; cause?: string }, graceMs = 2_000): Promise<number> {
    const running = this.running.get(arn);
    if (!running) return this.o.store.getExecution(arn)?.stopDate ?? Date.now();
    const at = Date.now();
    running.stop = { ...stop, at };
    const children = [...this.running.values()].filter((r) => r.parentArn === arn);
    await Promise.all(children.map((child) => this.stop(child.arn, stop, graceMs)));
    running.abort();
    await this.o.tokens.release(arn);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([running.done, new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    if (this.running.get(arn) === running) {
      // A handler that ignores the abort (a call in flight) must not keep the execution RUNNING.
      const machine = this.o.store.getStateMachine(this.o.store.getExecution(arn)!.stateMachineArn);
      this.o.store.finishExecution(arn, { status: 'ABORTED', error: stop.error, cause: stop.cause, stopDate: at }, completeHistory(this.history(arn), machine?.roleArn ?? defaultRoleArn(this.o.scope), running.stop));
      this.running.delete(arn);
      const ended = this.o.store.getExecution(arn);
      if (ended) this.o.onExecution?.({ phase: 'ended', execution: ended });
    }
    return at;
  }

  /** Stops every running execution: the engine cannot carry one over to the next process. */
  async close(): Promise<void> {
    const top = [...this.running.values()].filter((r) => !r.parentArn || !this.running.has(r.parentArn));
    await Promise.all(top.map((r) => this.stop(r.arn, { error: EndpointErrors.stopped, cause: 'The endpoint was closed while this execution was running; the embedded engine cannot resume it.' })));
  }
}

/** The streamed history starts at the engine's ExecutionStarted; the stored one carries the request's input text and role. */
function completeStarted(events: HistoryEvent[], stored: HistoryEvent | undefined): HistoryEvent[] {
  if (!events.length && stored) return [stored];
  return events.map((e) => (e.type === 'ExecutionStarted' && stored ? { ...e, executionStartedEventDetails: stored.executionStartedEventDetails } : e));
}

/** A compiled workflow's Lambda function, called by ARN from another definition. */
function functionHandler(fn: LocalFunction, runtime: StepRuntime): TaskHandler {
  return async (event: any) => {
    if (fn.workflowPlan) return handleWorkflowFunction(fn.workflowPlan, event, runtime);
    const plans = fn.steps.get(event?.step) ?? [];
    if (!plans.length) throw planError(`function ${fn.arn} serves steps ${[...fn.steps.keys()].join(', ')}, not "${String(event?.step)}"`);
    if (new Set(plans.map((p) => JSON.stringify(p))).size > 1) {
      throw planError(`function ${fn.arn}: step "${event.step}" is defined differently in several compiled workflows, so the call is ambiguous`);
    }
    return handleStep(plans[0], event, runtime);
  };
}
