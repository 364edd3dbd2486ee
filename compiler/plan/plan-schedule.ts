import type { ActionPlan, ScheduleItem } from '../../core/plan.js';
import type { ArazzoWorkflow } from '../validate/arazzo-schema.js';
import { reportAt, type PlanContext } from './plan-context.js';
import type { StepDependencies } from './plan-step-dependencies.js';
import { CALLBACK_EXTENSION } from './read-callback-extension.js';
import { scheduleSteps } from './schedule-steps.js';

/**
 * Whether a workflow's steps run by their dependencies (Parallel states for independent chains)
 * or in the order written (docs/parallel-steps.md).
 *
 * - Only a workflow where some step lists another step of it in `dependsOn` runs by its
 *   dependencies. Arazzo 1.1 calls a workflow without step `dependsOn` the "sequential execution
 *   model", and a `$steps.<id>` read alone does not leave it.
 * - Only when no action jumps out of where a Parallel branch could hold it: a `goto` to another
 *   step, a `goto` or `retry` that runs another step or a workflow first, or a callback's
 *   `onTimeout`. A branch can only end or fail (a Step Functions branch has no route to a state
 *   outside it), and a jump to a step whose dependencies have not run would break them. A `retry`
 *   (or `goto`) of the step itself stays inside its branch, so it is allowed.
 * - An action that ends the workflow (`end`, a `goto` to a workflow) is allowed on a step the
 *   arrangement leaves outside every Parallel state (a join, the last step): there it ends the
 *   execution as in a sequential run. Inside a branch it would only end the branch.
 * Any other workflow runs in the order written, with a warning (ASFN2085).
 */
type Jump = { readonly ends: boolean; readonly what: string };

function jumpOf(action: ActionPlan, stepId: string): Jump | undefined {
  if (action.type === 'end') return { ends: true, what: 'ends the workflow' };
  if (action.workflow) return { ends: true, what: `hands over to workflow ${action.workflow.workflowId}` };
  if (action.runFirst) return { ends: false, what: `runs ${'stepId' in action.runFirst ? `step ${action.runFirst.stepId}` : `workflow ${action.runFirst.workflow.workflowId}`} before its retry` };
  if (action.type === 'goto' && action.stepId !== stepId) return { ends: false, what: `goes to step ${action.stepId}` };
  return undefined;
}

const sequentialBecause = (workflowId: string, why: string) => `workflow "${workflowId}" runs its steps in the order written, not in Parallel states: ${why}`;

/**
 * Arranging steps costs up to quadratic time in the steps per nesting level (schedule-steps.ts):
 * a hostile document with thousands of dependent steps would take minutes, and its ASL would nest
 * Parallel states hundreds deep. Past this many steps the workflow stays sequential.
 */
export const MAX_SCHEDULED_STEPS = 200;

export function planSchedule(
  ctx: PlanContext,
  workflow: ArazzoWorkflow,
  actions: ReadonlyMap<string, { readonly onSuccess: readonly ActionPlan[]; readonly onFailure: readonly ActionPlan[] }>,
  dependencies: StepDependencies,
): ScheduleItem[] | undefined {
  if (!dependencies.explicit || dependencies.onCycle.size) return undefined;
  if (workflow.steps.length > MAX_SCHEDULED_STEPS) {
    reportAt(
      ctx,
      dependencies.stepPointer.get(workflow.steps[0].stepId)!,
      'parallelSequential',
      sequentialBecause(workflow.workflowId, `it has ${workflow.steps.length} steps, and arazzo-sfn arranges at most ${MAX_SCHEDULED_STEPS} by their dependencies`),
      'warning',
    );
    return undefined;
  }
  /** Steps with an action that ends the workflow: the first such action of each, for the message. */
  const ending = new Map<string, { action: ActionPlan; jump: Jump }>();
  for (const step of workflow.steps) {
    const own = actions.get(step.stepId);
    for (const action of [...(own?.onSuccess ?? []), ...(own?.onFailure ?? [])]) {
      const jump = jumpOf(action, step.stepId);
      if (!jump) continue;
      if (jump.ends) {
        if (!ending.has(step.stepId)) ending.set(step.stepId, { action, jump });
        continue;
      }
      reportAt(
        ctx,
        dependencies.stepPointer.get(step.stepId)!,
        'parallelSequential',
        sequentialBecause(workflow.workflowId, `step "${step.stepId}"'s ${action.kind} action${action.name ? ` "${action.name}"` : ''} ${jump.what}, and a jump cannot leave a Parallel branch`),
        'warning',
      );
      return undefined;
    }
    const onTimeout = ((step as Record<string, unknown>)[CALLBACK_EXTENSION] as { onTimeout?: unknown } | undefined)?.onTimeout;
    if (typeof onTimeout === 'string') {
      reportAt(
        ctx,
        dependencies.stepPointer.get(step.stepId)!,
        'parallelSequential',
        sequentialBecause(workflow.workflowId, `step "${step.stepId}"'s callback goes to step "${onTimeout}" on timeout, and a jump cannot leave a Parallel branch`),
        'warning',
      );
      return undefined;
    }
  }
  const schedule = scheduleSteps(
    workflow.steps.map((s) => s.stepId),
    dependencies.needs,
  );
  const outside = new Set(schedule.flatMap((item) => ('step' in item ? [item.step] : [])));
  for (const [stepId, { action, jump }] of ending) {
    if (outside.has(stepId)) continue;
    reportAt(
      ctx,
      dependencies.stepPointer.get(stepId)!,
      'parallelSequential',
      sequentialBecause(
        workflow.workflowId,
        `step "${stepId}"'s ${action.kind} action${action.name ? ` "${action.name}"` : ''} ${jump.what}, but the step would run inside a Parallel branch, where such an action ends only the branch`,
      ),
      'warning',
    );
    return undefined;
  }
  return schedule;
}

/** The step that runs last, or undefined when a Parallel state ends the schedule. */
export function lastScheduledStep(schedule: readonly ScheduleItem[]): string | undefined {
  const last = schedule.at(-1);
  return last && 'step' in last ? last.step : undefined;
}
