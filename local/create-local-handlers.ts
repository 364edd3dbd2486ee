import type { CompiledWorkflow } from '../compiler/compile-file.js';
import { handleStep, type StepRuntime } from '../functions/runtime/handle-step.js';
import { handleWorkflowFunction, type WorkflowFunctionEvent } from '../functions/runtime/handle-workflow-function.js';
import { ErrorCodes, planError } from '../core/errors.js';
import { isWorkflowStep, type StepEvent } from '../core/plan.js';
import type { LocalCallbacks } from './local-callbacks.js';

export interface TaskInvocation {
  readonly stateName: string;
  readonly input: unknown;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly output?: unknown;
  readonly error?: { readonly name: string; readonly message: string };
  /** A callback Task: its request with the real task token, and when the step's Lambda answered (the Task then waits for the token). */
  readonly submitted?: SubmittedTask;
}

/** A callback Task whose step Lambda has run and whose token is out: what AWS shows as TaskScheduled (with the token), TaskStarted, TaskSubmitted. */
export interface SubmittedTask {
  readonly stateName: string;
  /** The Task's parameters with `Payload.taskToken` the token issued (the engine has none of its own). */
  readonly input: unknown;
  readonly startedAt: number;
  readonly at: number;
  /** The Lambda Invoke response the Task got back before it started waiting. */
  readonly output: unknown;
}

/** Runs another workflow as a nested execution and answers as `states:startExecution.sync:2` does. */
export type StartChildExecution = (target: { readonly workflowId: string; readonly source?: string }, request: { readonly StateMachineArn: string; readonly Input: unknown }) => Promise<unknown>;

type LocalHandler = (input: any) => Promise<any>;

export interface LocalCallbackOptions {
  readonly local: LocalCallbacks;
  /** Milliseconds per second of HeartbeatSeconds/TimeoutSeconds (tests shorten the waits). @default 1000 */
  readonly secondsToMs?: number;
}

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
  callbacks?: LocalCallbackOptions,
  /** Told when a callback Task's token is out (before it comes back, which `onInvocation` reports with the same `submitted`). */
  onSubmitted?: (submitted: SubmittedTask) => void,
): Record<string, LocalHandler> {
  const handlers: Record<string, LocalHandler> = {};
  const stepsById = new Map(workflow.plan.steps.map((s) => [s.stepId, s]));
  // Receive steps are known to the receiver before they wait: a message that overtakes its step is kept for it, not refused.
  for (const step of workflow.plan.steps) if (!isWorkflowStep(step) && step.receive) callbacks?.local.register(step);
  for (const [stateName, binding] of Object.entries(workflow.tasks)) {
    let run: (input: any, submit: (s: Omit<SubmittedTask, 'stateName' | 'startedAt'>) => void) => Promise<any>;
    if (binding.kind === 'startExecution') {
      run = async (request) => {
        if (!startChild) throw planError(`state "${stateName}" starts workflow ${binding.workflowId}, which this run has not loaded`);
        return startChild(binding, request);
      };
    } else if (binding.waitsForCallback) {
      // `lambda:invoke.waitForTaskToken`: the Parameters wrap the event in Payload; the Task ends when the receiver sends the token back.
      run = async (request: { Payload: StepEvent }, submit) => {
        const plan = stepsById.get(request.Payload.step);
        if (!plan || isWorkflowStep(plan) || !(plan.callback || plan.receive)) throw planError(`no callback or receive step "${request.Payload.step}" in workflow ${workflow.plan.workflowId}`);
        if (!callbacks) throw planError(`step ${plan.stepId} waits for a ${plan.receive ? 'message' : 'callback'}: run it with a local callback receiver (LocalRunOptions.callbacks)`);
        callbacks.local.register(plan);
        const scale = callbacks.secondsToMs ?? 1000;
        // A receive step has no heartbeat: its timeout is the one bound of the wait.
        const limits = plan.callback
          ? { heartbeatMs: plan.callback.heartbeatSeconds * scale, timeoutMs: plan.callback.timeoutSeconds * scale }
          : { heartbeatMs: plan.receive!.timeoutSeconds * scale, timeoutMs: plan.receive!.timeoutSeconds * scale };
        const { token, result } = callbacks.local.tokens.issue(limits);
        const payload = { ...request.Payload, taskToken: token };
        const answered = await handleStep(plan, payload, {
          ...runtime,
          callbacks: { baseUrl: callbacks.local.baseUrl, store: callbacks.local.store, tokens: callbacks.local.tokens, onForged: (reason) => callbacks.local.countForged(reason) },
        });
        submit({ input: { ...request, Payload: payload }, at: Date.now(), output: { ExecutedVersion: '$LATEST', Payload: answered, StatusCode: 200 } });
        return result;
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
    handlers[stateName] = async (request) => {
      const startedAt = Date.now();
      let submitted: SubmittedTask | undefined;
      const submit = (s: Omit<SubmittedTask, 'stateName' | 'startedAt'>) => {
        submitted = { ...s, stateName, startedAt };
        onSubmitted?.(submitted);
      };
      const done = () => ({ stateName, input: submitted?.input ?? request, startedAt, endedAt: Date.now(), ...(submitted ? { submitted } : {}) });
      try {
        const output = await run(request, submit);
        onInvocation?.({ ...done(), output });
        return output;
      } catch (err) {
        const error = { name: (err as Error).name, message: lambdaCause(err as Error) };
        onInvocation?.({ ...done(), error });
        // The engine reports `name` as the error and `message` as the cause, as Lambda does with errorType/errorMessage.
        const clean = new Error(error.message);
        clean.name = error.name;
        throw clean;
      }
    };
  }
  return handlers;
}

/**
 * The Cause the engine reports for a handler's error. On AWS the Cause of a Lambda error is the
 * JSON string `{"errorType", "errorMessage", "trace"}`; `Arazzo.RetryAfter` gets that form here
 * too, because the emitted `<state>.throttled.cause` Pass parses it. Other errors keep the bare
 * message, which is what every other state reads (`<step>.failed`'s CausePath and the history).
 */
function lambdaCause(err: Error): string {
  return err.name === ErrorCodes.RetryAfter ? JSON.stringify({ errorType: err.name, errorMessage: err.message, trace: [] }) : err.message;
}
