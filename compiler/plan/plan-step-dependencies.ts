import type { ArazzoStep, ArazzoWorkflow } from '../validate/arazzo-schema.js';
import { dominators, type FlowGraph } from './analyze-flow.js';
import { stepsReferencedBy } from './check-expressions.js';
import { reportAt, type PlanContext } from './plan-context.js';

/**
 * Arazzo 1.1 step `dependsOn` (issue 17). Steps still run in the order they are written, which the
 * spec allows ("Tools supporting only sequential execution MUST execute steps in an order that
 * satisfies both explicit and implicit dependencies"); Parallel states for independent chains are
 * not emitted yet. So a dependency must be a step of the workflow (or a step of a workflow this
 * one depends on), the dependencies may not form a cycle, and each one must run before the step
 * on every route to it. Implicit dependencies (`$steps.<id>` reads) are checkStepReads' to order;
 * they count here for cycles.
 */

const OTHER_WORKFLOW_STEP = /^\$workflows\.([^.]+)\.steps\.(.+)$/;
const OTHER_DOCUMENT_STEP = /^\$sourceDescriptions\.([^.]+)\.([^.]+)\.steps\.(.+)$/;

/** The steps a step reads `$steps.<id>` of before it runs (its parameters, request body and success criteria). */
function implicitDependencies(step: ArazzoStep): string[] {
  return stepsReferencedBy([step.parameters ?? [], step.requestBody ?? null, step.successCriteria ?? []]).filter((id) => id !== step.stepId);
}

/** Each cycle once, as the list of steps around it, found from the first step of it in document order. */
function findCycles(order: readonly string[], edges: ReadonlyMap<string, readonly string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (id: string) => {
    state.set(id, 'open');
    path.push(id);
    for (const next of edges.get(id) ?? []) {
      if (state.get(next) === 'open') cycles.push(path.slice(path.indexOf(next)));
      else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(id, 'done');
  };
  for (const id of order) if (!state.has(id)) visit(id);
  return cycles;
}

export function checkStepDependencies(ctx: PlanContext, workflow: ArazzoWorkflow, graph: FlowGraph, wp: string): void {
  if (!workflow.steps.some((s) => s.dependsOn?.length)) return;
  const stepIds = workflow.steps.map((s) => s.stepId);
  const workflowDependsOn = workflow.dependsOn ?? [];
  const edges = new Map<string, string[]>();
  const stepPointer = new Map<string, string>();

  workflow.steps.forEach((step, i) => {
    const sp = `${wp}/steps/${i}`;
    stepPointer.set(step.stepId, sp);
    const local: string[] = [];
    (step.dependsOn ?? []).forEach((target, j) => {
      const p = `${sp}/dependsOn/${j}`;
      const other = OTHER_WORKFLOW_STEP.exec(target);
      const remote = OTHER_DOCUMENT_STEP.exec(target);
      if (other || remote) {
        // A step of another workflow has run (if it runs at all) when that workflow ran first: the workflow's own dependsOn says so.
        const workflowRef = other ? other[1] : `$sourceDescriptions.${remote![1]}.${remote![2]}`;
        if (!workflowDependsOn.includes(workflowRef)) {
          reportAt(ctx, p, 'stepDependsOnTarget', `step "${step.stepId}" depends on ${target}, but workflow "${workflow.workflowId}" does not depend on ${workflowRef}: add it to the workflow's dependsOn so that it runs first`);
        }
        return;
      }
      if (!stepIds.includes(target)) {
        reportAt(ctx, p, 'stepDependsOnTarget', `step "${step.stepId}" depends on unknown step "${target}" (steps: ${stepIds.join(', ')})`);
        return;
      }
      local.push(target);
    });
    edges.set(step.stepId, [...new Set([...local, ...implicitDependencies(step).filter((id) => stepIds.includes(id))])]);
  });

  const onCycle = new Set<string>();
  for (const cycle of findCycles(stepIds, edges)) {
    cycle.forEach((id) => onCycle.add(id));
    const first = cycle[0];
    reportAt(ctx, `${stepPointer.get(first)}/dependsOn`, 'stepDependsOnCycle', `steps depend on each other in a cycle: ${[...cycle, first].join(' → ')} (by dependsOn or $steps.<id> reads); none of them can run first`);
  }

  const dom = dominators(graph);
  workflow.steps.forEach((step, i) => {
    if (onCycle.has(step.stepId)) return;
    const before = dom.get(step.stepId);
    if (!before) return; // unreachable: checkReachability warns
    (step.dependsOn ?? []).forEach((target, j) => {
      if (!stepIds.includes(target) || target === step.stepId || before.has(target)) return;
      reportAt(
        ctx,
        `${wp}/steps/${i}/dependsOn/${j}`,
        'stepDependsOnOrder',
        `step "${step.stepId}" depends on step "${target}", which does not run before it on every route: steps run in the order they are written (Parallel states for dependsOn are not emitted yet); move "${target}" before "${step.stepId}"`,
      );
    });
  });
}
