import type { Diagnostic } from '../diagnostics/index.js';
import type { LoadedArazzo } from '../load/load-arazzo.js';
import type { ArazzoStep, ArazzoWorkflow } from '../validate/arazzo-schema.js';
import { bindChannel, targetsChannel, type BoundChannel } from './bind-channel.js';
import { bindOperation, type BoundOperation } from './bind-operation.js';
import { impliedWorkflowDependencies, type ImpliedDependency } from './implied-workflow-dependencies.js';
import { diagnosticAt } from '../load/parse-yaml-source.js';
import { resolveWorkflow, type ResolvedWorkflow } from './resolve-workflow.js';

/** A step with what it runs: one OpenAPI operation, or another workflow. Neither when it did not bind. */
export interface BoundStep {
  readonly step: ArazzoStep;
  readonly index: number;
  readonly pointer: string;
  readonly operation?: BoundOperation;
  /** An Arazzo 1.1 AsyncAPI step: its channel (`operation` then holds the channel in the shape of an operation). */
  readonly channel?: BoundChannel;
  readonly target?: ResolvedWorkflow;
}

export interface BoundWorkflow {
  readonly workflow: ArazzoWorkflow;
  readonly index: number;
  readonly pointer: string;
  readonly steps: readonly BoundStep[];
  /** The `dependsOn` entries that resolved, in order, then the implied ones (see `implied`). */
  readonly dependsOn: readonly ResolvedWorkflow[];
  /** Workflows of this document whose outputs it reads without listing them in `dependsOn`: run first all the same. */
  readonly implied: readonly ImpliedDependency[];
  /** A step or a `dependsOn` entry did not bind (the error is reported): the workflow cannot be planned. */
  readonly bindingFailed: boolean;
}

/**
 * A loaded document with every step bound once: planning and the check stage (lint/) read the
 * same bindings, and a binding problem is reported once, here.
 */
export interface BoundDocument {
  readonly loaded: LoadedArazzo;
  readonly workflows: readonly BoundWorkflow[];
}

/** A step runs a workflow when `workflowId` is its only target. */
export const runsWorkflow = (step: ArazzoStep) => step.workflowId !== undefined && step.operationId === undefined && step.operationPath === undefined;

export function bindDocument(loaded: LoadedArazzo, diagnostics: Diagnostic[]): BoundDocument {
  const impliedBy = impliedWorkflowDependencies(loaded.document);
  const workflows = loaded.document.workflows.map((workflow, index): BoundWorkflow => {
    const pointer = `/workflows/${index}`;
    const explicit = (workflow.dependsOn ?? []).flatMap((ref, i) => resolveWorkflow(loaded, ref, `${pointer}/dependsOn/${i}`, diagnostics) ?? []);
    const implied = impliedBy.get(index) ?? [];
    const dependsOn = [...explicit, ...implied.flatMap((d) => resolveWorkflow(loaded, d.workflowId, d.pointer, diagnostics) ?? [])];
    const steps = workflow.steps.map((step, i): BoundStep => {
      const sp = `${pointer}/steps/${i}`;
      if (runsWorkflow(step)) {
        const target = resolveWorkflow(loaded, step.workflowId!, `${sp}/workflowId`, diagnostics);
        return { step, index: i, pointer: sp, ...(target ? { target } : {}) };
      }
      if (targetsChannel(loaded, step)) {
        const bound = bindChannel(loaded, step, sp, diagnostics);
        return { step, index: i, pointer: sp, ...(bound ? { operation: bound.operation, channel: bound.channel } : {}) };
      }
      if (step.correlationId !== undefined) {
        diagnostics.push(diagnosticAt(loaded.source, `${sp}/correlationId`, 'asyncStep', `step "${step.stepId}": correlationId belongs to a step that receives from an AsyncAPI channel (action: receive)`));
      }
      const operation = bindOperation(loaded, step, sp, diagnostics);
      return { step, index: i, pointer: sp, ...(operation ? { operation } : {}) };
    });
    // A workflow set aside by the schema (its errors are reported) is never planned.
    const bindingFailed = (loaded.invalidWorkflows?.has(index) ?? false) || explicit.length !== (workflow.dependsOn ?? []).length || steps.some((s) => !s.operation && !s.target);
    return { workflow, index, pointer, steps, dependsOn, implied, bindingFailed };
  });
  return { loaded, workflows };
}
