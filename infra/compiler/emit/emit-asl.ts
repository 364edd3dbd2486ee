import { basename } from 'node:path';
import { ErrorCodes } from '../../../functions/runtime/errors.js';
import type { ActionPlan, StepPlan, WorkflowPlan } from '../../../functions/runtime/plan.js';
import { inputsFunctionKey, StateNames } from './state-names.js';

export type AslState = Record<string, unknown>;

export interface StateMachineDefinition {
  Comment?: string;
  StartAt: string;
  TimeoutSeconds?: number;
  States: Record<string, AslState>;
}

/** Which handler serves each Task state: the local runner and the CDK app both read this. */
export interface TaskBinding {
  /** Function key: one Lambda per operation (`<source>.<operationId>`) plus one per workflow for its inputs. */
  readonly functionKey: string;
  readonly stepId?: string;
}

export interface EmittedWorkflow {
  readonly definition: StateMachineDefinition;
  readonly tasks: Readonly<Record<string, TaskBinding>>;
}

export interface EmitOptions {
  /**
   * The `Resource` of a Task for a function key. CDK passes `${...}` placeholders filled by
   * `definitionSubstitutions`; locally any Lambda ARN does, since handlers are bound by state name.
   * @default a local placeholder ARN
   */
  readonly resourceFor?: (functionKey: string) => string;
  /** Whole-execution bound, in seconds. @default 86400 (one day) */
  readonly timeoutSeconds?: number;
}

export const localResourceFor = (functionKey: string) =>
  `arn:aws:lambda:us-east-1:000000000000:function:arazzo-sfn-${functionKey.replace(/[^A-Za-z0-9_\-]/g, '-')}`.slice(0, 140);

/** Faults of the provider are retried on the Task itself, apart from Arazzo's own `retry` action. */
const PROVIDER_RETRY = {
  ErrorEquals: [ErrorCodes.ProviderUnavailable],
  IntervalSeconds: 1,
  MaxAttempts: 3,
  BackoffRate: 2,
  MaxDelaySeconds: 10,
  JitterStrategy: 'FULL',
};
/** The Lambda service's own transient errors (as CDK's LambdaInvoke retries by default). */
const LAMBDA_SERVICE_RETRY = {
  ErrorEquals: ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'],
  IntervalSeconds: 1,
  MaxAttempts: 3,
  BackoffRate: 2,
  JitterStrategy: 'FULL',
};

const outcomeIs = (step: string, outcome: string) => ({ Variable: `$.steps.${step}.outcome`, StringEquals: outcome });

function needsRoute(step: StepPlan) {
  return step.onSuccess.length + step.onFailure.length > 0;
}

function emitStep(step: StepPlan, next: string | undefined, resource: string, states: Record<string, AslState>) {
  const id = step.stepId;
  const task: AslState = {
    Type: 'Task',
    Comment: step.description?.slice(0, 200) ?? `${step.operation.method} ${step.operation.path}`,
    Resource: resource,
    Parameters: { step: id, 'inputs.$': '$.inputs', 'steps.$': '$.steps' },
    ResultPath: `$.steps.${id}`,
    TimeoutSeconds: Math.ceil((step.transport.connectTimeoutMs + step.transport.requestTimeoutMs) / 1000) + 30,
    Retry: step.transport.retrySafe ? [PROVIDER_RETRY, LAMBDA_SERVICE_RETRY] : [LAMBDA_SERVICE_RETRY],
    Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: StateNames.failed(id) }],
  };
  // Insertion order is the order a reader meets the states in the JSON: the Task first.
  states[id] = task;
  states[StateNames.failed(id)] = { Type: 'Fail', Comment: `${id} failed`, ErrorPath: '$.error.Error', CausePath: '$.error.Cause' };

  const endState = () => {
    states[StateNames.end(id)] = { Type: 'Succeed', OutputPath: `$.steps.${id}.workflowOutputs` };
    return StateNames.end(id);
  };

  if (!needsRoute(step)) {
    // The handler throws on failure (caught above), so success has one route: no Choice, one transition less.
    if (step.endsOnDefaultSuccess) Object.assign(task, { OutputPath: `$.steps.${id}.workflowOutputs`, End: true });
    else task.Next = next;
    return;
  }

  task.Next = StateNames.route(id);
  const actions: ActionPlan[] = [...step.onSuccess, ...step.onFailure];
  const loops = actions.filter((a) => a.loop);
  const choices: AslState[] = [];
  for (const action of actions) {
    if (action.type === 'end') {
      choices.push({ ...outcomeIs(id, action.outcome), Next: states[StateNames.end(id)] ? StateNames.end(id) : endState() });
    } else if (action.loop) {
      const waitName = StateNames.wait(id, action.name ?? action.outcome, loops.length > 1);
      states[StateNames.limit(id)] = {
        Type: 'Fail',
        Error: ErrorCodes.RetryLimitExceeded,
        Cause: `step ${id} ran ${action.loop.maxAttempts} times and its ${action.kind} action "${action.name}" still asked for another turn`,
      };
      choices.push({
        And: [outcomeIs(id, action.outcome), { Variable: `$.steps.${id}.attempts`, NumericGreaterThanEquals: action.loop.maxAttempts }],
        Next: StateNames.limit(id),
      });
      choices.push({ ...outcomeIs(id, action.outcome), Next: waitName });
      states[waitName] = {
        Type: 'Wait',
        Comment: `pace the ${action.type === 'retry' ? 'retry' : 'loop'} of ${id} (x-arazzo-sfn-loop)`,
        SecondsPath: `$.steps.${id}.delaySeconds`,
        Next: action.stepId ?? id,
      };
    } else {
      choices.push({ ...outcomeIs(id, action.outcome), Next: action.stepId! });
    }
  }
  states[StateNames.route(id)] = {
    Type: 'Choice',
    Choices: choices,
    Default: step.endsOnDefaultSuccess ? (states[StateNames.end(id)] ? StateNames.end(id) : endState()) : next,
  };
}

/** Renders one workflow plan as a JSONPath ASL definition (the engine runs JSONPath only). */
export function emitAsl(plan: WorkflowPlan, options: EmitOptions = {}): EmittedWorkflow {
  const resourceFor = options.resourceFor ?? localResourceFor;
  const states: Record<string, AslState> = {};
  const tasks: Record<string, TaskBinding> = {};
  const first = plan.steps[0].stepId;

  tasks[StateNames.validateInputs] = { functionKey: inputsFunctionKey(plan.workflowId) };
  states[StateNames.validateInputs] = {
    Type: 'Task',
    Comment: 'Check the execution input against the workflow inputs schema before any call',
    Resource: resourceFor(inputsFunctionKey(plan.workflowId)),
    Parameters: { workflow: plan.workflowId, 'inputs.$': '$' },
    // No ResultPath: the default ("$") replaces the state with the handler's result. Written out,
    // aws-local-stepfunctions 3.0.0 mishandles "$" (it sets a key named "$" instead).
    TimeoutSeconds: 30,
    Retry: [LAMBDA_SERVICE_RETRY],
    // The catcher replaces the state with the error: an input that is not an object has no room for `$.error`.
    Catch: [{ ErrorEquals: ['States.ALL'], Next: StateNames.inputsInvalid }],
    Next: first,
  };
  states[StateNames.inputsInvalid] = { Type: 'Fail', Comment: 'the execution input does not satisfy the workflow inputs', ErrorPath: '$.Error', CausePath: '$.Cause' };

  plan.steps.forEach((step, i) => {
    tasks[step.stepId] = { functionKey: step.operation.key, stepId: step.stepId };
    emitStep(step, plan.steps[i + 1]?.stepId, resourceFor(step.operation.key), states);
  });

  return {
    definition: {
      Comment: `${plan.workflowId}${plan.summary ? ` — ${plan.summary}` : ''} (compiled by arazzo-sfn from ${basename(plan.sourceFile)})`,
      StartAt: StateNames.validateInputs,
      TimeoutSeconds: options.timeoutSeconds ?? 86_400,
      States: states,
    },
    tasks,
  };
}
