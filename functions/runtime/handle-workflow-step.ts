import { prepareCriteria } from '../../core/criteria/index.js';
import { allPass, decideOutcome, storedContext } from './decide-outcome.js';
import { ErrorCodes, expressionError, isErrorCode, planError, stepTimeout } from '../../core/errors.js';
import { evaluateValue } from '../../core/expressions/index.js';
import { evaluateSelector } from '../../core/selectors/evaluate-selector.js';
import type { StepEvent, StepResult, WorkflowStepPlan } from '../../core/plan.js';
import type { Sealer } from './secrets/index.js';
import { STARTED_BY_KEY } from './validate-inputs.js';

/**
 * The execution input of a workflow step's nested execution: its parameters evaluated as the
 * child's inputs, plus the key that links the child to its parent in the console.
 */
export function prepareChildInput(plan: WorkflowStepPlan, event: StepEvent & { readonly executionId?: string }): Record<string, unknown> {
  const ctx = storedContext(event);
  const input: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(plan.inputs)) {
    let evaluated: unknown;
    const selector = plan.inputSelectors?.[name];
    try {
      evaluated = selector ? evaluateSelector(selector, ctx, `step ${plan.stepId} input ${name}`) : evaluateValue(value, ctx);
    } catch (err) {
      if (isErrorCode(err, ErrorCodes.Expression)) throw err;
      throw expressionError(`step ${plan.stepId} input ${name}: ${(err as Error).message}`, { cause: err });
    }
    // An absent optional value is left out, as an unset input.
    if (evaluated !== undefined) input[name] = evaluated;
  }
  if (event.executionId) input[STARTED_BY_KEY] = event.executionId;
  return input;
}

/** How a nested execution's failure reads in a message: its error name, and the child's own cause when it has one. */
function describeChildFailure(run: { Error: string; Cause?: string }): string {
  const cause = run.Cause;
  try {
    // On AWS the Cause of a failed `startExecution.sync` is the child's DescribeExecution output as JSON.
    const d = JSON.parse(run.Cause ?? '') as Record<string, string | undefined>;
    const error = d?.Error ?? d?.error;
    const inner = d?.Cause ?? d?.cause;
    // The child's own error says what went wrong; States.TaskFailed only says that it did.
    if (error) return `${error}${inner ? ` (${inner.slice(0, 500)})` : ''}`;
  } catch {
    // not JSON: the cause is already a message
  }
  return cause ? `${run.Error} (${cause.slice(0, 500)})` : run.Error;
}

/**
 * Decides the outcome of a workflow step from what its nested execution returned (`event.run`),
 * as `handleStep` does from an HTTP response: `$outputs.*` are the child's workflow outputs,
 * success is the child's success plus the step's own successCriteria.
 */
export async function handleWorkflowStep(
  plan: WorkflowStepPlan,
  event: StepEvent,
  runtime: { readonly sealer: Sealer },
): Promise<StepResult> {
  const run = event.run;
  if (!run) throw planError(`step ${plan.stepId}: the workflow function was called without the nested execution's result`);
  await prepareCriteria(plan);
  const opened = { ctx: storedContext(event), opened: [], notes: [] };
  const childSucceeded = 'status' in run && run.status === 'SUCCEEDED';
  if (childSucceeded) {
    const output = run.output;
    opened.ctx.outputs = output && typeof output === 'object' && !Array.isArray(output) ? (output as Record<string, unknown>) : {};
    // `$workflows.<child>.outputs` in the step that ran the child names this run (the OAI Tic Tac Toe example writes it so).
    opened.ctx.workflows = { ...opened.ctx.workflows, [plan.target.workflowId]: { ...opened.ctx.workflows?.[plan.target.workflowId], outputs: opened.ctx.outputs } };
  }
  const ok = childSucceeded && allPass(plan.successCriteria, opened.ctx, opened.notes);
  // The `.run` Task's TimeoutSeconds is the step's timeout (Arazzo 1.1): past it the step fails by that name.
  const timedOut = 'Error' in run && run.Error === 'States.Timeout' && plan.timeoutMs !== undefined;
  try {
    return await decideOutcome(plan, event, opened, runtime.sealer, ok, () =>
      timedOut
        ? `step ${plan.stepId}: workflow ${plan.target.workflowId} did not finish within the step's timeout of ${plan.timeoutMs} ms, and no onFailure action applies`
        : 'Error' in run
          ? `step ${plan.stepId}: workflow ${plan.target.workflowId} failed with ${describeChildFailure(run)}, and no onFailure action applies`
          : `step ${plan.stepId}: workflow ${plan.target.workflowId} succeeded, but its outputs do not meet the step's success criteria (${plan.successCriteria.map((c) => c.condition).join(' && ')}), and no onFailure action applies`,
    );
  } catch (err) {
    if (timedOut && isErrorCode(err, ErrorCodes.StepFailed)) throw stepTimeout(err.message);
    throw err;
  }
}
