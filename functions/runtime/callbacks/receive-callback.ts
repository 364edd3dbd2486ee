import { prepareCriteria } from '../../../core/criteria/index.js';
import { allPass, decideOutcome, openContext } from '../decide-outcome.js';
import { ArazzoRuntimeError, ErrorCodes } from '../../../core/errors.js';
import { resolveAccessors } from '../../../core/expressions/resolve-accessors.js';
import type { StepPlan } from '../../../core/plan.js';
import type { Sealer, SecretsProvider } from '../secrets/index.js';
import type { CallbackStore } from './callback-store.js';
import { isTaskNoLongerWaiting } from './sfn-task-token-client.js';
import type { TaskTokenClient } from './task-token-client.js';
import { pointerTokens } from '../../../core/json-pointer.js';
import { verifyCallbackSignature, type ForgedReason } from './verify-callback-signature.js';

export interface CallbackReceiverDeps {
  readonly store: CallbackStore;
  readonly tokens: TaskTokenClient;
  /** The plan of a callback step, by workflow and step id. */
  planFor(workflowId: string, stepId: string): StepPlan | undefined;
  readonly sealer: Sealer;
  /**
   * Read only for a step's webhook verification key (`verify.secret`): a settled callback is
   * judged without opening any credential.
   */
  readonly secrets: SecretsProvider;
  /** Told of every refused callback (401), for the forged-callback metric. */
  readonly onForged?: (reason: ForgedReason | 'unknown-callback', step?: { readonly workflowId: string; readonly stepId: string }) => void;
  /** @default Date.now */
  readonly now?: () => number;
}

export interface CallbackAnswer {
  readonly status: number;
  readonly body: { readonly result: string; readonly status?: string };
}


/** False when Step Functions says the Task no longer waits (timed out, execution ended): the callback came too late. */
export async function resumes(send: () => Promise<void>): Promise<boolean> {
  try {
    await send();
    return true;
  } catch (err) {
    if (isTaskNoLongerWaiting(err)) return false;
    throw err;
  }
}

const TOO_LATE = 410;

/**
 * Handles one webhook call for a callback step. An unknown id is refused (401). A step that
 * declares `verify` admits only a callback signed by the provider within the tolerance window and
 * not seen before; any other is refused (401) and counted (`onForged`), whatever the step's state.
 * A callback for a step already settled (a duplicate, one out of order) is refused (409): none of
 * these touches an execution. A pending status is a heartbeat (202); a settled status resumes the Task
 * with the step's outcome, judged as an HTTP response would be (`$response.body` = the callback).
 * A callback whose Task no longer waits (it timed out, its execution ended) is answered 410.
 */
export async function receiveCallback(
  id: string,
  request: { headers: Record<string, string>; body: unknown; rawBody?: Buffer },
  deps: CallbackReceiverDeps,
): Promise<CallbackAnswer> {
  const pending = await deps.store.get(id);
  if (!pending) {
    deps.onForged?.('unknown-callback');
    return { status: 401, body: { result: 'unknown callback' } };
  }
  const plan = deps.planFor(pending.workflowId, pending.stepId);
  if (!plan?.callback) return { status: 500, body: { result: 'no plan for this callback' } };
  const forged = (reason: ForgedReason): CallbackAnswer => {
    deps.onForged?.(reason, { workflowId: pending.workflowId, stepId: pending.stepId });
    return { status: 401, body: { result: 'callback not verified' } };
  };
  // Verified before anything else, settled or not: a forged or replayed callback learns nothing and changes nothing.
  let deliveryId: string | undefined;
  if (plan.callback.verify) {
    const key = await deps.secrets.getSecret(plan.callback.verify.secret);
    const check = verifyCallbackSignature({ headers: request.headers, rawBody: request.rawBody ?? Buffer.alloc(0) }, key, plan.callback.verify, (deps.now ?? Date.now)());
    if (!check.ok) return forged(check.reason);
    deliveryId = check.deliveryId;
  }
  /** Marks the delivery seen just before it takes effect, so a fault earlier leaves the provider's retry welcome. */
  const fresh = async () => deliveryId === undefined || (await deps.store.markSeen(id, deliveryId));
  if (pending.settled) return deliveryId !== undefined && !(await fresh()) ? forged('replayed') : { status: 409, body: { result: 'already settled' } };

  const status = resolveAccessors(request.body, [{ kind: 'pointer', tokens: pointerTokens(plan.callback.statusPointer) }]);
  if (typeof status !== 'string') return { status: 400, body: { result: 'no status in the callback' } };

  if (plan.callback.pending.includes(status)) {
    if (!(await fresh())) return forged('replayed');
    await deps.store.record(id, status);
    if (!(await resumes(() => deps.tokens.sendTaskHeartbeat(pending.taskToken)))) return { status: TOO_LATE, body: { result: 'no longer waiting', status } };
    return { status: 202, body: { result: 'waiting', status } };
  }

  // Judged before the step is marked settled: a fault here (KMS, an xpath engine that cannot load) leaves it open for the provider's retry.
  await prepareCriteria(plan);
  const opened = await openContext(plan, pending.event, deps, []);
  opened.ctx.statusCode = 200;
  opened.ctx.response = { headers: request.headers, body: request.body };
  const ok = allPass(plan.successCriteria, opened.ctx, opened.notes);
  let resume: () => Promise<void>;
  try {
    const result = await decideOutcome(plan, pending.event, opened, deps.sealer, ok, () =>
      `step ${plan.stepId}: the callback settled with status ${status}, which does not meet its success criteria (${plan.successCriteria.map((c) => c.condition).join(' && ')}), and no onFailure action applies`,
    );
    resume = () => deps.tokens.sendTaskSuccess(pending.taskToken, JSON.stringify(result));
  } catch (err) {
    const name = err instanceof ArazzoRuntimeError ? err.name : ErrorCodes.StepFailed;
    resume = () => deps.tokens.sendTaskFailure(pending.taskToken, name, (err as Error).message);
  }
  if (!(await fresh())) return forged('replayed');
  if (!(await deps.store.settle(id, status))) return { status: 409, body: { result: 'already settled' } };
  if (!(await resumes(resume))) return { status: TOO_LATE, body: { result: 'no longer waiting', status } };
  return { status: 200, body: { result: 'settled', status } };
}
