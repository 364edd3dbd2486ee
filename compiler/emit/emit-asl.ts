import { basename } from 'node:path';
import { ErrorCodes, RETRYABLE_ERROR_CODES } from '../../core/errors.js';
import { isWorkflowStep, type ActionPlan, type AnyStepPlan, type StepPlan, type WorkflowPlan } from '../../core/plan.js';
import { emitSchedule, firstScheduledState } from './emit-parallel.js';
import { pathMember, StateNames, workflowFunctionKey } from './state-names.js';
import { operationTaskTimeoutSeconds } from '../plan/plan-step-timeout.js';
import { defaultExecutionTimeoutSeconds } from './execution-bound.js';

export type AslState = Record<string, unknown>;

export interface StateMachineDefinition {
  Comment?: string;
  StartAt: string;
  TimeoutSeconds?: number;
  States: Record<string, AslState>;
}

/** Which handler serves each Task state: the local runner and the CDK app both read this. */
export type TaskBinding =
  | {
      readonly kind?: 'lambda';
      /** Function key: one Lambda per operation (`<source>.<operationId>`) plus one per workflow (inputs, workflow steps). */
      readonly functionKey: string;
      readonly stepId?: string;
      /** `lambda:invoke.waitForTaskToken`: the Task ends when the webhook receiver sends the task token back. */
      readonly waitsForCallback?: boolean;
    }
  | {
      /** A nested execution (`states:startExecution.sync:2`) of another workflow. */
      readonly kind: 'startExecution';
      readonly workflowId: string;
      /** The arazzo source description the workflow comes from, when it is not in this document. */
      readonly source?: string;
    };

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
  /**
   * Whole-execution bound, in seconds; the compiler lints step timeouts and throttle bounds against it (ASFN2171, ASFN2172).
   * @default - the plan's longest path of bounded waits, rounded up to the hour, at least a day and at most a year (docs/execution-bound.md)
   */
  readonly timeoutSeconds?: number;
  /**
   * The ARN of the state machine of another workflow (nested executions, `dependsOn`). CDK passes
   * `${...}` placeholders; locally the runner resolves them by workflow id.
   * @default a local placeholder ARN
   */
  readonly stateMachineArnFor?: (workflowId: string, source?: string) => string;
}

export const localResourceFor = (functionKey: string) =>
  `arn:aws:lambda:us-east-1:000000000000:function:arazzo-sfn-${functionKey.replace(/[^A-Za-z0-9_-]/g, '-')}`.slice(0, 140);

export const localStateMachineArnFor = (workflowId: string, source?: string) =>
  `arn:aws:states:us-east-1:000000000000:stateMachine:${`${source ? `${source}-` : ''}${workflowId}`.replace(/[^A-Za-z0-9_-]/g, '-')}`.slice(0, 120);

const START_EXECUTION_SYNC = 'arn:aws:states:::states:startExecution.sync:2';

/** What a nested execution's Task keeps of the child's DescribeExecution result: not its input, nor dates and names. */
const NESTED_RESULT = { 'status.$': '$.Status', 'executionArn.$': '$.ExecutionArn' };

/**
 * Faults of the provider are retried on the Task itself, apart from Arazzo's own `retry` action:
 * unavailable (transport, 5xx, 429) or off its contract (an undeclared Content-Type), one shared bound.
 * The codes are the retryable ones of the error hierarchy (core/errors.ts).
 */
const PROVIDER_RETRY = {
  ErrorEquals: [...RETRYABLE_ERROR_CODES],
  IntervalSeconds: 1,
  MaxAttempts: 3,
  BackoffRate: 2,
  MaxDelaySeconds: 10,
  JitterStrategy: 'FULL',
};
/**
 * The Lambda service's own transient errors: exactly the Retry CDK's `LambdaInvoke` renders by
 * default (`retryOnServiceExceptions`, AWS's best practice: 2 s, 6 attempts, backoff 2), plus
 * `Lambda.TooManyRequestsException` (the account's concurrency is full: the invocation did not run).
 * test/compiler/emit-retry.test.ts compares it with what aws-cdk-lib renders.
 */
export const LAMBDA_SERVICE_RETRY = {
  ErrorEquals: ['Lambda.ClientExecutionTimeoutException', 'Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'],
  IntervalSeconds: 2,
  MaxAttempts: 6,
  BackoffRate: 2,
  JitterStrategy: 'FULL',
};

/** The last state of a Parallel branch hands on only the step results (emit-parallel.ts merges them). */
const BRANCH_END_OUTPUT = { OutputPath: '$.steps' };
const BRANCH_END = { ...BRANCH_END_OUTPUT, End: true };

const outcomeIs = (step: string, outcome: string) => ({ Variable: `$.steps${pathMember(step)}.outcome`, StringEquals: outcome });

export interface EmitContext {
  readonly plan: WorkflowPlan;
  readonly states: Record<string, AslState>;
  readonly tasks: Record<string, TaskBinding>;
  readonly resourceFor: (functionKey: string) => string;
  readonly stateMachineArnFor: (workflowId: string, source?: string) => string;
}

/** What every handler reads: inputs, earlier steps' results, and the dependencies' results when there are some. */
function stateParameters(ectx: EmitContext, stepId: string): Record<string, unknown> {
  return {
    step: stepId,
    'inputs.$': '$.inputs',
    'steps.$': '$.steps',
    ...(ectx.plan.dependsOn.length ? { 'workflows.$': '$.workflows' } : {}),
    // An action with parameters: the handler builds the child's input, the link to this execution included.
    ...(passesChildInput(ectx.plan, stepId) ? { 'executionId.$': '$$.Execution.Id' } : {}),
  };
}

const passesChildInput = (plan: WorkflowPlan, stepId: string) =>
  plan.steps.some((s) => s.stepId === stepId && [...s.onSuccess, ...s.onFailure].some((a) => a.inputs !== undefined));

/** Where a nested start reads its input: the matched action's evaluated parameters, else the current inputs (plus the link to this execution). */
const childInputOf = (id: string, action: ActionPlan) =>
  action.inputs !== undefined ? { 'Input.$': `$.steps${pathMember(id)}.childInput` } : undefined;

function catchInto(failed: string) {
  return [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: failed }];
}

/** A nested execution that hands the current inputs to another workflow (`dependsOn`, `goto` a workflow). */
function startWorkflowTask(ectx: EmitContext, stateName: string, target: { workflowId: string; source?: string }, fields: AslState, input?: { 'Input.$': string }): AslState {
  ectx.tasks[stateName] = { kind: 'startExecution', workflowId: target.workflowId, ...(target.source ? { source: target.source } : {}) };
  return {
    Type: 'Task',
    Comment: `run workflow ${target.workflowId} as a nested execution`,
    Resource: START_EXECUTION_SYNC,
    // The current inputs plus AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID (at `$.startedBy`, set by Validate inputs):
    // the console links the child to this execution; the child's input check drops the key.
    Parameters: { StateMachineArn: ectx.stateMachineArnFor(target.workflowId, target.source), ...(input ?? { 'Input.$': 'States.JsonMerge($.inputs, $.startedBy, false)' }) },
    // Only what is read of the child's DescribeExecution (its input and the rest would weigh on the 256 KiB state).
    ResultSelector: NESTED_RESULT,
    ...fields,
  };
}

/**
 * A 429 with Retry-After (transport.throttle): the handler throws `Arazzo.RetryAfter`. Its Catch
 * comes before the catch-all into `<step>.failed`, and no Retry lists the code (it is not
 * retryable), so nothing repeats the call at once. The Catch keeps the step's previous result
 * and puts the error beside it, at `$.steps.<id>.throttle`, where the handler finds the count of
 * waits in a row on the next call.
 */
function throttleCatch(step: StepPlan, taskState: string): AslState[] {
  if (!step.transport.throttle || step.callback || step.receive) return [];
  return [{ ErrorEquals: [ErrorCodes.RetryAfter], ResultPath: `$.steps${pathMember(step.stepId)}.throttle`, Next: StateNames.throttleCause(taskState) }];
}

/**
 * The turn of a throttled Task: read the delay, wait it, call again. On AWS the Cause of a
 * Lambda error is the JSON string `{"errorType", "errorMessage", "trace"}` (the local runner
 * gives this error the same Cause), and the message is the JSON the handler wrote: two parses,
 * one Pass each (an intrinsic's result cannot be indexed). InputPath, not a path inside the
 * intrinsic, so a step id that needs bracket notation never sits in an intrinsic's arguments.
 */
/** Where the throttled Wait reads its delay, under `$.steps.<id>` (what tells that Wait from a loop's). */
const THROTTLE_SECONDS_PATH = '.throttle.wait.seconds';

/**
 * Whether a state is the Wait of a provider's Retry-After: bounded by the handler (maxWaits ×
 * maxWaitSeconds) and taken only on a 429, unlike a polling loop's Wait.
 */
export const isThrottleWait = (state: AslState): boolean => state.Type === 'Wait' && typeof state.SecondsPath === 'string' && state.SecondsPath.endsWith(THROTTLE_SECONDS_PATH);

function emitThrottleStates(ectx: EmitContext, step: StepPlan, taskState: string) {
  if (!step.transport.throttle || step.callback || step.receive) return;
  const at = `$.steps${pathMember(step.stepId)}.throttle`;
  ectx.states[StateNames.throttleCause(taskState)] = {
    Type: 'Pass',
    Comment: `the provider throttled ${step.stepId} (429 with Retry-After): read the Lambda error's Cause`,
    InputPath: at,
    Parameters: { 'cause.$': 'States.StringToJson($.Cause)' },
    ResultPath: at,
    Next: StateNames.throttleDelay(taskState),
  };
  ectx.states[StateNames.throttleDelay(taskState)] = {
    Type: 'Pass',
    Comment: 'read the delay and the count of waits in a row from the error message (the handler bounds both)',
    InputPath: `${at}.cause`,
    Parameters: { 'wait.$': 'States.StringToJson($.errorMessage)' },
    ResultPath: at,
    Next: StateNames.throttled(taskState),
  };
  ectx.states[StateNames.throttled(taskState)] = {
    Type: 'Wait',
    Comment: `wait the provider's Retry-After (at most ${step.transport.throttle.maxWaitSeconds} s, ${step.transport.throttle.maxWaits} times in a row), then call again`,
    SecondsPath: `$.steps${pathMember(step.stepId)}${THROTTLE_SECONDS_PATH}`,
    Next: taskState,
  };
}

/**
 * Where a timed step's start is kept (a top-level key: `$.steps.<id>` holds the step's previous
 * result until the Task replaces it). Read by the step's Task only.
 */
const STEP_STARTED = '$.stepStarted';

/**
 * The first state of an operation step with a `timeout` (Arazzo 1.1): the whole step, all its
 * provider-fault attempts, their backoff and any Retry-After waits, must fit the timeout. A Task's
 * Retry sends each attempt the same input and Step Functions bounds only one attempt
 * (TimeoutSeconds), so this Pass stamps the step's start (`$$.State.EnteredTime`, the local engine
 * fills it as AWS does for a Pass: local/state-clock.ts) and the handler measures every attempt
 * against it. Entering `<stepId>` again (a `retry` action, a `goto` loop) starts a new run of the
 * step, with a new deadline; a Retry-After Wait goes back to the Task and keeps it.
 */
function stepStartStamp(step: StepPlan): AslState {
  return {
    Type: 'Pass',
    Comment: `start ${step.stepId}'s timeout of ${step.timeoutMs} ms: every attempt of the call must end within it`,
    Parameters: { 'at.$': '$$.State.EnteredTime' },
    ResultPath: STEP_STARTED,
    Next: StateNames.call(step.stepId),
  };
}

/** The Task of an operation step: its operation's function decides the step, its result at `$.steps.<id>`. */
function operationTask(ectx: EmitContext, step: StepPlan, stateName: string, comment: string, stamped = false): AslState {
  const id = step.stepId;
  ectx.tasks[stateName] = { functionKey: step.operation.key, stepId: id };
  return {
    Type: 'Task',
    Comment: comment,
    Resource: ectx.resourceFor(step.operation.key),
    Parameters: { ...stateParameters(ectx, id), ...(stamped ? { 'startedAt.$': `${STEP_STARTED}.at` } : {}) },
    ResultPath: `$.steps${pathMember(id)}`,
    // The handler enforces a step timeout (Arazzo 1.1) against the step's start, to the millisecond; the Task's bound is one attempt's backstop.
    TimeoutSeconds:
      step.timeoutMs !== undefined ? operationTaskTimeoutSeconds(step.timeoutMs) : Math.ceil((step.transport.connectTimeoutMs + step.transport.requestTimeoutMs) / 1000) + 30,
    Retry: step.transport.retrySafe ? [PROVIDER_RETRY, LAMBDA_SERVICE_RETRY] : [LAMBDA_SERVICE_RETRY],
    Catch: [...throttleCatch(step, stateName), ...catchInto(StateNames.failed(id))],
  };
}

/**
 * An Arazzo 1.1 `receive` step: the step's function registers the task token under the channel
 * and the correlation id, and the receiver (webhook Function URL, SQS or EventBridge target)
 * sends it back with the step's result when the message arrives. Its `timeout` is TimeoutSeconds;
 * past it the step fails with Arazzo.MessageTimeout, or goes where an onFailure `goto` without
 * criteria sends it (Arazzo: no message in time fails the step and triggers its onFailure actions).
 */
function receiveTask(ectx: EmitContext, step: StepPlan, receive: NonNullable<StepPlan['receive']>): AslState {
  const id = step.stepId;
  ectx.tasks[StateNames.step(id)] = { functionKey: step.operation.key, stepId: id, waitsForCallback: true };
  const fallback = step.onFailure.find((a) => a.type === 'goto' && a.stepId && !a.criteria.length && !a.workflow);
  if (!fallback) {
    ectx.states[StateNames.timedOut(id)] = {
      Type: 'Fail',
      Error: ErrorCodes.MessageTimeout,
      Cause: `step ${id} received no matching message on channel ${step.channel?.channel ?? step.operation.path} within ${receive.timeoutSeconds} s`,
    };
  }
  return {
    Type: 'Task',
    Comment: step.description?.slice(0, 200) ?? `wait for a message on channel ${step.channel?.channel ?? step.operation.path}`,
    Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
    Parameters: {
      FunctionName: ectx.resourceFor(step.operation.key),
      Payload: { ...stateParameters(ectx, id), 'taskToken.$': '$$.Task.Token', 'executionId.$': '$$.Execution.Id' },
    },
    ResultPath: `$.steps${pathMember(id)}`,
    TimeoutSeconds: receive.timeoutSeconds,
    Retry: [LAMBDA_SERVICE_RETRY],
    Catch: [
      fallback
        ? { ErrorEquals: ['States.Timeout'], ResultPath: '$.error', Next: StateNames.step(fallback.stepId!) }
        : { ErrorEquals: ['States.Timeout'], Next: StateNames.timedOut(id) },
      ...catchInto(StateNames.failed(id)),
    ],
  };
}

/**
 * What a `retry` with a stepId or workflowId runs before the retry: that step's Task (its result
 * stored as its own, its actions not routed: the retry comes next whatever it decided; a failure
 * no action of its own handles fails the execution through its Fail state), or the workflow as a
 * nested execution with the current inputs. Then the retry's Wait, then the step again.
 */
function runFirstState(ectx: EmitContext, id: string, action: ActionPlan, next: string): string {
  const runFirst = action.runFirst!;
  if ('workflow' in runFirst) {
    // With parameters, each action has its own start: the input is that action's.
    const name = StateNames.runFirst(id, action.inputs !== undefined ? `${runFirst.workflow.workflowId}.${action.name}` : runFirst.workflow.workflowId);
    if (!ectx.states[name]) {
      ectx.states[name] = startWorkflowTask(ectx, name, runFirst.workflow, { ResultPath: `$.nested${pathMember(id)}.retry`, Catch: catchInto(StateNames.failed(id)), Next: next }, childInputOf(id, action));
    }
    return name;
  }
  const name = StateNames.runFirst(id, runFirst.stepId);
  const target = ectx.plan.steps.find((s) => s.stepId === runFirst.stepId);
  // The planner allows only an operation step without a callback here.
  if (!target || isWorkflowStep(target) || target.callback || target.receive) throw new Error(`step ${id}: a retry cannot run step ${runFirst.stepId} first`);
  if (!ectx.states[name]) {
    ectx.states[name] = { ...operationTask(ectx, target, name, `run ${runFirst.stepId} before retrying ${id}`), Next: next };
    emitThrottleStates(ectx, target, name);
  }
  return name;
}

/**
 * The states of one step. The "deciding" Task (the operation's Task, or `<id>.result` after a
 * nested execution) stores a StepResult at `$.steps.<id>`; a Choice routes on its outcome.
 */
function emitStep(ectx: EmitContext, step: AnyStepPlan, next: string | undefined) {
  const { states } = ectx;
  const id = step.stepId;
  let decider: AslState;
  if (isWorkflowStep(step)) {
    const fn = workflowFunctionKey(ectx.plan.workflowId);
    ectx.tasks[StateNames.step(id)] = { functionKey: fn, stepId: id };
    states[StateNames.step(id)] = {
      Type: 'Task',
      Comment: step.description?.slice(0, 200) ?? `prepare the inputs of workflow ${step.target.workflowId}`,
      Resource: ectx.resourceFor(fn),
      Parameters: { phase: 'input', ...stateParameters(ectx, id), 'executionId.$': '$$.Execution.Id' },
      ResultPath: `$.nested${pathMember(id)}.input`,
      TimeoutSeconds: 30,
      Retry: [LAMBDA_SERVICE_RETRY],
      Catch: catchInto(StateNames.failed(id)),
      Next: StateNames.run(id),
    };
    ectx.tasks[StateNames.run(id)] = { kind: 'startExecution', workflowId: step.target.workflowId, ...(step.target.source ? { source: step.target.source } : {}) };
    states[StateNames.run(id)] = {
      Type: 'Task',
      Comment: `run workflow ${step.target.workflowId} as a nested execution and wait for it`,
      Resource: START_EXECUTION_SYNC,
      Parameters: { StateMachineArn: ectx.stateMachineArnFor(step.target.workflowId, step.target.source), 'Input.$': `$.nested${pathMember(id)}.input` },
      ResultSelector: { ...NESTED_RESULT, 'output.$': '$.Output' },
      ResultPath: `$.nested${pathMember(id)}.run`,
      ...(step.timeoutMs !== undefined ? { TimeoutSeconds: Math.ceil(step.timeoutMs / 1000) } : {}),
      // The child's failure is the step's to judge (onFailure actions): it goes to the result handler too.
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: `$.nested${pathMember(id)}.run`, Next: StateNames.result(id) }],
      Next: StateNames.result(id),
    };
    ectx.tasks[StateNames.result(id)] = { functionKey: fn, stepId: id };
    decider = {
      Type: 'Task',
      Comment: `decide ${id}'s outcome from workflow ${step.target.workflowId}`,
      Resource: ectx.resourceFor(fn),
      Parameters: { phase: 'result', ...stateParameters(ectx, id), 'run.$': `$.nested${pathMember(id)}.run` },
      ResultPath: `$.steps${pathMember(id)}`,
      TimeoutSeconds: 30,
      Retry: [LAMBDA_SERVICE_RETRY],
      Catch: catchInto(StateNames.failed(id)),
    };
    states[StateNames.result(id)] = decider;
  } else if (step.callback) {
    const { callback } = step;
    const timeoutSeconds = step.timeoutMs !== undefined ? Math.min(callback.timeoutSeconds, Math.ceil(step.timeoutMs / 1000)) : callback.timeoutSeconds;
    ectx.tasks[StateNames.step(id)] = { functionKey: step.operation.key, stepId: id, waitsForCallback: true };
    decider = {
      Type: 'Task',
      Comment: step.description?.slice(0, 200) ?? `${step.operation.method} ${step.operation.path}, then wait for the callback`,
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: {
        FunctionName: ectx.resourceFor(step.operation.key),
        Payload: { ...stateParameters(ectx, id), 'taskToken.$': '$$.Task.Token', 'executionId.$': '$$.Execution.Id' },
      },
      ResultPath: `$.steps${pathMember(id)}`,
      // A lost or late callback cannot park the execution: silence past the heartbeat, or no settled status in time, ends the wait.
      // ASL wants the heartbeat shorter than the timeout: a step timeout below it leaves the timeout alone to bound the wait.
      ...(callback.heartbeatSeconds < timeoutSeconds ? { HeartbeatSeconds: callback.heartbeatSeconds } : {}),
      TimeoutSeconds: timeoutSeconds,
      // Only the Lambda service's own faults: a function error may follow a request the provider already accepted.
      Retry: [LAMBDA_SERVICE_RETRY],
      Catch: [
        ...(callback.onTimeout ? [{ ErrorEquals: ['States.Timeout', 'States.HeartbeatTimeout'], ResultPath: '$.error', Next: StateNames.step(callback.onTimeout) }] : []),
        ...catchInto(StateNames.failed(id)),
      ],
    };
    states[StateNames.step(id)] = decider;
  } else if (step.receive) {
    decider = receiveTask(ectx, step, step.receive);
    states[StateNames.step(id)] = decider;
  } else {
    const comment = step.description?.slice(0, 200) ?? `${step.operation.method} ${step.operation.path}`;
    // Insertion order is the order a reader meets the states in the JSON: the step's first state first.
    if (step.timeoutMs !== undefined) {
      states[StateNames.step(id)] = stepStartStamp(step);
      decider = operationTask(ectx, step, StateNames.call(id), comment, true);
      states[StateNames.call(id)] = decider;
      emitThrottleStates(ectx, step, StateNames.call(id));
    } else {
      decider = operationTask(ectx, step, StateNames.step(id), comment);
      states[StateNames.step(id)] = decider;
      emitThrottleStates(ectx, step, StateNames.step(id));
    }
  }
  states[StateNames.failed(id)] = { Type: 'Fail', Comment: `${id} failed`, ErrorPath: '$.error.Error', CausePath: '$.error.Cause' };

  const endState = () => {
    if (!states[StateNames.end(id)]) states[StateNames.end(id)] = { Type: 'Succeed', OutputPath: `$.steps${pathMember(id)}.workflowOutputs` };
    return StateNames.end(id);
  };

  const branchEnd = () => {
    states[StateNames.branchEnd(id)] = { Type: 'Succeed', ...BRANCH_END_OUTPUT };
    return StateNames.branchEnd(id);
  };

  const actions: ActionPlan[] = [...step.onSuccess, ...step.onFailure];
  if (!actions.length) {
    // The handler throws on failure (caught above), so success has one route: no Choice, one transition less.
    if (step.endsOnDefaultSuccess) Object.assign(decider, { OutputPath: `$.steps${pathMember(id)}.workflowOutputs`, End: true });
    else if (next) decider.Next = next;
    else Object.assign(decider, BRANCH_END);
    return;
  }

  decider.Next = StateNames.route(id);
  const loops = actions.filter((a) => a.loop);
  const choices: AslState[] = [];
  for (const action of actions) {
    if (action.type === 'end') {
      choices.push({ ...outcomeIs(id, action.outcome), Next: endState() });
    } else if (action.workflow) {
      // With parameters, each action has its own start: the input is that action's.
      const name = StateNames.gotoWorkflow(id, action.inputs !== undefined ? `${action.workflow.workflowId}.${action.name}` : action.workflow.workflowId);
      if (!states[name]) {
        states[name] = startWorkflowTask(ectx, name, action.workflow, { ResultPath: `$.nested${pathMember(id)}.goto`, Catch: catchInto(StateNames.failed(id)), Next: endState() }, childInputOf(id, action));
      }
      choices.push({ ...outcomeIs(id, action.outcome), Next: name });
    } else if (action.loop) {
      const waitName = StateNames.wait(id, action.name ?? action.outcome, loops.length > 1);
      states[StateNames.limit(id)] = {
        Type: 'Fail',
        Error: ErrorCodes.RetryLimitExceeded,
        Cause: `step ${id} ran ${action.loop.maxAttempts} times and its ${action.kind} action "${action.name}" still asked for another turn`,
      };
      choices.push({
        And: [outcomeIs(id, action.outcome), { Variable: `$.steps${pathMember(id)}.attempts`, NumericGreaterThanEquals: action.loop.maxAttempts }],
        Next: StateNames.limit(id),
      });
      choices.push({ ...outcomeIs(id, action.outcome), Next: action.runFirst ? runFirstState(ectx, id, action, waitName) : waitName });
      states[waitName] = {
        Type: 'Wait',
        Comment: `pace the ${action.type === 'retry' ? 'retry' : 'loop'} of ${id} (x-arazzo-sfn-loop)`,
        SecondsPath: `$.steps${pathMember(id)}.delaySeconds`,
        Next: StateNames.step(action.stepId ?? id),
      };
    } else {
      choices.push({ ...outcomeIs(id, action.outcome), Next: StateNames.step(action.stepId!) });
    }
  }
  states[StateNames.route(id)] = {
    Type: 'Choice',
    Choices: choices,
    Default: step.endsOnDefaultSuccess ? endState() : (next ?? branchEnd()),
  };
}

/** Whether the workflow starts a nested execution with its inputs as they are (not a workflow step, which prepares its child's input). */
function startsNested(plan: WorkflowPlan): boolean {
  return plan.dependsOn.length > 0 || plan.steps.some((s) => [...s.onSuccess, ...s.onFailure].some((a) => a.workflow || (a.runFirst && 'workflow' in a.runFirst)));
}

/** Renders one workflow plan as a JSONPath ASL definition (the engine runs JSONPath only). */
export function emitAsl(plan: WorkflowPlan, options: EmitOptions = {}): EmittedWorkflow {
  const ectx: EmitContext = {
    plan,
    states: {},
    tasks: {},
    resourceFor: options.resourceFor ?? localResourceFor,
    stateMachineArnFor: options.stateMachineArnFor ?? localStateMachineArnFor,
  };
  const { states, tasks } = ectx;
  const first = plan.schedule ? firstScheduledState(plan.schedule) : StateNames.step(plan.steps[0].stepId);
  const fn = workflowFunctionKey(plan.workflowId);

  tasks[StateNames.validateInputs] = { functionKey: fn };
  states[StateNames.validateInputs] = {
    Type: 'Task',
    Comment: 'Check the execution input against the workflow inputs schema before any call',
    Resource: ectx.resourceFor(fn),
    // The execution id when a nested execution takes the inputs as they are (dependsOn, goto or retry a workflow): the handler
    // returns it at `$.startedBy` as AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID, for those Tasks to merge into the child's input.
    Parameters: { workflow: plan.workflowId, 'inputs.$': '$', ...(startsNested(plan) ? { 'executionId.$': '$$.Execution.Id' } : {}) },
    // No ResultPath: the default ("$") replaces the state with the handler's result. Written out,
    // aws-local-stepfunctions 3.0.0 mishandles "$" (it sets a key named "$" instead).
    TimeoutSeconds: 30,
    Retry: [LAMBDA_SERVICE_RETRY],
    // The catcher replaces the state with the error: an input that is not an object has no room for `$.error`.
    Catch: [{ ErrorEquals: ['States.ALL'], Next: StateNames.inputsInvalid }],
    Next: plan.dependsOn.length ? StateNames.dependsOn(plan.dependsOn[0].workflowId) : first,
  };
  states[StateNames.inputsInvalid] = { Type: 'Fail', Comment: 'the execution input does not satisfy the workflow inputs', ErrorPath: '$.Error', CausePath: '$.Cause' };

  // dependsOn: each dependency runs to success, in order, with this execution's inputs, before the first step.
  plan.dependsOn.forEach((dep, i) => {
    const name = StateNames.dependsOn(dep.workflowId);
    states[name] = startWorkflowTask(ectx, name, dep, {
      ResultSelector: { 'outputs.$': '$.Output' },
      ResultPath: `$.workflows${pathMember(dep.workflowId)}`,
      Catch: catchInto(StateNames.dependsOnFailed(dep.workflowId)),
      Next: plan.dependsOn[i + 1] ? StateNames.dependsOn(plan.dependsOn[i + 1].workflowId) : first,
    });
    states[StateNames.dependsOnFailed(dep.workflowId)] = { Type: 'Fail', Comment: `workflow ${dep.workflowId}, which ${plan.workflowId} depends on, failed`, ErrorPath: '$.error.Error', CausePath: '$.error.Cause' };
  });

  if (plan.schedule) emitSchedule(ectx, plan.schedule, emitStep);
  else plan.steps.forEach((step, i) => emitStep(ectx, step, plan.steps[i + 1] && StateNames.step(plan.steps[i + 1].stepId)));

  return {
    definition: {
      Comment: `${plan.workflowId}${plan.summary ? ` — ${plan.summary}` : ''} (compiled by arazzo-sfn from ${basename(plan.sourceFile)})`,
      StartAt: StateNames.validateInputs,
      TimeoutSeconds: options.timeoutSeconds ?? defaultExecutionTimeoutSeconds({ States: states }, plan),
      States: states,
    },
    tasks,
  };
}
