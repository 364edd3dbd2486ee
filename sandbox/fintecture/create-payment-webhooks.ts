import { randomUUID, type KeyObject } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import { postWebhook, redactWebhookUrl } from '../http/post-webhook.js';
import type { PaymentStatus } from './fintecture-scenario.js';
import type { PaymentWebhookLogEntry } from './payment-webhook-log-entry.js';
import { signFintectureWebhook } from './sign-fintecture-webhook.js';

/** When a payment's webhook goes out and how often it is retried. */
export interface PaymentWebhookTiming {
  /** From the session's creation to the payer finishing the connect flow (the status change the webhook reports). @default 100 */
  readonly payerDelayMs?: number;
  /**
   * The waits before each retry of a delivery the receiver did not take (no 2xx): the length is
   * the bound. Fintecture documents retries but not their schedule; this is our choice.
   * @default [500, 2000, 10000] - four attempts in about 12.5 s
   */
  readonly retryDelaysMs?: readonly number[];
  /** How long one attempt waits for the receiver's answer. @default 5000 */
  readonly timeoutMs?: number;
}

/** A payment session the payer is about to complete, and where its application receives webhooks. */
export interface PaymentWebhookSpec {
  readonly sessionId: string;
  readonly appId: string;
  readonly url: string;
  /** The application's registered public key: the webhook's signature is encrypted to it. */
  readonly publicKey: KeyObject;
  /** Moves the session to its final status (what a read answers from now on) and returns it with the webhook's fields. */
  settle(): { readonly status: PaymentStatus; readonly fields: Readonly<Record<string, string>> };
}

export interface PaymentWebhooks {
  start(spec: PaymentWebhookSpec): void;
  /** Resolves once every webhook started so far was taken, given up on, or cancelled. */
  settled(): Promise<void>;
  cancelAll(): Promise<void>;
}

/**
 * Plays the payer's side of payment sessions in the background: after `payerDelayMs` the
 * session settles and its webhook is POSTed form-encoded and signed to the application's
 * webhook URL, retried on any answer other than 2xx up to the bound. Every attempt is signed
 * afresh (a new `Date`, so a new signature) and keeps the webhook's `X-Request-ID`.
 */
export function createPaymentWebhooks(options: {
  readonly dispatcher: Dispatcher;
  readonly now: () => number;
  readonly timing?: PaymentWebhookTiming;
  onAttempt(entry: PaymentWebhookLogEntry): void;
}): PaymentWebhooks {
  const payerDelayMs = options.timing?.payerDelayMs ?? 100;
  const retryDelaysMs = options.timing?.retryDelaysMs ?? [500, 2_000, 10_000];
  const timeoutMs = options.timing?.timeoutMs ?? 5_000;
  const running = new Set<{ controller: AbortController; done: Promise<void> }>();
  const failures: unknown[] = [];

  async function play(spec: PaymentWebhookSpec, signal: AbortSignal): Promise<void> {
    await sleep(payerDelayMs, undefined, { signal });
    const { status, fields } = spec.settle();
    const body = new URLSearchParams({ ...fields, session_id: spec.sessionId, status }).toString();
    const requestId = randomUUID();
    const url = redactWebhookUrl(spec.url);
    for (let attempt = 1; attempt <= retryDelaysMs.length + 1; attempt++) {
      if (attempt > 1) await sleep(retryDelaysMs[attempt - 2]!, undefined, { signal });
      const headers = signFintectureWebhook({ body, appId: spec.appId, publicKey: spec.publicKey, date: new Date(options.now()), requestId });
      const answer = await postWebhook({ url: spec.url, body, headers: { ...headers, 'user-agent': 'arazzo-sfn-fintecture-sandbox' }, dispatcher: options.dispatcher, timeoutMs, signal });
      if (signal.aborted) return;
      options.onAttempt({ sessionId: spec.sessionId, status, url, attempt, requestId, ...answer, at: new Date(options.now()).toISOString() });
      if (answer.answerStatus >= 200 && answer.answerStatus < 300) return;
    }
  }

  return {
    start(spec) {
      const controller = new AbortController();
      const entry = {
        controller,
        done: play(spec, controller.signal)
          .catch((err: unknown) => {
            if (!controller.signal.aborted) failures.push(err);
          })
          .finally(() => running.delete(entry)),
      };
      running.add(entry);
    },
    async settled() {
      while (running.size > 0) await Promise.all([...running].map((r) => r.done));
      if (failures.length > 0) throw new AggregateError(failures.splice(0), 'a payment webhook of the Fintecture sandbox failed');
    },
    async cancelAll() {
      const all = [...running];
      for (const r of all) r.controller.abort();
      await Promise.all(all.map((r) => r.done));
    },
  };
}
