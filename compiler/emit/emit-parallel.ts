import type { AnyStepPlan, ScheduleItem } from '../../core/plan.js';
import { LAMBDA_SERVICE_RETRY, type AslState, type EmitContext } from './emit-asl.js';
import { pathMember, StateNames, workflowFunctionKey } from './state-names.js';

/** Renders one step into `ectx.states`, going on to `next` (undefined: the end of a Parallel branch). */
export type StepEmitter = (ectx: EmitContext, step: AnyStepPlan, next: string | undefined) => void;

const stepsOf = (items: readonly ScheduleItem[]): string[] => items.flatMap((item) => ('step' in item ? [item.step] : item.parallel.flatMap(stepsOf)));

const firstStateOf = (item: ScheduleItem): string => ('step' in item ? StateNames.step(item.step) : parallelName(item));

/** The state a schedule starts with. */
export const firstScheduledState = (schedule: readonly ScheduleItem[]): string => firstStateOf(schedule[0]);

const parallelName = (item: { readonly parallel: readonly (readonly ScheduleItem[])[] }) => StateNames.parallel(item.parallel.map((branch) => stepsOf(branch)[0]));

/**
 * A Parallel state: each branch runs its steps on a copy of the state and ends with its
 * `$.steps` (the branch's last state has `OutputPath: $.steps`). Its output is an array of those,
 * so the ResultSelector picks each step's result from the branch that ran it (the steps that ran
 * before are in every branch: taken from the first), and ResultPath puts the merged object at
 * `$.steps`, where a sequential run keeps them; the rest of the state (inputs, dependencies'
 * outputs) is left as it was. A branch that fails (a step's Fail state, a retry's limit) fails
 * the Parallel with the same Error and Cause, which with no Catch fails the execution as the step
 * would have in a sequential run.
 */
function parallelState(ectx: EmitContext, item: { readonly parallel: readonly (readonly ScheduleItem[])[] }, ranBefore: readonly string[], emitStep: StepEmitter): AslState {
  const selector: Record<string, string> = {};
  for (const id of ranBefore) selector[`${id}.$`] = `$[0]${pathMember(id)}`;
  const branches = item.parallel.map((branch, k) => {
    const states: Record<string, AslState> = {};
    emitSequence({ ...ectx, states }, branch, undefined, ranBefore, emitStep);
    for (const id of stepsOf(branch)) selector[`${id}.$`] = `$[${k}]${pathMember(id)}`;
    return { StartAt: firstStateOf(branch[0]), States: states };
  });
  return {
    Type: 'Parallel',
    Comment: `Arazzo 1.1 dependsOn: ${item.parallel.map((b) => stepsOf(b).join(' → ')).join(' | ')} need nothing of each other and run at the same time`,
    Branches: branches,
    ResultSelector: selector,
    ResultPath: '$.steps',
  };
}

/** Emits items in order into `ectx.states`; the last goes on to `next`, or ends its branch. */
function emitSequence(ectx: EmitContext, items: readonly ScheduleItem[], next: string | undefined, ranBefore: readonly string[], emitStep: StepEmitter): void {
  const ran = [...ranBefore];
  items.forEach((item, i) => {
    const after = items[i + 1] ? firstStateOf(items[i + 1]) : next;
    if ('step' in item) {
      const step = ectx.plan.steps.find((s) => s.stepId === item.step);
      if (!step) throw new Error(`schedule names step ${item.step}, which the plan does not have`);
      emitStep(ectx, step, after);
      ran.push(item.step);
      return;
    }
    const state = parallelState(ectx, item, ran, emitStep);
    ectx.states[parallelName(item)] = after ? { ...state, Next: after } : { ...state, OutputPath: '$.steps', End: true };
    ran.push(...stepsOf([item]));
  });
}

/**
 * The steps of a workflow with a schedule (Arazzo 1.1 step dependencies, docs/parallel-steps.md).
 * When a Parallel state ends the workflow, `Workflow.outputs` builds
 * the workflow outputs (the workflow function, as a last step's handler does in a sequential run).
 */
export function emitSchedule(ectx: EmitContext, schedule: readonly ScheduleItem[], emitStep: StepEmitter): void {
  const endsInParallel = !('step' in schedule[schedule.length - 1]);
  emitSequence(ectx, schedule, endsInParallel ? StateNames.workflowOutputs : undefined, [], emitStep);
  if (endsInParallel) {
    const fn = workflowFunctionKey(ectx.plan.workflowId);
    ectx.tasks[StateNames.workflowOutputs] = { functionKey: fn };
    ectx.states[StateNames.workflowOutputs] = {
      Type: 'Task',
      Comment: 'evaluate the workflow outputs once every branch has run',
      Resource: ectx.resourceFor(fn),
      Parameters: { phase: 'outputs', 'inputs.$': '$.inputs', 'steps.$': '$.steps', ...(ectx.plan.dependsOn.length ? { 'workflows.$': '$.workflows' } : {}) },
      // No ResultPath: the outputs are the execution's output.
      TimeoutSeconds: 30,
      Retry: [LAMBDA_SERVICE_RETRY],
      End: true,
    };
  }
}
