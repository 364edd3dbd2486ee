import { isWorkflowStep, type CallbackVerification, type StepPlan, type WorkflowStepPlan } from '../../core/plan.js';
import type { ArazzoStep, ArazzoWorkflow } from '../validate/arazzo-schema.js';
import { reportAt, type PlanContext } from './plan-context.js';
import { readWebhookVerification } from './read-callback-extension.js';

/**
 * Webhook verification by configuration (CompileOptions `webhookVerification`), for a document
 * kept verbatim (seed 003's 1.0 callback): the declaration a callback step's
 * `x-arazzo-sfn-callback.verify` or a receive step's `x-arazzo-sfn-verify` would hold, read and
 * checked as that one is, and used instead of it. `undefined` when nothing is configured for the
 * step; `null` when the configured declaration is refused (the errors are reported at the step).
 */
export function configuredVerification(ctx: PlanContext, workflowId: string, step: ArazzoStep, pointer: string): CallbackVerification | null | undefined {
  const configured = ctx.options.webhookVerification?.[workflowId]?.[step.stepId];
  if (configured === undefined) return undefined;
  return readWebhookVerification(ctx.loaded, configured, pointer, ctx.diagnostics, `webhookVerification of workflow "${workflowId}" step "${step.stepId}"`) ?? null;
}

/**
 * A configured declaration that verifies nothing: a step the workflow does not have, or one that
 * is neither a callback step nor a receive step on an HTTP channel. A warning (the document still
 * compiles): configuration may name the workflows of several documents, as the seeds' does.
 */
export function lintUnusedVerification(ctx: PlanContext, workflow: ArazzoWorkflow, pointer: string, steps: readonly (StepPlan | WorkflowStepPlan)[]): void {
  const configured = ctx.options.webhookVerification?.[workflow.workflowId];
  if (!configured) return;
  const verifying = steps.filter((s) => !isWorkflowStep(s) && (s.callback || s.receive)).map((s) => s.stepId);
  for (const stepId of Object.keys(configured).filter((id) => !verifying.includes(id))) {
    const has = workflow.steps.some((s) => s.stepId === stepId);
    reportAt(
      ctx,
      `${pointer}/workflowId`,
      'verificationConfigUnused',
      `webhookVerification of workflow "${workflow.workflowId}" step "${stepId}": ${has ? 'the step is neither a callback step (x-arazzo-sfn-callback) nor a receive step, so no webhook reaches it' : 'the workflow has no such step'} (it verifies: ${verifying.join(', ') || 'none'})`,
      'warning',
    );
  }
}
