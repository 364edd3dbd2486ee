import type { KycStatus } from './connectfi-scenario.js';

/**
 * One KYC callback the sandbox delivered or, by scenario, dropped. Holds the webhook URL
 * without its query string: that is where a receiver keeps its per-execution secret.
 */
export interface ConnectFiCallbackLogEntry {
  readonly customerId: string;
  /** Scheme, host, port and path of the webhook URL; never its query, fragment or user info. */
  readonly url: string;
  /** Index of the status in the process's sequence. */
  readonly index: number;
  readonly kycStatus: KycStatus;
  /** `duplicate`: the same body again; `lost`: dropped by the scenario, never sent. */
  readonly delivery: 'sent' | 'duplicate' | 'lost';
  /** The callback body's `requestId`, shared by a callback and its duplicate. */
  readonly requestId: string;
  /** The receiver's HTTP status; `0` when it did not answer. Absent for a lost callback. */
  readonly answerStatus?: number;
  /** Why the receiver did not answer, e.g. `ECONNREFUSED` or `TimeoutError`. */
  readonly error?: string;
  readonly durationMs?: number;
  /** When it was sent or dropped (ISO 8601, sandbox clock). */
  readonly at: string;
}

export { redactWebhookUrl } from '../http/post-webhook.js';
