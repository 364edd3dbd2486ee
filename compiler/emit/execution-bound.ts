import { isWorkflowStep, type WorkflowPlan } from '../../core/plan.js';
import { DEFAULT_EXECUTION_TIMEOUT_SECONDS, MAX_TASK_TIMEOUT_MS } from '../plan/plan-step-timeout.js';
import type { StateMachineDefinition } from './emit-asl.js';
import { StateNames } from './state-names.js';

type State = Record<string, any>;

/** A standard execution lasts at most a year. */
export const MAX_EXECUTION_SECONDS = MAX_TASK_TIMEOUT_MS / 1000;

/**
 * How long an execution may take when every bounded wait runs to its bound: each Task's
 * `TimeoutSeconds` per attempt (its Retry attempts and their backoff included), each Wait's delay
 * (a loop's `maxDelaySeconds`, a throttled call's `maxWaitSeconds`), times the visits a loop allows
 * (`maxAttempts`, a throttle's `maxWaits`). A sum over every state rather than the longest path:
 * an upper bound, cheap to read and never short of the path the execution takes. `undefined` when
 * a cycle of states has no bound the plan knows.
 *
 * A nested execution's Task (`startExecution.sync`) without a step timeout counts as the child's
 * default bound: the child's own `TimeoutSeconds` is not known here.
 */
export function longestBoundedSeconds(definition: Pick<StateMachineDefinition, 'States'>, plan: WorkflowPlan): number | undefined {
  const loopDelay = Math.max(0, ...plan.steps.flatMap((s) => [...s.onSuccess, ...s.onFailure].map((a) => a.loop?.maxDelaySeconds ?? 0)));
  const throttleDelay = Math.max(0, ...plan.steps.map((s) => (isWorkflowStep(s) ? 0 : (s.transport.throttle?.maxWaitSeconds ?? 0))));
  return boundOf(definition.States as Record<string, State>, plan, { loopDelay, throttleDelay });
}

interface Delays {
  readonly loopDelay: number;
  readonly throttleDelay: number;
}

function boundOf(states: Record<string, State>, plan: WorkflowPlan, delays: Delays): number | undefined {
  const turns = loopTurns(states, plan);
  let total = 0;
  for (const component of stronglyConnected(states)) {
    const cyclic = component.length > 1 || successors(states[component[0]]).includes(component[0]);
    let visits = 1;
    if (cyclic) {
      const sum = (of: Map<string, number>) => component.map((name) => of.get(name) ?? 0).reduce((a, b) => a + b, 0);
      const runs = sum(turns.runs);
      const extra = sum(turns.extra);
      if (!runs && !extra) return undefined;
      // A loop's maxAttempts counts every run of its deciding step; a throttle's maxWaits the runs after the first.
      visits = Math.max(1, runs) + extra;
    }
    for (const name of component) {
      const seconds = stateSeconds(name, states[name], plan, delays);
      if (seconds === undefined) return undefined;
      total += seconds * visits;
    }
  }
  return total;
}

/**
 * What bounds each loop, at the state that decides it: the runs of a step a loop allows (its
 * `maxAttempts`), and the runs a throttled Task adds after its first (`maxWaits`).
 */
function loopTurns(states: Record<string, State>, plan: WorkflowPlan): { runs: Map<string, number>; extra: Map<string, number> } {
  const runs = new Map<string, number>();
  const extra = new Map<string, number>();
  const add = (to: Map<string, number>, name: string, n: number) => to.set(name, (to.get(name) ?? 0) + n);
  for (const step of plan.steps) {
    // Each repeating action counts its own runs (a different outcome starts its count again): their sum bounds the step.
    const bounds = [...step.onSuccess, ...step.onFailure].reduce((n, a) => n + (a.loop?.maxAttempts ?? 0), 0);
    if (bounds > 0) add(runs, StateNames.step(step.stepId), bounds);
    if (!isWorkflowStep(step) && step.transport.throttle) {
      for (const task of [StateNames.step(step.stepId), StateNames.call(step.stepId)]) if (states[StateNames.throttled(task)]) add(extra, task, step.transport.throttle.maxWaits);
    }
  }
  return { runs, extra };
}

function stateSeconds(name: string, state: State, plan: WorkflowPlan, delays: Delays): number | undefined {
  switch (state.Type) {
    case 'Task':
      return withRetries(state, typeof state.TimeoutSeconds === 'number' ? state.TimeoutSeconds : DEFAULT_EXECUTION_TIMEOUT_SECONDS);
    case 'Parallel': {
      const branches = ((state.Branches ?? []) as StateMachineDefinition[]).map((b) => boundOf(b.States as Record<string, State>, plan, delays));
      if (branches.some((b) => b === undefined)) return undefined;
      return withRetries(state, Math.max(0, ...(branches as number[])));
    }
    case 'Wait':
      if (typeof state.Seconds === 'number') return state.Seconds;
      if (state.SecondsPath === undefined) return undefined;
      // A throttled call waits out the provider's Retry-After, bounded; a loop's Wait its paced delay, bounded.
      return name.endsWith('.throttled') ? delays.throttleDelay : delays.loopDelay;
    default:
      return 0;
  }
}

/**
 * One attempt, then each Retry's attempts and their backoff. A retrier of Lambda's own faults
 * (throttled, unavailable) fails fast, before the attempt waits: only its delays count.
 */
function withRetries(state: State, attemptSeconds: number): number {
  let seconds = attemptSeconds;
  for (const retrier of (state.Retry ?? []) as State[]) {
    const attempts = retrier.MaxAttempts ?? 3;
    const fast = (retrier.ErrorEquals as string[]).every((e) => e.startsWith('Lambda.'));
    let delay = retrier.IntervalSeconds ?? 1;
    for (let i = 0; i < attempts; i++) {
      seconds += Math.min(delay, retrier.MaxDelaySeconds ?? Number.POSITIVE_INFINITY) + (fast ? 0 : attemptSeconds);
      delay *= retrier.BackoffRate ?? 2;
    }
  }
  return seconds;
}

/** Where a state may go next: Next, a Choice's rules and Default, and its Catch routes. */
function successors(state: State | undefined): string[] {
  if (!state) return [];
  return [
    ...(state.Next ? [state.Next as string] : []),
    ...((state.Choices ?? []) as State[]).map((c) => c.Next as string),
    ...(state.Default ? [state.Default as string] : []),
    ...((state.Catch ?? []) as State[]).map((c) => c.Next as string),
  ];
}

/** Tarjan's strongly connected components of the state graph (each loop is one, with every state on it). */
function stronglyConnected(states: Record<string, State>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  let next = 0;
  const visit = (name: string) => {
    index.set(name, next);
    low.set(name, next);
    next++;
    stack.push(name);
    onStack.add(name);
    for (const to of successors(states[name]).filter((n) => states[n])) {
      if (!index.has(to)) {
        visit(to);
        low.set(name, Math.min(low.get(name)!, low.get(to)!));
      } else if (onStack.has(to)) low.set(name, Math.min(low.get(name)!, index.get(to)!));
    }
    if (low.get(name) === index.get(name)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== name);
      components.push(component);
    }
  };
  for (const name of Object.keys(states)) if (!index.has(name)) visit(name);
  return components;
}

/**
 * The execution's bound when none is given: the longest bounded path rounded up to the hour, at
 * least a day (the former default, which most workflows stay within) and at most a year (a
 * standard execution's limit). A day when the plan leaves something unbounded (it never should:
 * every loop carries a counter), so a runaway is not billed for a year.
 */
export function defaultExecutionTimeoutSeconds(definition: Pick<StateMachineDefinition, 'States'>, plan: WorkflowPlan): number {
  const longest = longestBoundedSeconds(definition, plan);
  if (longest === undefined) return DEFAULT_EXECUTION_TIMEOUT_SECONDS;
  return Math.min(MAX_EXECUTION_SECONDS, Math.max(DEFAULT_EXECUTION_TIMEOUT_SECONDS, Math.ceil(longest / 3600) * 3600));
}
