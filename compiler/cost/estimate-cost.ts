import { isWorkflowStep, type WorkflowPlan } from '../../core/plan.js';
import { ErrorCodes } from '../../core/errors.js';
import type { EmittedWorkflow, StateMachineDefinition, TaskBinding } from '../emit/emit-asl.js';
import { StateNames } from '../emit/state-names.js';
import { DEFAULT_PRICES, type CostPrices } from './prices.js';

/** What a path (or one turn of a loop) costs in billed units. */
export interface CostUnits {
  /** Step Functions Standard state transitions (each state entered). */
  readonly transitions: number;
  /** Lambda invocations (Task states that invoke a function; a callback step adds the webhook receiver's settling call). */
  readonly lambdaInvocations: number;
  /** Lambda GB-seconds at the configured memory and the assumed durations. */
  readonly gbSeconds: number;
}

export interface CostLoop extends CostUnits {
  /** The state each turn comes back to (the polled step). */
  readonly state: string;
  /** The states of one turn, in order. */
  readonly states: readonly string[];
  /** The loop's bound (`maxAttempts`) when the plan gives one: at most this many runs of the step. */
  readonly maxTurns?: number;
}

export interface CostReport {
  readonly workflowId: string;
  readonly prices: CostPrices;
  /** The shortest path from the start to a success, no loop turned: `a` of `a + b·n`. */
  readonly path: CostUnits & { readonly states: readonly string[] };
  /** The longest path to a success without turning a loop (optional steps taken), when longer than `path`. */
  readonly longestPath?: CostUnits & { readonly states: readonly string[] };
  /** Each loop reachable on the way: `b` of `a + b·n`, per extra turn. */
  readonly loops: readonly CostLoop[];
  /**
   * What each wait on a provider's 429 with `Retry-After` adds (the call that was throttled, the
   * two Pass states that read its delay, the `<state>.throttled` Wait), per retry-safe Task;
   * `maxTurns` is the bound of consecutive waits. Only a throttled execution pays it: not in
   * `path` nor in `a + b·n`.
   */
  readonly throttles: readonly CostLoop[];
  /**
   * The minimum a hand-written state machine needs for the same calls on `path`: one Task per
   * call or nested execution, the Choice states that route, Wait states of loops, an end state
   * after a Choice. The states arazzo-sfn adds beyond that (the workflow function's Tasks) are
   * named in `overhead`.
   */
  readonly handWritten: CostUnits;
  readonly overhead: readonly string[];
  /** Workflows this one runs as nested executions on `path` (or `longestPath`): each adds its own report's cost per run. */
  readonly nested: readonly string[];
  /** USD per 1,000 executions of `path` (no loop turned), and with each loop turned once. */
  readonly per1000: { readonly path: number; readonly perLoopTurn: readonly number[]; readonly handWritten: number; /** One throttled wait (the first of `throttles`; each costs the same). */ readonly perThrottle: number };
}

type State = Record<string, any>;

/** Where a state goes when nothing fails: Next, a Choice's rules and Default. Catch routes are failure paths. */
function successors(state: State): string[] {
  if (state.Type === 'Choice') return [...new Set([...(state.Choices ?? []).map((c: State) => c.Next as string), ...(state.Default ? [state.Default as string] : [])])];
  return state.Next ? [state.Next as string] : [];
}

const isSuccessEnd = (state: State) => state.Type === 'Succeed' || (state.End === true && state.Type !== 'Fail');

/**
 * The billed units of a workflow's executions, from its ASL: a walk over the state graph along
 * success routes (Catch routes and Fail states are failures, Retry attempts are faults), with
 * each loop (a route back to an earlier state) counted per turn. Lambda invocations come from
 * the Task bindings; GB-seconds from the configured memory and the assumed durations.
 */
export function estimateCost(workflow: EmittedWorkflow & { readonly plan: WorkflowPlan }, prices: CostPrices = DEFAULT_PRICES): CostReport {
  const { definition, tasks, plan } = workflow;
  const states = definition.States as Record<string, State>;
  const unitsOf = (names: readonly string[]): CostUnits => {
    let lambdaInvocations = 0;
    let seconds = 0;
    // A Parallel state's branches are billed too: their transitions and their Tasks' invocations.
    const billed = [...names, ...parallelBranchStates(names, states)];
    for (const name of billed) {
      const binding = tasks[name];
      if (!binding || binding.kind === 'startExecution') continue;
      const workflowFunction = binding.functionKey.endsWith('.workflow');
      const ms = workflowFunction ? prices.workflowFunctionMs : prices.operationMs;
      // A callback step: its function's call, then the webhook receiver's for the settling callback (heartbeats aside).
      const calls = binding.waitsForCallback ? 2 : 1;
      lambdaInvocations += calls;
      seconds += (ms / 1000) * calls;
    }
    return { transitions: billed.length, lambdaInvocations, gbSeconds: round((prices.memoryMb / 1024) * seconds, 9) };
  };

  // Depth-first from StartAt along success routes: a route to a state still on the stack closes a loop.
  const loops: CostLoop[] = [];
  const throttles: CostLoop[] = [];
  const backEdges = new Set<string>();
  const onStack: string[] = [];
  const done = new Set<string>();
  const visit = (name: string) => {
    onStack.push(name);
    for (const next of successors(states[name] ?? {})) {
      const at = onStack.indexOf(next);
      if (at >= 0) {
        backEdges.add(`${name}\u0000${next}`);
        const turn = onStack.slice(at);
        const maxTurns = loopBound(plan, next);
        loops.push({ state: next, states: turn, ...unitsOf(turn), ...(maxTurns !== undefined ? { maxTurns } : {}) });
      } else if (!done.has(next) && states[next]) visit(next);
    }
    onStack.pop();
    done.add(name);
  };
  visit(definition.StartAt);
  // A throttled call's turn starts at a Catch (a failure route, so not walked above): only a throttled execution takes it.
  for (const scope of stateScopes(states)) {
    for (const name of Object.keys(scope)) {
      const turn = throttleTurn(scope, name);
      if (!turn) continue;
      const maxTurns = throttleBound(plan, tasks[name]);
      throttles.push({ state: name, states: turn, ...unitsOf(turn), ...(maxTurns !== undefined ? { maxTurns } : {}) });
    }
  }

  // Without the loops' routes back the graph is acyclic: shortest and longest paths to a success.
  const memo = new Map<string, { short?: string[]; long?: string[] }>();
  const paths = (name: string): { short?: string[]; long?: string[] } => {
    const known = memo.get(name);
    if (known) return known;
    const state = states[name] ?? {};
    let result: { short?: string[]; long?: string[] } = {};
    if (isSuccessEnd(state)) result = { short: [name], long: [name] };
    else if (state.Type !== 'Fail') {
      for (const next of successors(state).filter((n) => !backEdges.has(`${name}\u0000${n}`))) {
        const sub = paths(next);
        if (sub.short && (!result.short || sub.short.length + 1 < result.short.length)) result.short = [name, ...sub.short];
        if (sub.long && (!result.long || sub.long.length + 1 > result.long.length)) result.long = [name, ...sub.long];
      }
    }
    memo.set(name, result);
    return result;
  };
  const { short = [], long = [] } = paths(definition.StartAt);
  const path = { states: short, ...unitsOf(short) };
  const longestPath = long.length > short.length ? { states: long, ...unitsOf(long) } : undefined;

  // What only arazzo-sfn adds: the workflow function's Tasks, the input check before the first call (a hand-written
  // machine starts with its first call) and a workflow step's input and outcome around its nested execution (a
  // hand-written machine starts the child with its input written in the Task's Parameters).
  const overhead: string[] = short.filter((name) => {
    const binding = tasks[name];
    return name === (StateNames.validateInputs as string) || (binding !== undefined && binding.kind !== 'startExecution' && binding.functionKey.endsWith('.workflow'));
  });
  const handWritten = unitsOf(short.filter((name) => !overhead.includes(name)));
  const usd = (u: CostUnits) =>
    round(1000 * (u.transitions * (prices.stateTransitionsPer1000 / 1000) + u.lambdaInvocations * (prices.lambdaRequestsPerMillion / 1e6) + u.gbSeconds * prices.lambdaGbSecond), 6);
  return {
    workflowId: plan.workflowId,
    prices,
    path,
    ...(longestPath ? { longestPath } : {}),
    loops,
    throttles,
    handWritten,
    overhead,
    nested: [...new Set((longestPath?.states ?? short).flatMap((name) => (tasks[name]?.kind === 'startExecution' ? [(tasks[name] as { workflowId: string }).workflowId] : [])))],
    per1000: { path: usd(path), perLoopTurn: loops.map(usd), handWritten: usd(handWritten), perThrottle: throttles.length ? usd(throttles[0]) : 0 },
  };
}

/** The states a Parallel state's branches run on their success path (first route), nested Parallel states' included. */
function parallelBranchStates(names: readonly string[], states: Record<string, State>): string[] {
  const entered: string[] = [];
  for (const name of names) {
    const state = states[name];
    if (state?.Type !== 'Parallel') continue;
    for (const branch of (state.Branches ?? []) as StateMachineDefinition[]) {
      const walked: string[] = [];
      let at: string | undefined = branch.StartAt;
      while (at && !walked.includes(at) && branch.States[at]) {
        walked.push(at);
        const s = branch.States[at] as State;
        if (isSuccessEnd(s) || s.Type === 'Fail') break;
        at = successors(s)[0];
      }
      entered.push(...walked, ...parallelBranchStates(walked, branch.States as Record<string, State>));
    }
  }
  return entered;
}

/** The states of a Task's turn through its `Arazzo.RetryAfter` Catch back to it (`<state>.throttled`), the Task first; undefined when it has none. */
/** The machine's states and those of every Parallel branch inside it (a Catch routes only within its own). */
function stateScopes(states: Record<string, State>): Record<string, State>[] {
  const branches = Object.values(states)
    .filter((s) => s.Type === 'Parallel')
    .flatMap((s) => ((s.Branches ?? []) as StateMachineDefinition[]).map((b) => b.States as Record<string, State>));
  return [states, ...branches.flatMap(stateScopes)];
}

function throttleTurn(states: Record<string, State>, name: string): string[] | undefined {
  const catcher = ((states[name]?.Catch ?? []) as State[]).find((c) => (c.ErrorEquals as string[]).includes(ErrorCodes.RetryAfter));
  if (!catcher) return undefined;
  const turn = [name];
  for (let at = catcher.Next as string | undefined; at && at !== name; at = states[at]?.Next as string | undefined) {
    if (turn.includes(at) || !states[at]) return undefined;
    turn.push(at);
  }
  return turn;
}

/** The bound of consecutive throttled waits of the step a Task runs (transport.throttle.maxWaits). */
function throttleBound(plan: WorkflowPlan, binding: TaskBinding | undefined): number | undefined {
  const step = binding && binding.kind !== 'startExecution' ? plan.steps.find((s) => s.stepId === binding.stepId) : undefined;
  return step && !isWorkflowStep(step) ? step.transport.throttle?.maxWaits : undefined;
}

/** The bound of the loop back to a step: the largest `maxAttempts` among its repeating actions. */
function loopBound(plan: WorkflowPlan, stateName: string): number | undefined {
  const step = plan.steps.find((s) => StateNames.step(s.stepId) === stateName);
  if (!step) return undefined;
  const bounds = [...step.onSuccess, ...step.onFailure].map((a) => a.loop?.maxAttempts).filter((n): n is number => n !== undefined);
  return bounds.length ? Math.max(...bounds) : undefined;
}

const round = (value: number, digits: number) => Number(value.toFixed(digits));
