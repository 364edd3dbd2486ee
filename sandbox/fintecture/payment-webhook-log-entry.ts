import type { PaymentStatus } from './fintecture-scenario.js';

/**
 * One delivery attempt of a payment webhook. Holds the webhook URL without its query string
 * (where a receiver may keep a secret) and never the signature or the body.
 */
export interface PaymentWebhookLogEntry {
  readonly sessionId: string;
  readonly status: PaymentStatus;
  /** Scheme, host, port and path of the application's webhook URL. */
  readonly url: string;
  /** 1 for the first delivery, then one more per retry. */
  readonly attempt: number;
  /** The webhook's `X-Request-ID`: the same on every attempt of one webhook (the receiver's replay key). */
  readonly requestId: string;
  /** The receiver's HTTP status; `0` when it did not answer. */
  readonly answerStatus: number;
  /** Why the receiver did not answer, e.g. `ECONNREFUSED` or `TimeoutError`. */
  readonly error?: string;
  readonly durationMs: number;
  /** When it was sent (ISO 8601, sandbox clock). */
  readonly at: string;
}
