import { handleStep, type StepLogEntry, type StepRuntime } from '../runtime/handle-step.js';
import { planError } from '../../core/errors.js';
import type { StepEvent, StepPlan, StepResult } from '../../core/plan.js';

export type OperationHandler = (event: StepEvent) => Promise<StepResult>;

/**
 * The Lambda handler of one operation: it serves every step of the workflow that calls the
 * operation (the Task's `Parameters` name the step), with the runtime built once per container.
 */
export function createOperationHandler(plans: readonly StepPlan[], runtime: StepRuntime): OperationHandler {
  const byStep = new Map(plans.map((plan) => [plan.stepId, plan]));
  const keys = new Set(plans.map((plan) => plan.operation.key));
  if (keys.size > 1) throw planError(`one operation function serves one operation, got ${[...keys].join(', ')}`);
  return async (event) => {
    const plan = byStep.get(event?.step);
    if (!plan) throw planError(`this function serves steps ${[...byStep.keys()].join(', ')}, not "${String(event?.step)}"`);
    return handleStep(plan, event, runtime);
  };
}

/** One line per call in CloudWatch Logs: step, request line (the path template), status, duration; never headers or bodies. */
export const logStepCall = (entry: StepLogEntry) => console.log(JSON.stringify({ message: 'arazzo step call', ...entry }));
