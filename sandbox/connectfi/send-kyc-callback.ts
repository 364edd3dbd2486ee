import type { Dispatcher } from 'undici';
import { postWebhook, type WebhookAnswer } from '../http/post-webhook.js';

export type CallbackAnswer = WebhookAnswer;

/** POSTs one KYC callback body (JSON) and reads the receiver's answer (postWebhook). */
export function sendKycCallback(options: {
  readonly url: string;
  readonly body: string;
  /** Extra headers (a signature). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly dispatcher: Dispatcher;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
}): Promise<CallbackAnswer> {
  return postWebhook({ ...options, headers: { ...options.headers, 'content-type': 'application/json', 'user-agent': 'arazzo-sfn-connectfi-sandbox' } });
}
