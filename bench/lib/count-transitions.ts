import type { CompiledWorkflow } from '../../compiler/index.js';
import { isWorkflowStep, type AnyStepPlan, type StepResult } from '../../core/plan.js';
import type { LocalExecution } from '../../local/run-workflow.js';

/** Every execution of this one and its nested ones: each is billed for its own transitions. */
const allExecutions = (e: LocalExecution): LocalExecution[] => [e, ...e.children.flatMap(allExecutions)];

export interface Transitions {
  readonly calls: number;
  readonly actual: number;
  readonly minimum: number;
  readonly tasks: number;
  readonly choices: number;
  readonly waits: number;
  /** States the run entered beyond the minimum. */
  readonly extra: string;
}

/**
 * Transitions an execution was billed for (every state entered, nested executions included)
 * against the least the workflow allows for the same run: one Task per provider call (or nested
 * workflow), one Choice per routing decision, one Wait per loop turn. A routing decision is a
 * step whose outcome has more than one possible next step: onSuccess actions after a success,
 * onFailure actions after a handled failure. Anything else (input validation, terminal
 * Succeed/Fail states, a Choice after a step with one way out) is what the compilation adds.
 */
export function countTransitions(execution: LocalExecution, compiledById: (workflowId: string) => CompiledWorkflow | undefined): Transitions {
  let calls = 0;
  let tasks = 0;
  let choices = 0;
  let waits = 0;
  let actual = 0;
  const extra = new Map<string, number>();
  const add = (what: string, n: number) => {
    if (n > 0) extra.set(what, (extra.get(what) ?? 0) + n);
  };
  for (const e of allExecutions(execution)) {
    const compiled = compiledById(e.stateMachineArn.replace(/^.*:stateMachine:/, ''));
    if (!compiled) throw new Error(`no compiled workflow for ${e.stateMachineArn}`);
    const steps = new Map<string, AnyStepPlan>(compiled.plan.steps.map((s) => [s.stepId, s]));
    const states = e.history.filter((h) => h.type?.endsWith('StateEntered'));
    actual += states.length;
    const countOf = (type: string) => states.filter((h) => h.type === type).length;
    let stepTasks = 0;
    let routed = 0;
    for (const inv of e.invocations) {
      const binding = compiled.tasks[inv.stateName];
      if (binding?.kind === 'startExecution') {
        stepTasks++;
        continue;
      }
      const step = binding?.stepId ? steps.get(binding.stepId) : undefined;
      if (!step || isWorkflowStep(step)) {
        // Input validation, or deciding a workflow step's outcome: Lambda work no call needs.
        add(`Task "${inv.stateName}"`, 1);
        continue;
      }
      stepTasks++;
      calls++;
      const outcome = (inv.output as StepResult | undefined)?.outcome ?? 'failed';
      if (outcome.startsWith('onFailure.') ? step.onFailure.length > 0 : outcome !== 'failed' && step.onSuccess.length > 0) routed++;
    }
    tasks += stepTasks;
    choices += routed;
    waits += countOf('WaitStateEntered');
    add('Choice', countOf('ChoiceStateEntered') - routed);
    for (const type of new Set(states.map((h) => h.type!))) {
      if (!['TaskStateEntered', 'ChoiceStateEntered', 'WaitStateEntered'].includes(type)) add(type.replace('StateEntered', ''), countOf(type));
    }
  }
  return { calls, actual, minimum: tasks + choices + waits, tasks, choices, waits, extra: [...extra].map(([what, n]) => `${n} ${what}`).join(', ') || '–' };
}
