import type { ArazzoStep } from '../validate/arazzo-schema.js';
import { reportAt, type PlanContext } from './plan-context.js';

/**
 * Arazzo 1.1 step `timeout`: "the maximum number of milli-seconds to wait for the step to
 * complete before aborting and failing the step", which "will fail the workflow unless
 * `onFailure` actions are defined". Step Functions bounds a Task per attempt (`TimeoutSeconds`),
 * so the timeout bounds one run of the step: the operation's HTTP exchange (the handler, to the
 * millisecond), a nested execution, a callback wait.
 */

/** A Lambda function runs for at most 15 minutes. */
export const LAMBDA_MAX_SECONDS = 900;
/**
 * What an operation function needs besides its call: the CDK function's timeout is its longest
 * call plus 10 s (infra/cdk/arazzo-workflow.ts), and the connect timeout counts in that call.
 */
const OPERATION_OVERHEAD_SECONDS = 10 + 5;
/** The longest an operation step may wait: what a Lambda Task can hold. */
export const MAX_OPERATION_TIMEOUT_MS = (LAMBDA_MAX_SECONDS - OPERATION_OVERHEAD_SECONDS) * 1000;
/** A standard execution runs for at most one year: no Task waits longer. */
export const MAX_TASK_TIMEOUT_MS = 31_536_000 * 1000;

/** What a step's Task waits on, which decides the limit its timeout must fit. */
export type TimedStepKind = 'operation' | 'callback' | 'workflow';

/**
 * The step's timeout in milliseconds as the plan carries it, or undefined when it has none.
 * Zero is refused (the step would fail before it starts); a timeout past what its Task can wait is
 * warned about and lowered to that limit, so the document still compiles to something deployable.
 */
export function planStepTimeout(ctx: PlanContext, step: ArazzoStep, pointer: string, kind: TimedStepKind): number | undefined {
  const timeout = step.timeout;
  if (timeout === undefined) return undefined;
  if (timeout < 1) {
    reportAt(ctx, `${pointer}/timeout`, 'stepTimeout', `step "${step.stepId}": a timeout of 0 ms fails the step before it starts; give the milliseconds it may wait, or leave timeout out`);
    return undefined;
  }
  const limit = kind === 'operation' ? MAX_OPERATION_TIMEOUT_MS : MAX_TASK_TIMEOUT_MS;
  if (timeout <= limit) return timeout;
  const why =
    kind === 'operation'
      ? `its call runs in a Lambda function, which stops after ${LAMBDA_MAX_SECONDS} s (the function also needs ${OPERATION_OVERHEAD_SECONDS} s besides the call)`
      : 'a standard Step Functions execution lasts at most one year';
  reportAt(ctx, `${pointer}/timeout`, 'stepTimeoutLimit', `step "${step.stepId}": timeout ${timeout} ms is longer than its Task can wait: ${why}; it waits ${limit} ms`, 'warning');
  return limit;
}

/** `TimeoutSeconds` of an operation step's Task: the timeout, plus one second for the invocation so the handler reports the timeout itself (and onFailure applies). */
export const operationTaskTimeoutSeconds = (timeoutMs: number) => Math.ceil(timeoutMs / 1000) + 1;
