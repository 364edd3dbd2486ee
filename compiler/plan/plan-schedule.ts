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
 * - Only when no action jumps: a `goto` to another step, an `end`, a `goto` or `retry` that runs a
 *   workflow or another step first, or a callback's `onTimeout`. A jump out of a Parallel branch
 *   has no equivalent in Step Functions (a branch can only end or fail), and a jump to a step
 *   whose dependencies have not run would break them. A `retry` (or `goto`) of the step itself
 *   stays inside its branch, so it is allowed. Such a workflow runs in the order written, with a
 *   warning.
 */
function jumpOf(action: ActionPlan, stepId: string): string | undefined {
  if (action.type === 'end') return 'ends the workflow';
  if (action.workflow) return `runs workflow ${action.workflow.workflowId}`;
  if (action.runFirst) return `runs ${'stepId' in action.runFirst ? `step ${action.runFirst.stepId}` : `workflow ${action.runFirst.workflow.workflowId}`} before its retry`;
  if (action.type === 'goto' && action.stepId !== stepId) return `goes to step ${action.stepId}`;
  return undefined;
}

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
      `workflow "${workflow.workflowId}" runs its ${workflow.steps.length} steps in the order written, not in Parallel states: arazzo-sfn arranges at most ${MAX_SCHEDULED_STEPS} steps by their dependencies`,
      'warning',
    );
    return undefined;
  }
  for (const step of workflow.steps) {
    const own = actions.get(step.stepId);
    for (const action of [...(own?.onSuccess ?? []), ...(own?.onFailure ?? [])]) {
      const jump = jumpOf(action, step.stepId);
      if (!jump) continue;
      reportAt(
        ctx,
        dependencies.stepPointer.get(step.stepId)!,
        'parallelSequential',
        `workflow "${workflow.workflowId}" runs its steps in the order written, not in Parallel states: step "${step.stepId}"'s ${action.kind} action${action.name ? ` "${action.name}"` : ''} ${jump}, and a jump cannot leave a Parallel branch`,
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
        `workflow "${workflow.workflowId}" runs its steps in the order written, not in Parallel states: step "${step.stepId}"'s callback goes to step "${onTimeout}" on timeout, and a jump cannot leave a Parallel branch`,
        'warning',
      );
      return undefined;
    }
  }
  return scheduleSteps(
    workflow.steps.map((s) => s.stepId),
    dependencies.needs,
  );
}

/** The step that runs last, or undefined when a Parallel state ends the schedule. */
export function lastScheduledStep(schedule: readonly ScheduleItem[]): string | undefined {
  const last = schedule.at(-1);
  return last && 'step' in last ? last.step : undefined;
}
