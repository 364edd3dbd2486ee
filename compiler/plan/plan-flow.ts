import type { ActionPlan } from '../../core/plan.js';
import type { ArazzoWorkflow } from '../validate/arazzo-schema.js';
import { dominators, END, mayRunBefore, reachableFrom, type FlowGraph } from './analyze-flow.js';
import { stepReferences, stepsReferencedBy } from './check-expressions.js';
import { reportAt, type PlanContext } from './plan-context.js';
import { CALLBACK_EXTENSION } from './read-callback-extension.js';

/**
 * The routes of a workflow's steps as the emitted state machine takes them: the next step (or
 * the end, after the last step), every action's target, and a callback step's `onTimeout`.
 */
export function buildFlowGraph(workflow: ArazzoWorkflow, actions: ReadonlyMap<string, readonly ActionPlan[]>): FlowGraph {
  const stepIds = workflow.steps.map((s) => s.stepId);
  const successors = new Map<string, Set<string>>();
  workflow.steps.forEach((s, i) => {
    const next = new Set<string>();
    next.add(i === stepIds.length - 1 ? END : stepIds[i + 1]);
    for (const a of actions.get(s.stepId) ?? []) next.add(a.type === 'end' || a.workflow ? END : (a.stepId ?? s.stepId));
    // A callback step's fallback (onTimeout) is a route of the graph too.
    const onTimeout = ((s as Record<string, unknown>)[CALLBACK_EXTENSION] as { onTimeout?: unknown } | undefined)?.onTimeout;
    if (typeof onTimeout === 'string' && stepIds.includes(onTimeout)) next.add(onTimeout);
    successors.set(s.stepId, next);
  });
  return { steps: stepIds, successors };
}

/** Steps no route leads to: a warning, the workflow still compiles. */
export function checkReachability(ctx: PlanContext, workflow: ArazzoWorkflow, graph: FlowGraph, wp: string): ReadonlySet<string> {
  const reachable = reachableFrom(graph, graph.steps[0]);
  workflow.steps.forEach((s, i) => {
    if (!reachable.has(s.stepId)) reportAt(ctx, `${wp}/steps/${i}/stepId`, 'unreachableStep', `step "${s.stepId}" can never run: no route leads to it`, 'warning');
  });
  return reachable;
}

/**
 * `$steps.<id>` read by a step before `<id>` can have run on any route to it. (A `$steps.<id>`
 * of no step is the undeclared-output check's to report.)
 */
export function checkStepReads(ctx: PlanContext, workflow: ArazzoWorkflow, graph: FlowGraph, wp: string): void {
  workflow.steps.forEach((step, i) => {
    const sp = `${wp}/steps/${i}`;
    const couldHaveRun = mayRunBefore(graph, step.stepId);
    const check = (value: unknown, pointer: string) => {
      for (const [ref, p] of stepReferences(value, pointer)) {
        if (graph.steps.includes(ref) && !couldHaveRun.has(ref)) reportAt(ctx, p, 'expressionReference', `step "${step.stepId}" reads $steps.${ref}, which cannot have run before it`);
      }
    };
    (step.parameters ?? []).forEach((p, pi) => check(p, `${sp}/parameters/${pi}`));
    if (step.requestBody) check(step.requestBody, `${sp}/requestBody`);
    (step.successCriteria ?? []).forEach((c, ci) => check(c, `${sp}/successCriteria/${ci}`));
    // Action criteria run after the step itself: the step's own outputs are there.
    for (const kind of ['onSuccess', 'onFailure'] as const) {
      (step[kind] ?? []).forEach((action, ai) => {
        for (const [ref, p] of stepReferences((action as { criteria?: unknown }).criteria ?? [], `${sp}/${kind}/${ai}/criteria`)) {
          if (graph.steps.includes(ref) && ref !== step.stepId && !couldHaveRun.has(ref)) reportAt(ctx, p, 'expressionReference', `step "${step.stepId}" reads $steps.${ref} in an action criterion, which cannot have run before it`);
        }
      });
    }
    for (const [name, expression] of Object.entries(step.outputs ?? {})) check(expression, `${sp}/outputs/${name}`);
  });
}

/** Workflow outputs that read a step which does not run on every path to an end: omitted then, with a warning. */
export function checkWorkflowOutputs(ctx: PlanContext, workflow: ArazzoWorkflow, graph: FlowGraph, reachable: ReadonlySet<string>, wp: string): void {
  const dom = dominators(graph);
  const endingSteps = graph.steps.filter((id) => reachable.has(id) && graph.successors.get(id)!.has(END));
  for (const [name, expression] of Object.entries(workflow.outputs ?? {})) {
    for (const ref of stepsReferencedBy(expression)) {
      if (!graph.steps.includes(ref)) continue;
      const missingAt = endingSteps.filter((e) => e !== ref && !dom.get(e)?.has(ref));
      if (missingAt.length) {
        reportAt(
          ctx,
          `${wp}/outputs/${name}`,
          'outputMayBeMissing',
          `output "${name}" reads step "${ref}", which does not run when the workflow ends at ${missingAt.map((s) => `"${s}"`).join(', ')}; the output is omitted then`,
          'warning',
        );
      }
    }
  }
}

/** Whether a step's success can end the workflow: it is the last step, or an action ends it. */
export const endsWorkflow = (isLast: boolean, actions: readonly ActionPlan[]) => isLast || actions.some((a) => a.type === 'end' || a.workflow);
