import type { HistoryEvent, HistoryEventType } from '@aws-sdk/client-sfn';
import { classifyTaskResource } from './classify-task-resource.js';
import type { EngineEvent, EngineStateEvent } from './engine-event.js';
import type { StateNode, StateTable } from './index-states.js';
import { compact, failureDetails, names, notTruncated, scheduledDetails, startedDetails, submittedDetails, succeededDetails } from './task-event-details.js';
import { toDetailText, toJsonText, type InvocationRecord } from './task-invocation.js';
import { TRUNCATED_DATA } from './truncated-data.js';

export interface BuildHistoryInput {
  engineEvents: readonly EngineEvent[];
  invocations: readonly InvocationRecord[];
  states: StateTable;
  roleArn?: string;
  /** Region written in `TaskScheduled` events of service integrations. */
  region?: string;
}

/** A lane of sequential events: the root machine, one Map iteration or one Parallel branch. */
interface Scope {
  last: number;
  table: StateTable;
  active?: TaskVisit | ContainerRun | { kind: 'state' };
}

interface TaskVisit {
  kind: 'task';
  name: string;
  node?: StateNode;
  scope: Scope;
  rawInput: unknown;
  /** Whether the current attempt has not been closed by StateFailed yet. */
  attemptOpen: boolean;
  attemptStartedAt: number;
}

interface ContainerRun {
  kind: 'container';
  type: 'Map' | 'Parallel';
  node: StateNode;
  startedId: number;
  failedId?: number;
  lanes: Map<number, Scope>;
}

type Outcome = { ok: true; output: unknown } | { ok: false; error?: string; cause?: string };

/** A state's input or output as its event carries it: empty and marked truncated when the history dropped it. */
const stateData = (value: unknown) => (value === TRUNCATED_DATA ? { text: '', details: { truncated: true } } : { text: toJsonText(value), details: notTruncated() });

/**
 * Turns the engine's event log plus the recorded handler invocations into the events
 * `GetExecutionHistory` returns for a Standard workflow. Pure: callers rebuild on demand.
 *
 * Sequences (checked against histories recorded on AWS in LocalStack's snapshot suite):
 * - success:          TaskStateEntered, LambdaFunctionScheduled, LambdaFunctionStarted,
 *                     LambdaFunctionSucceeded, TaskStateExited
 * - retried attempt:  … LambdaFunctionFailed, LambdaFunctionScheduled, … (no event for the retry
 *                     itself; the next Scheduled points at the Failed)
 * - caught failure:   … LambdaFunctionFailed, TaskStateExited (its output is the catcher's
 *                     output), <Next>StateEntered
 * - uncaught failure: … LambdaFunctionFailed, ExecutionFailed (no TaskStateExited)
 * - Fail state:       FailStateEntered, ExecutionFailed (there is no FailStateExited)
 * - Task timeout:     LambdaFunctionTimedOut (error States.Timeout) instead of …Failed
 * - callback Task:    TaskScheduled (its parameters hold the task token), TaskStarted,
 *                     TaskSubmitted (the resource's answer), then TaskSucceeded/Failed when the
 *                     token comes back; while it waits, the history ends at TaskSubmitted
 * - a failure before the handler runs (States.Runtime from InputPath/Parameters, no invocation
 *   recorded): no Lambda events at all, as the service never schedules the function.
 * `previousEventId`: 0 for ExecutionStarted, for the first state's entry (AWS chains that to 0,
 * not to ExecutionStarted) and for ExecutionAborted (a stop request has no cause in the history);
 * otherwise the event before it in the same lane.
 */
export function buildHistory(input: BuildHistoryInput): HistoryEvent[] {
  const { engineEvents, states, roleArn, region } = input;
  const out: HistoryEvent[] = [];
  let lastTimestamp = -Infinity;

  const emit = (type: string, at: number, previousEventId: number, details: Partial<HistoryEvent> = {}): number => {
    // Records and engine events come from two sources a millisecond apart; keep the list ordered.
    lastTimestamp = Math.max(at, lastTimestamp);
    const id = out.length + 1;
    out.push({ timestamp: new Date(lastTimestamp), type: type as HistoryEventType, id, previousEventId, ...details });
    return id;
  };

  const records = new Map<string, InvocationRecord[]>();
  for (const record of [...input.invocations].sort((a, b) => a.startedAt - b.startedAt || a.seq - b.seq)) {
    const list = records.get(record.stateName) ?? [];
    list.push(record);
    records.set(record.stateName, list);
  }
  const cursors = new Map<string, number>();
  /** Attempts take the handler calls of their state in start order; a call cannot start after its attempt ended. */
  const takeRecord = (stateName: string, attemptEndedAt: number | undefined) => {
    const index = cursors.get(stateName) ?? 0;
    const record = records.get(stateName)?.[index];
    if (!record || (attemptEndedAt !== undefined && record.startedAt > attemptEndedAt)) return undefined;
    cursors.set(stateName, index + 1);
    return record;
  };

  const root: Scope = { last: 0, table: states };
  const openContainers: ContainerRun[] = [];
  const openVisits = new Set<TaskVisit>();

  const laneOf = (run: ContainerRun, key: number): Scope => {
    let lane = run.lanes.get(key);
    if (!lane) {
      const table = (run.type === 'Map' ? run.node.iterator : run.node.branches?.[key]) ?? new Map();
      lane = { last: run.startedId, table };
      run.lanes.set(key, lane);
    }
    return lane;
  };

  // The engine tags events of Map iterations with `index` only, and Parallel branches not at all,
  // so the lane is found by which open container's nested machine declares the state.
  const scopeOf = (event: EngineStateEvent): Scope => {
    const name = event.state.name;
    for (let i = openContainers.length - 1; i >= 0; i--) {
      const run = openContainers[i];
      if (run.type === 'Map' && event.index !== undefined && run.node.iterator?.has(name)) return laneOf(run, event.index);
      if (run.type === 'Parallel') {
        const branch = run.node.branches?.findIndex((table) => table.has(name)) ?? -1;
        if (branch >= 0) return laneOf(run, branch);
      }
    }
    return root;
  };

  const countIterations = (from: number, mapName: string) => {
    let count = 0;
    for (let i = from + 1; i < engineEvents.length; i++) {
      const event = engineEvents[i];
      if (event.type === 'MapIterationStarted' && event.parentState.name === mapName) count++;
      if ((event.type === 'StateExited' || event.type === 'StateFailed') && event.state.name === mapName && event.state.type === 'Map') break;
    }
    return count;
  };

  const startContainerRun = (run: ContainerRun, at: number, previousEventId: number, position: number) => {
    run.lanes.clear();
    run.failedId = undefined;
    run.startedId =
      run.type === 'Map'
        ? emit('MapStateStarted', at, previousEventId, { mapStateStartedEventDetails: { length: countIterations(position, run.node.name) } })
        : emit('ParallelStateStarted', at, previousEventId);
  };

  const emitAttempt = (visit: TaskVisit, endedAt: number | undefined, outcome: Outcome | undefined) => {
    const record = takeRecord(visit.name, endedAt);
    // Without a handler call, a States.Runtime failure came from InputPath/Parameters: nothing was scheduled.
    if (!record && (!outcome || (!outcome.ok && outcome.error === 'States.Runtime'))) return;
    const kind = classifyTaskResource(visit.node?.resource ?? '');
    const startedAt = record?.startedAt ?? visit.attemptStartedAt;
    // Without a record the best available payload is the state's raw input (before InputPath/Parameters).
    const inputJson = record?.inputJson ?? toJsonText(visit.rawInput);
    let id = emit(names(kind).scheduled, startedAt, visit.scope.last, scheduledDetails(kind, inputJson, visit.node, region));
    id = emit(names(kind).started, startedAt, id, startedDetails(kind));
    if (record?.submitted && kind.kind === 'service') id = emit('TaskSubmitted', record.submitted.at, id, submittedDetails(kind, record.submitted.outputJson));
    if (outcome) {
      const handlerReturned = record?.outcome?.kind === 'output';
      if (outcome.ok || (handlerReturned && outcome.error !== 'States.Timeout')) {
        // A failure after a returned result (ResultSelector/ResultPath) is the state's, not the function's.
        const outputJson =
          record?.outcome?.kind === 'output' ? record.outcome.outputJson : toJsonText(outcome.ok ? outcome.output : null);
        id = emit(names(kind).succeeded, record?.endedAt ?? endedAt ?? startedAt, id, succeededDetails(kind, outputJson));
      } else if (outcome.error === 'States.Timeout') {
        id = emit(names(kind).timedOut, endedAt ?? startedAt, id, failureDetails(kind, 'timedOut', outcome));
      } else {
        id = emit(names(kind).failed, record?.endedAt ?? endedAt ?? startedAt, id, failureDetails(kind, 'failed', outcome));
      }
    }
    visit.scope.last = id;
  };

  const flushInFlight = () => {
    for (const visit of openVisits) if (visit.attemptOpen) emitAttempt(visit, undefined, undefined);
    openVisits.clear();
  };

  let terminated = false;
  engineEvents.forEach((event, position) => {
    const at = event.timestamp;
    switch (event.type) {
      case 'ExecutionStarted':
        emit('ExecutionStarted', at, 0, {
          executionStartedEventDetails: compact({ input: toJsonText(event.input), inputDetails: notTruncated(), roleArn }),
        });
        return;

      case 'StateEntered': {
        const scope = scopeOf(event);
        const { name, type } = event.state;
        const node = scope.table.get(name);
        const id = emit(`${type}StateEntered`, at, scope.last, {
          stateEnteredEventDetails: (({ text, details }) => ({ name, input: text, inputDetails: details }))(stateData(event.state.input)),
        });
        scope.last = id;
        if (type === 'Task') {
          const visit: TaskVisit = { kind: 'task', name, node, scope, rawInput: event.state.input, attemptOpen: true, attemptStartedAt: at };
          scope.active = visit;
          openVisits.add(visit);
        } else if (type === 'Map' || type === 'Parallel') {
          const run: ContainerRun = { kind: 'container', type, node: node ?? { name, type }, startedId: id, lanes: new Map() };
          startContainerRun(run, at, id, position);
          scope.active = run;
          openContainers.push(run);
        } else {
          scope.active = { kind: 'state' };
        }
        return;
      }

      case 'StateFailed': {
        const scope = scopeOf(event);
        const active = scope.active;
        if (active?.kind === 'task' && active.attemptOpen) {
          active.attemptOpen = false;
          emitAttempt(active, at, { ok: false, error: toDetailText(event.Error), cause: toDetailText(event.Cause) });
        } else if (active?.kind === 'container') {
          active.failedId = emit(`${active.type}StateFailed`, at, out.length);
          scope.last = active.failedId;
        }
        // Other states' failures only show in what follows (ExecutionFailed or the catcher's state).
        return;
      }

      case 'StateRetried': {
        const scope = scopeOf(event);
        const active = scope.active;
        if (active?.kind === 'task') {
          active.attemptOpen = true;
          active.attemptStartedAt = at;
        } else if (active?.kind === 'container') {
          startContainerRun(active, at, active.failedId ?? scope.last, position);
        }
        return;
      }

      case 'StateCaught':
        return;

      case 'StateExited': {
        const scope = scopeOf(event);
        const active = scope.active;
        const { name, type } = event.state;
        let previousEventId = scope.last;
        if (active?.kind === 'task') {
          if (active.attemptOpen) emitAttempt(active, at, { ok: true, output: event.state.output });
          openVisits.delete(active);
          previousEventId = scope.last;
        } else if (active?.kind === 'container') {
          openContainers.splice(openContainers.lastIndexOf(active), 1);
          if (active.failedId === undefined) {
            // As recorded on AWS: both …StateSucceeded and …StateExited follow the last iteration/branch event.
            previousEventId = out.length;
            emit(`${type}StateSucceeded`, at, previousEventId);
          } else {
            previousEventId = active.failedId;
          }
        }
        scope.last = emit(`${type}StateExited`, at, previousEventId, {
          stateExitedEventDetails: (({ text, details }) => ({ name, output: text, outputDetails: details }))(stateData(event.state.output)),
        });
        scope.active = undefined;
        return;
      }

      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed': {
        const run = [...openContainers].reverse().find((r) => r.type === 'Map' && r.node.name === event.parentState.name);
        if (!run) return;
        const details = { name: run.node.name, index: event.index };
        if (event.type === 'MapIterationStarted') {
          const id = emit('MapIterationStarted', at, run.startedId, { mapIterationStartedEventDetails: details });
          run.lanes.set(event.index, { last: id, table: run.node.iterator ?? new Map() });
        } else {
          const lane = laneOf(run, event.index);
          lane.last =
            event.type === 'MapIterationSucceeded'
              ? emit('MapIterationSucceeded', at, lane.last, { mapIterationSucceededEventDetails: details })
              : emit('MapIterationFailed', at, lane.last, { mapIterationFailedEventDetails: details });
        }
        return;
      }

      case 'ParallelBranchStarted':
      case 'ParallelBranchSucceeded':
      case 'ParallelBranchFailed':
        // AWS writes no per-branch events.
        return;

      case 'ExecutionSucceeded':
        terminated = true;
        emit('ExecutionSucceeded', at, root.last, {
          executionSucceededEventDetails: { output: toJsonText(event.output), outputDetails: notTruncated() },
        });
        return;

      case 'ExecutionFailed':
        terminated = true;
        emit('ExecutionFailed', at, root.last, {
          executionFailedEventDetails: compact({ error: toDetailText(event.Error), cause: toDetailText(event.Cause) }),
        });
        return;

      case 'ExecutionAborted':
        terminated = true;
        flushInFlight();
        emit('ExecutionAborted', at, 0, { executionAbortedEventDetails: {} });
        return;

      case 'ExecutionTimeout':
        terminated = true;
        flushInFlight();
        // Error as DescribeExecution reports it; previousEventId as LocalStack writes it (not verified on AWS).
        emit('ExecutionTimedOut', at, root.last, { executionTimedOutEventDetails: { error: 'States.Timeout' } });
        return;
    }
  });
  if (!terminated) flushInFlight();
  return out;
}
