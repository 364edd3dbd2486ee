import { setTimeout as sleep } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import { redactWebhookUrl, type ConnectFiCallbackLogEntry } from './callback-log-entry.js';
import type { KycStatus } from './connectfi-scenario.js';
import { makeRequestId } from './make-connectfi-id.js';
import type { KycPlan, KycStep } from './plan-kyc-process.js';
import { sendKycCallback } from './send-kyc-callback.js';
import { signHmacCallback } from '../../functions/runtime/callbacks/verify-callback-signature.js';

/** One KYC process to play out: its steps in order and where to announce them. */
export interface KycProcessSpec {
  readonly customerId: string;
  readonly plan: KycPlan;
  readonly steps: readonly KycStep[];
  /** Absent: the status still moves along, nobody is called. */
  readonly webhookUrl?: string;
  /** Moves the customer's KYC to `status` (what a status read returns from now on). */
  apply(status: KycStatus): void;
  /** The callback body for a status, rendered when the status is reached. */
  render(status: KycStatus, requestId: string): unknown;
}

export interface KycRunner {
  /** Starts a process; one already running for the same customer is cancelled first. */
  start(spec: KycProcessSpec): void;
  /**
   * Resolves when every process started so far has played out or been cancelled; rejects with
   * what went wrong if one of them failed (a bug, not a receiver's error).
   */
  settled(): Promise<void>;
  /** Cancels every pending status change and callback, in flight ones included, and waits for them. */
  cancelAll(): Promise<void>;
}

export interface KycRunnerOptions {
  readonly dispatcher: Dispatcher;
  readonly now: () => number;
  /** Signs each callback (`hmac-sha256` form); absent: unsigned. */
  readonly signing?: { readonly key: string; readonly header?: string };
  /** A delivery was attempted or dropped. Not called for a callback cut short by cancellation. */
  onCallback(entry: ConnectFiCallbackLogEntry): void;
}

interface Running {
  readonly controller: AbortController;
  readonly done: Promise<void>;
}

/**
 * Plays KYC processes out in the background: every `callbackIntervalMs` the next status becomes
 * true and its callbacks are delivered, one at a time and in order, each awaited before the
 * next step so that a slow receiver delays the sequence instead of reordering it.
 */
export function createKycRunner(options: KycRunnerOptions): KycRunner {
  const running = new Map<string, Running>();
  const failures: unknown[] = [];

  async function play(spec: KycProcessSpec, signal: AbortSignal): Promise<void> {
    const url = spec.webhookUrl === undefined ? undefined : redactWebhookUrl(spec.webhookUrl);
    // A duplicate or a held-back callback repeats the body rendered when its status was reached.
    const bodies = new Map<number, { requestId: string; text: string }>();
    for (const [index, step] of spec.steps.entries()) {
      await sleep(spec.plan.callbackIntervalMs, undefined, { signal });
      spec.apply(step.status);
      const requestId = makeRequestId();
      bodies.set(index, { requestId, text: JSON.stringify(spec.render(step.status, requestId)) });
      if (spec.webhookUrl === undefined || url === undefined) continue;
      for (const delivery of step.deliveries) {
        const body = bodies.get(delivery.index)!;
        const base = { customerId: spec.customerId, url, index: delivery.index, kycStatus: delivery.status, delivery: delivery.delivery, requestId: body.requestId };
        const at = new Date(options.now()).toISOString();
        if (delivery.delivery === 'lost') {
          options.onCallback({ ...base, at });
          continue;
        }
        const answer = await sendKycCallback({
          url: spec.webhookUrl,
          body: body.text,
          // Signed at each delivery, as providers do: a duplicate carries a fresh timestamp, so its signature differs.
          headers: options.signing ? { [options.signing.header ?? 'x-webhook-signature']: signHmacCallback(body.text, options.signing.key, Math.floor(options.now() / 1000)) } : {},
          dispatcher: options.dispatcher,
          timeoutMs: spec.plan.callbackTimeoutMs,
          signal,
        });
        if (signal.aborted) return;
        options.onCallback({ ...base, ...answer, at });
      }
    }
  }

  function cancel(customerId: string): Promise<void> | undefined {
    const current = running.get(customerId);
    current?.controller.abort();
    return current?.done;
  }

  return {
    start(spec) {
      void cancel(spec.customerId);
      const controller = new AbortController();
      const done = play(spec, controller.signal)
        .catch((err: unknown) => {
          // Kept for settled(): a background rejection nobody awaits would take the process down.
          if (!controller.signal.aborted) failures.push(err);
        })
        .finally(() => {
          if (running.get(spec.customerId)?.controller === controller) running.delete(spec.customerId);
        });
      running.set(spec.customerId, { controller, done });
    },
    async settled() {
      while (running.size > 0) await Promise.all([...running.values()].map((r) => r.done));
      if (failures.length > 0) throw new AggregateError(failures.splice(0), 'a KYC process of the connectFi sandbox failed');
    },
    async cancelAll() {
      await Promise.all([...running.keys()].map((id) => cancel(id)));
    },
  };
}
