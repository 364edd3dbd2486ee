import type { ArazzoDocument } from '../validate/arazzo-schema.js';
import { expressionSites } from '../lint/expression-sites.js';

/** A workflow of this document whose outputs a workflow reads without listing it in `dependsOn`. */
export interface ImpliedDependency {
  readonly workflowId: string;
  /** The first expression that reads it, for the warning. */
  readonly pointer: string;
}

/**
 * `$workflows.<id>.outputs` names "outputs from a workflow", and `dependsOn` lists the workflows
 * that "MUST be completed before this workflow can be processed"; the spec does not make the
 * reader list the one it reads. Runners that run a file's workflows in order (Respect) keep the
 * outputs of each; on Step Functions each workflow is its own execution, so a read workflow of
 * the same document is run first, as `dependsOn` would run it: the read is an implicit
 * dependency, as a `$steps.<id>` read is for steps in Arazzo 1.1.
 *
 * Not implied: the reader itself, a workflow it already lists, one of another document (it is
 * named through its source), and a read in a step that runs that workflow (there it names the
 * step's own nested run, as in the OAI's Tic Tac Toe example: `winner: $workflows.playMove.outputs.winner`).
 */
export function impliedWorkflowDependencies(document: ArazzoDocument): ReadonlyMap<number, readonly ImpliedDependency[]> {
  const implied = new Map<number, ImpliedDependency[]>();
  for (const site of expressionSites(document)) {
    if (site.workflowIndex === undefined) continue;
    const reader = document.workflows[site.workflowIndex];
    const step = site.stepIndex === undefined ? undefined : reader.steps[site.stepIndex];
    for (const e of site.expressions) {
      if (e.kind !== 'workflowOutput' || e.workflowId === reader.workflowId) continue;
      if (!document.workflows.some((w) => w.workflowId === e.workflowId)) continue;
      if ((reader.dependsOn ?? []).includes(e.workflowId)) continue;
      if (step && readsOwnChild(step, site.phase, e.workflowId)) continue;
      const list = implied.get(site.workflowIndex) ?? [];
      if (!list.some((d) => d.workflowId === e.workflowId)) list.push({ workflowId: e.workflowId, pointer: site.pointer });
      implied.set(site.workflowIndex, list);
    }
  }
  return implied;
}

/** A step that runs `workflowId` reads that run's outputs once it has ended (its criteria, actions and outputs). */
export function readsOwnChild(step: { readonly workflowId?: string; readonly operationId?: string; readonly operationPath?: string }, phase: string, workflowId: string): boolean {
  return phase === 'response' && step.workflowId === workflowId && step.operationId === undefined && step.operationPath === undefined;
}
