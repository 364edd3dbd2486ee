import { prepareCriteria } from '../../core/criteria/index.js';
import { planError } from '../../core/errors.js';
import { handleWorkflowStep, prepareChildInput } from './handle-workflow-step.js';
import { isWorkflowStep, type ExecutionState, type StepEvent, type StepResult, type WorkflowPlan } from '../../core/plan.js';
import type { Sealer } from './secrets/index.js';
import { evaluateWorkflowOutputs, storedContext, type StoredState } from './decide-outcome.js';
import { STARTED_BY_KEY, validateInputs } from './validate-inputs.js';
import { openPersonalForCheck } from './personal/seal-personal-inputs.js';
import { inputsFromEvent } from '../../core/event-input.js';

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
  if (!('phase' in event)) return checkInputs(plan, event.inputs, event.executionId, runtime.sealer);
  // After a Parallel state that ends the workflow (Arazzo 1.1 step dependencies): no single step ran last to build them.
  if (event.phase === 'outputs') {
    // A workflow output may be a Selector Object whose XPath engine loads lazily.
    await prepareCriteria({ stepId: plan.workflowId, successCriteria: [], onSuccess: [], onFailure: [], workflowOutputs: plan.outputs });
    return evaluateWorkflowOutputs(plan.outputs, storedContext(event));
  }
  const step = plan.steps.find((s) => s.stepId === event.step);
  if (!step || !isWorkflowStep(step)) throw planError(`workflow ${plan.workflowId} has no workflow step "${event.step}"`);
  if (event.phase === 'result') return handleWorkflowStep(step, event, runtime);
  // A child input may be a Selector Object whose XPath engine loads lazily.
  await prepareCriteria(step);
  return prepareChildInput(step, event);
}

/**
 * The input check. Personal inputs arrive sealed: they are opened in memory to be checked against
 * their schema as any input is, and the state keeps them sealed.
 */
async function checkInputs(plan: WorkflowPlan, input: unknown, executionId: string | undefined, sealer: Sealer): Promise<ExecutionState> {
  if (!plan.personalInputs?.length || !input || typeof input !== 'object' || Array.isArray(input)) return validateInputs(plan, input, executionId);
  const { [STARTED_BY_KEY]: startedBy, ...given } = input as Record<string, unknown>;
  const picked = inputsFromEvent(given);
  // Problems picking from an event are the plain check's to report.
  if (picked.problems.length) return validateInputs(plan, input, executionId);
  const { opened, reseal } = await openPersonalForCheck(plan, picked.inputs, sealer);
  const state = validateInputs(plan, { ...opened, ...(startedBy !== undefined ? { [STARTED_BY_KEY]: startedBy } : {}) }, executionId);
  return { ...state, inputs: reseal(state.inputs) };
}
