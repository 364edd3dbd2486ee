import type { ThrottlePolicy } from '../../core/plan.js';
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

/** The least bound of a whole execution when none is given (EmitOptions.timeoutSeconds): one day, or the plan's longest bounded path when longer. */
export const DEFAULT_EXECUTION_TIMEOUT_SECONDS = 86_400;

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

/** What an operation step's timeout competes with: its transport's bounds and retries. */
export interface TimedTransport {
  readonly retrySafe: boolean;
}

/**
 * The bound a step is linted against: the one given, else a year. Without one the emitted bound
 * covers every step's bounded wait (compiler/emit/execution-bound.ts), up to a year.
 */
const executionBound = (ctx: PlanContext) => ctx.executionTimeoutSeconds ?? MAX_TASK_TIMEOUT_MS / 1000;

/**
 * Lint of a step timeout that cannot hold as written (warnings: the document still compiles).
 * - Against the execution's own bound: the execution ends first (`States.Timeout` for the whole
 *   execution), so the step never fails by its timeout and its onFailure actions never run.
 * - Against one attempt of the step's retry policy: a connect timeout longer than the step's (a
 *   slow connection fails the step instead of being retried). A Retry-After past what is left of
 *   the timeout is not linted: the throttle bound (60 s by default) would flag most timeouts, and
 *   the handler fails such a step by its timeout at once. The `retryAfter` of an Arazzo `retry`
 *   action is not compared either: the action runs the step again, with a timeout of its own.
 */
export function lintStepTimeout(ctx: PlanContext, step: ArazzoStep, pointer: string, timeoutMs: number, transport?: TimedTransport): void {
  const at = `${pointer}/timeout`;
  const id = step.stepId;
  const execution = executionBound(ctx);
  if (timeoutMs >= execution * 1000) {
    reportAt(
      ctx,
      at,
      'stepTimeoutExecution',
      `step "${id}": timeout ${timeoutMs} ms is not shorter than the execution's own bound of ${execution} s${execution <= 300 ? ' (an EXPRESS execution lasts at most 5 minutes)' : ''}: the execution times out first (States.Timeout), and the step's onFailure actions never run; shorten the timeout or raise the execution's`,
      'warning',
    );
  }
  if (!transport?.retrySafe) return;
  const connect = ctx.options.connectTimeoutMs ?? 5_000;
  if (timeoutMs < connect) {
    reportAt(
      ctx,
      at,
      'stepTimeoutRetry',
      `step "${id}": timeout ${timeoutMs} ms is shorter than one attempt's connect timeout (${connect} ms): a connection slower than ${timeoutMs} ms fails the step by its timeout instead of going to the provider-fault Retry`,
      'warning',
    );
  }
}

/**
 * A 1.0 callback step's `x-arazzo-sfn-callback.timeoutSeconds`, where it is the step's wait (no
 * shorter step `timeout`), against the execution's own bound: the same problem as a step timeout
 * (ASFN2171), and the same code. ASFN2171 owns both, for the `compile` CLI and the construct alike
 * (the construct passes its `timeout` as the bound); the construct's own synth warning
 * `arazzo-sfn:CallbackOutlivesExecution` said the same and was merged into it. A receive step
 * without `timeout` is not warned: it has no timeout of its own to lose, and waits as long as the
 * execution does by default.
 */
export function lintCallbackTimeout(ctx: PlanContext, step: ArazzoStep, pointer: string, callback: { readonly timeoutSeconds: number; readonly onTimeout?: string }): void {
  const execution = executionBound(ctx);
  if (callback.timeoutSeconds < execution) return;
  reportAt(
    ctx,
    pointer,
    'stepTimeoutExecution',
    `step "${step.stepId}": its callback's timeoutSeconds ${callback.timeoutSeconds} is not shorter than the execution's own bound of ${execution} s: the execution times out first (States.Timeout)${callback.onTimeout ? `, and ${callback.onTimeout} never takes over` : ''}; shorten timeoutSeconds or raise the execution's timeout`,
    'warning',
  );
}

/**
 * On an execution bounded more tightly than the throttle (EXPRESS: 5 minutes), a step's
 * Retry-After waits (`maxWaits` × `maxWaitSeconds` in a row) can outlast the whole execution,
 * which then times out (States.Timeout) before the throttle's own bound fails the step.
 */
export function lintThrottleBound(ctx: PlanContext, step: ArazzoStep, pointer: string, throttle: ThrottlePolicy | undefined): void {
  if (!throttle) return;
  const execution = executionBound(ctx);
  const longest = throttle.maxWaits * throttle.maxWaitSeconds;
  if (longest < execution) return;
  reportAt(
    ctx,
    pointer,
    'throttleExecution',
    `step "${step.stepId}": a provider's Retry-After can hold it for up to ${throttle.maxWaits} × ${throttle.maxWaitSeconds} s = ${longest} s (throttle option), not less than the execution's own bound of ${execution} s${execution <= 300 ? ' (an EXPRESS execution lasts at most 5 minutes)' : ''}: a throttled execution times out (States.Timeout) before the throttle fails the step with Arazzo.Throttled; lower throttle.maxWaits or maxWaitSeconds`,
    'warning',
  );
}
