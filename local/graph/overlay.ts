import { START_NODE } from './graph-model.js';

export type StateStatus = 'succeeded' | 'failed' | 'caught' | 'in-progress' | 'aborted' | 'not-entered';

export type ExecutionStatusName = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE';

/** A history event as the SDK returns it (Date timestamps) or as the AWS CLI prints it (ISO strings). */
export interface HistoryEventLike {
  readonly id?: number;
  readonly type?: string;
  readonly timestamp?: Date | string | number;
  readonly stateEnteredEventDetails?: { readonly name?: string };
  readonly stateExitedEventDetails?: { readonly name?: string };
}

/** What DescribeExecution (or `arazzo-sfn run --json`) says about the execution; any field may be absent. */
export interface ExecutionInfo {
  readonly executionArn?: string;
  readonly stateMachineArn?: string;
  readonly name?: string;
  readonly status?: string;
  readonly startDate?: Date | string | number;
  readonly stopDate?: Date | string | number;
  readonly error?: string;
  readonly cause?: string;
}

export interface StateRun {
  /** How the latest visit ended. */
  readonly status: StateStatus;
  readonly visits: number;
  /** Task attempts the Retry policy started beyond the first of each visit. */
  readonly retries: number;
  readonly error?: string;
  readonly cause?: string;
}

export interface Transition {
  /** `START_NODE` for the first state entered. */
  readonly from: string;
  readonly to: string;
  /** Left through a Catch clause (the state's attempt failed, then it exited). */
  readonly caught: boolean;
}

export interface ExecutionSummary {
  readonly executionArn?: string;
  readonly stateMachineArn?: string;
  readonly name?: string;
  readonly status: string;
  readonly startDate?: Date;
  readonly stopDate?: Date;
  readonly error?: string;
  readonly cause?: string;
  readonly eventCount: number;
}

export interface ExecutionOverlay {
  readonly states: ReadonlyMap<string, StateRun>;
  /** Every transition taken, in order (a loop's back edge appears once per turn). */
  readonly transitions: readonly Transition[];
  readonly summary: ExecutionSummary;
  /** States in the order they were first entered. */
  readonly entered: readonly string[];
}

interface MutableRun {
  status: StateStatus;
  visits: number;
  retries: number;
  attempts: number;
  error?: string;
  cause?: string;
  failedAttempt?: { error?: string; cause?: string };
}

const TASK_SCHEDULED = /^(LambdaFunction|Task|Activity)Scheduled$/;
const TASK_FAILED = /^(LambdaFunction(Schedule|Start)?Failed|LambdaFunctionTimedOut|Task(Start|Submit)?Failed|TaskTimedOut|Activity(Schedule)?Failed|ActivityTimedOut)$/;
const CONTAINER_STARTED = /^(Map|Parallel)StateStarted$/;
const CONTAINER_ENDED = /^(Map|Parallel)State(Succeeded|Failed|Aborted)$/;

const toDate = (value: unknown): Date | undefined => {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value;
  if (typeof value === 'string' || typeof value === 'number') {
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? undefined : date;
  }
  return undefined;
};

/** The `error`/`cause` of whichever `…EventDetails` object the event carries. */
function errorOf(event: HistoryEventLike): { error?: string; cause?: string } {
  for (const [key, value] of Object.entries(event as object)) {
    if (!key.endsWith('EventDetails') || !value || typeof value !== 'object') continue;
    const { error, cause } = value as { error?: unknown; cause?: unknown };
    if (typeof error === 'string' || typeof cause === 'string') {
      return { ...(typeof error === 'string' ? { error } : {}), ...(typeof cause === 'string' ? { cause } : {}) };
    }
  }
  return {};
}

const nameOf = (event: HistoryEventLike, key: 'stateEnteredEventDetails' | 'stateExitedEventDetails') => {
  const name: unknown = event[key]?.name;
  return typeof name === 'string' ? name : undefined;
};

/**
 * Reads a `GetExecutionHistory` event list into per-state statuses, visit counts and the
 * transitions taken, the way the console colours its graph. Only the top-level machine is
 * followed: events inside a Map iteration or Parallel branch belong to their container state.
 */
export function computeOverlay(history: readonly HistoryEventLike[], execution: ExecutionInfo = {}): ExecutionOverlay {
  const events = [...history].sort((a, b) => (a.id ?? 0) - (b.id ?? 0));
  const runs = new Map<string, MutableRun>();
  const transitions: Transition[] = [];
  const entered: string[] = [];
  let depth = 0;
  let current: { name: string; run: MutableRun; terminal: boolean } | undefined;
  let left: { name: string; caught: boolean } | undefined;
  let status: string = 'RUNNING';
  let startDate: Date | undefined;
  let stopDate: Date | undefined;
  let error: string | undefined;
  let cause: string | undefined;

  const settle = (next: StateStatus, failure?: { error?: string; cause?: string }) => {
    if (!current) return;
    current.run.status = next;
    const reason = failure ?? current.run.failedAttempt;
    current.run.error = reason?.error;
    current.run.cause = reason?.cause;
    current = undefined;
  };

  for (const event of events) {
    const type = event.type ?? '';
    if (CONTAINER_STARTED.test(type)) {
      depth++;
      continue;
    }
    if (CONTAINER_ENDED.test(type)) {
      depth = Math.max(0, depth - 1);
      if (depth === 0 && current && type.endsWith('Failed')) current.run.failedAttempt = { error: `${type.replace(/StateFailed$/, '')} failed` };
      continue;
    }
    if (type === 'ExecutionStarted') {
      startDate = toDate(event.timestamp);
      continue;
    }
    if (type === 'ExecutionSucceeded') {
      status = 'SUCCEEDED';
      stopDate = toDate(event.timestamp);
      settle('succeeded');
      continue;
    }
    if (type === 'ExecutionFailed' || type === 'ExecutionTimedOut' || type === 'ExecutionAborted') {
      status = type === 'ExecutionFailed' ? 'FAILED' : type === 'ExecutionTimedOut' ? 'TIMED_OUT' : 'ABORTED';
      stopDate = toDate(event.timestamp);
      ({ error, cause } = errorOf(event));
      if (type === 'ExecutionTimedOut') error ??= 'States.Timeout';
      if (type === 'ExecutionAborted') settle('aborted');
      // A Fail state fails with the execution's error; a Task that failed uncaught with its own.
      else settle('failed', current?.terminal || !current?.run.failedAttempt ? { error, cause } : current.run.failedAttempt);
      continue;
    }
    if (depth > 0) continue;

    const enteredName = type.endsWith('StateEntered') ? nameOf(event, 'stateEnteredEventDetails') : undefined;
    if (enteredName !== undefined) {
      let run = runs.get(enteredName);
      if (!run) {
        runs.set(enteredName, (run = { status: 'in-progress', visits: 0, retries: 0, attempts: 0 }));
        entered.push(enteredName);
      }
      // An entry with no exit before it (a redriven execution) has no edge to show.
      const from = left?.name ?? (transitions.length === 0 ? START_NODE : undefined);
      if (from !== undefined) transitions.push({ from, to: enteredName, caught: left?.caught ?? false });
      run.visits++;
      run.status = 'in-progress';
      run.attempts = 0;
      run.failedAttempt = undefined;
      current = { name: enteredName, run, terminal: type === 'FailStateEntered' || type === 'SucceedStateEntered' };
      left = undefined;
      continue;
    }
    const exitedName = type.endsWith('StateExited') ? nameOf(event, 'stateExitedEventDetails') : undefined;
    if (exitedName !== undefined) {
      const run = current?.name === exitedName ? current.run : runs.get(exitedName);
      const caught = !!run?.failedAttempt;
      if (current?.name === exitedName) settle(caught ? 'caught' : 'succeeded');
      left = { name: exitedName, caught };
      continue;
    }
    if (!current) continue;
    if (TASK_SCHEDULED.test(type)) {
      current.run.attempts++;
      if (current.run.attempts > 1) current.run.retries++;
      current.run.failedAttempt = undefined;
    } else if (TASK_FAILED.test(type)) {
      const failure = errorOf(event);
      current.run.failedAttempt = failure.error || failure.cause ? failure : { error: type };
    }
  }

  const states = new Map<string, StateRun>();
  for (const [name, run] of runs) {
    states.set(name, {
      status: run.status,
      visits: run.visits,
      retries: run.retries,
      ...(run.error !== undefined ? { error: run.error } : {}),
      ...(run.cause !== undefined ? { cause: run.cause } : {}),
    });
  }
  const summary: ExecutionSummary = {
    ...(execution.executionArn ? { executionArn: execution.executionArn } : {}),
    ...(execution.stateMachineArn ? { stateMachineArn: execution.stateMachineArn } : {}),
    ...(execution.name ? { name: execution.name } : {}),
    status: execution.status ?? status,
    startDate: toDate(execution.startDate) ?? startDate,
    stopDate: toDate(execution.stopDate) ?? stopDate,
    error: execution.error ?? error,
    cause: execution.cause ?? cause,
    eventCount: events.length,
  };
  return { states, transitions, summary, entered };
}
