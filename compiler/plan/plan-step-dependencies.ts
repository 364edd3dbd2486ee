import type { ArazzoStep, ArazzoWorkflow } from '../validate/arazzo-schema.js';
import { dominators, type FlowGraph } from './analyze-flow.js';
import { stepsReferencedBy } from './check-expressions.js';
import { reportAt, type PlanContext } from './plan-context.js';

/**
 * Arazzo 1.1 step `dependsOn` (issue 17). A dependency must be a step of the workflow (or a step
 * of a workflow this one depends on), and the dependencies may not form a cycle. Implicit
 * dependencies (`$steps.<id>` reads anywhere in the step, or in what the workflow merges into
 * every step) count as dependencies too. A workflow whose steps depend on each other and whose
 * actions never jump gets a schedule (plan-schedule.ts: Parallel states for independent chains);
 * the others run their steps in the order written, which the spec allows ("Tools supporting only
 * sequential execution MUST execute steps in an order that satisfies both explicit and implicit
 * dependencies"), so there each dependency must run before the step on every route
 * (checkStepDependencyOrder).
 */
const OTHER_WORKFLOW_STEP = /^\$workflows\.([^.]+)\.steps\.(.+)$/;
const OTHER_DOCUMENT_STEP = /^\$sourceDescriptions\.([^.]+)\.([^.]+)\.steps\.(.+)$/;

/**
 * The steps a step reads `$steps.<id>` of, anywhere: its parameters, request body, criteria,
 * actions, outputs and x-security, and the workflow's parameters, actions and x-security that
 * apply to every step. Spec: "Tools MUST also treat runtime expression output references (e.g.
 * `$steps.stepId.outputs.field`) as implicit dependencies".
 */
function implicitDependencies(step: ArazzoStep, workflow: ArazzoWorkflow): string[] {
  const shared = [workflow.parameters ?? [], workflow.successActions ?? [], workflow.failureActions ?? [], (workflow as Record<string, unknown>)['x-security'] ?? []];
  return stepsReferencedBy([step, ...shared]).filter((id) => id !== step.stepId);
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

/** A workflow's step dependencies once checked: step → the steps of this workflow it needs (explicit and implicit). */
export interface StepDependencies {
  readonly needs: ReadonlyMap<string, readonly string[]>;
  /** Whether some step lists another step of this workflow in its `dependsOn`. */
  readonly explicit: boolean;
  /** Steps on a dependency cycle (reported). */
  readonly onCycle: ReadonlySet<string>;
  readonly stepPointer: ReadonlyMap<string, string>;
}

/** Checks the `dependsOn` of a workflow's steps; undefined when no step has one. */
export function checkStepDependencies(ctx: PlanContext, workflow: ArazzoWorkflow, wp: string): StepDependencies | undefined {
  if (!workflow.steps.some((s) => s.dependsOn?.length)) return undefined;
  const stepIds = workflow.steps.map((s) => s.stepId);
  const workflowDependsOn = workflow.dependsOn ?? [];
  const edges = new Map<string, string[]>();
  const stepPointer = new Map<string, string>();
  let explicit = false;

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
      explicit = true;
      local.push(target);
    });
    edges.set(step.stepId, [...new Set([...local, ...implicitDependencies(step, workflow).filter((id) => stepIds.includes(id))])]);
  });

  const onCycle = new Set<string>();
  for (const cycle of findCycles(stepIds, edges)) {
    cycle.forEach((id) => onCycle.add(id));
    const first = cycle[0];
    reportAt(ctx, `${stepPointer.get(first)}/dependsOn`, 'stepDependsOnCycle', `steps depend on each other in a cycle: ${[...cycle, first].join(' → ')} (by dependsOn or $steps.<id> reads); none of them can run first`);
  }
  return { needs: edges, explicit, onCycle, stepPointer };
}

/** In a workflow that runs its steps in the order written: each dependency must run before the step on every route to it. */
export function checkStepDependencyOrder(ctx: PlanContext, workflow: ArazzoWorkflow, graph: FlowGraph, dependencies: StepDependencies, wp: string): void {
  const stepIds = workflow.steps.map((s) => s.stepId);
  const dom = dominators(graph);
  workflow.steps.forEach((step, i) => {
    if (dependencies.onCycle.has(step.stepId)) return;
    const before = dom.get(step.stepId);
    if (!before) return; // unreachable: checkReachability warns
    (step.dependsOn ?? []).forEach((target, j) => {
      if (!stepIds.includes(target) || target === step.stepId || before.has(target)) return;
      reportAt(
        ctx,
        `${wp}/steps/${i}/dependsOn/${j}`,
        'stepDependsOnOrder',
        `step "${step.stepId}" depends on step "${target}", which does not run before it on every route: this workflow's actions jump, so its steps run in the order they are written (docs/parallel-steps.md); move "${target}" before "${step.stepId}"`,
      );
    });
  });
}
