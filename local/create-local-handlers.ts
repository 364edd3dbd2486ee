import type { CompiledWorkflow } from '../infra/compiler/compile-file.js';
import { handleStep, type StepRuntime } from '../functions/runtime/handle-step.js';
import { handleWorkflowFunction, type WorkflowFunctionEvent } from '../functions/runtime/handle-workflow-function.js';
import { planError } from '../functions/runtime/errors.js';
import { isWorkflowStep, type StepEvent } from '../functions/runtime/plan.js';

export interface TaskInvocation {
  readonly stateName: string;
  readonly input: unknown;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly output?: unknown;
  readonly error?: { readonly name: string; readonly message: string };
}

/** Runs another workflow as a nested execution and answers as `states:startExecution.sync:2` does. */
export type StartChildExecution = (target: { readonly workflowId: string; readonly source?: string }, request: { readonly StateMachineArn: string; readonly Input: unknown }) => Promise<unknown>;

type LocalHandler = (input: any) => Promise<any>;

/**
 * The in-process stand-in for the Lambda functions and service integrations: every Task state
 * of the compiled workflow gets a handler keyed by state name (a Task without one would call
 * real AWS), running the same runtime code the Lambda bundle runs.
 */
export function createLocalHandlers(
  workflow: CompiledWorkflow,
  runtime: StepRuntime,
  onInvocation?: (invocation: TaskInvocation) => void,
  startChild?: StartChildExecution,
): Record<string, LocalHandler> {
  const handlers: Record<string, LocalHandler> = {};
  const stepsById = new Map(workflow.plan.steps.map((s) => [s.stepId, s]));
  for (const [stateName, binding] of Object.entries(workflow.tasks)) {
    let run: LocalHandler;
    if (binding.kind === 'startExecution') {
      run = async (request) => {
        if (!startChild) throw planError(`state "${stateName}" starts workflow ${binding.workflowId}, which this run has not loaded`);
        return startChild(binding, request);
      };
    } else if (binding.stepId && !isWorkflowStep(stepsById.get(binding.stepId)!)) {
      run = async (event: StepEvent) => {
        const plan = stepsById.get(event.step);
        if (!plan || isWorkflowStep(plan)) throw planError(`no operation step "${event.step}" in workflow ${workflow.plan.workflowId}`);
        return handleStep(plan, event, runtime);
      };
    } else {
      run = async (event: WorkflowFunctionEvent) => handleWorkflowFunction(workflow.plan, event, runtime);
    }
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
