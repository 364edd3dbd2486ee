import { planError } from '../../core/errors.js';
import { handleWorkflowStep, prepareChildInput } from './handle-workflow-step.js';
import { isWorkflowStep, type ExecutionState, type StepEvent, type StepResult, type WorkflowPlan } from '../../core/plan.js';
import type { Sealer } from './secrets/index.js';
import { evaluateWorkflowOutputs, storedContext, type StoredState } from './decide-outcome.js';
import { validateInputs } from './validate-inputs.js';

/** The events of the workflow function, told apart by the fields the emitted Task `Parameters` set. */
export type WorkflowFunctionEvent =
  | { readonly workflow: string; readonly inputs: unknown; readonly executionId?: string }
  | (StepEvent & { readonly phase: 'input'; readonly executionId?: string })
  | (StepEvent & { readonly phase: 'result' })
  | (StoredState & { readonly phase: 'outputs' });

/**
 * One function per workflow serves its Tasks that call no operation: the input check before
 * the first step, each workflow step's child input and outcome, and the workflow outputs after a
 * Parallel state that ends the workflow. It reads no secret.
 */
export async function handleWorkflowFunction(
  plan: WorkflowPlan,
  event: WorkflowFunctionEvent,
  runtime: { readonly sealer: Sealer },
): Promise<ExecutionState | Record<string, unknown> | StepResult> {
  if (!('phase' in event)) return validateInputs(plan, event.inputs, event.executionId);
  // After a Parallel state that ends the workflow (Arazzo 1.1 step dependencies): no single step ran last to build them.
  if (event.phase === 'outputs') return evaluateWorkflowOutputs(plan.outputs, storedContext(event));
  const step = plan.steps.find((s) => s.stepId === event.step);
  if (!step || !isWorkflowStep(step)) throw planError(`workflow ${plan.workflowId} has no workflow step "${event.step}"`);
  return event.phase === 'input' ? prepareChildInput(step, event) : handleWorkflowStep(step, event, runtime);
}
