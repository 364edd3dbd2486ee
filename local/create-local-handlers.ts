import type { CompiledWorkflow } from '../infra/compiler/compile-file.js';
import { handleStep, type StepRuntime } from '../functions/runtime/handle-step.js';
import { planError } from '../functions/runtime/errors.js';
import type { StepEvent } from '../functions/runtime/plan.js';
import { validateInputs } from '../functions/runtime/validate-inputs.js';

export interface TaskInvocation {
  readonly stateName: string;
  readonly input: unknown;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly output?: unknown;
  readonly error?: { readonly name: string; readonly message: string };
}

type LocalHandler = (input: any) => Promise<any>;

/**
 * The in-process stand-in for the Lambda functions: every Task state of the compiled workflow
 * gets a handler keyed by state name (a Task without one would call real AWS Lambda), running
 * the same runtime code the Lambda bundle runs.
 */
export function createLocalHandlers(
  workflow: CompiledWorkflow,
  runtime: StepRuntime,
  onInvocation?: (invocation: TaskInvocation) => void,
): Record<string, LocalHandler> {
  const handlers: Record<string, LocalHandler> = {};
  const stepsById = new Map(workflow.plan.steps.map((s) => [s.stepId, s]));
  for (const [stateName, binding] of Object.entries(workflow.tasks)) {
    const run: LocalHandler = binding.stepId
      ? async (event: StepEvent) => {
          const plan = stepsById.get(event.step);
          if (!plan) throw planError(`no plan for step "${event.step}" in workflow ${workflow.plan.workflowId}`);
          return handleStep(plan, event, runtime);
        }
      : async (event: { inputs: unknown }) => validateInputs(workflow.plan, event.inputs);
    handlers[stateName] = async (input) => {
      const startedAt = Date.now();
      try {
        const output = await run(input);
        onInvocation?.({ stateName, input, output, startedAt, endedAt: Date.now() });
        return output;
      } catch (err) {
        const error = { name: (err as Error).name, message: (err as Error).message };
        onInvocation?.({ stateName, input, error, startedAt, endedAt: Date.now() });
        // The engine reports `name` as the error and `message` as the cause, as Lambda does with errorType/errorMessage.
        const clean = new Error(error.message);
        clean.name = error.name;
        throw clean;
      }
    };
  }
  return handlers;
}
