import { performance } from 'node:perf_hooks';
import { request, type Dispatcher } from 'undici';

/** The part of a webhook URL that may be shown (logs): no query string, fragment or credentials, where a receiver keeps its secret. */
export function redactWebhookUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}

export interface WebhookAnswer {
  /** `0` when there is no answer. */
  readonly answerStatus: number;
  readonly error?: string;
  readonly durationMs: number;
}

/**
 * POSTs one webhook body and reads the receiver's answer, as a provider's webhook sender does.
 * Redirects are not followed and the answer body is discarded: a sender only cares whether the
 * receiver took it (2xx). The simulators share it (connectFi's KYC callbacks, Fintecture's
 * payment webhooks).
 */
export async function postWebhook(options: {
  readonly url: string;
  readonly body: string;
  /** Content type, a signature, the sender's user agent. */
  readonly headers: Readonly<Record<string, string>>;
  readonly dispatcher: Dispatcher;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
}): Promise<WebhookAnswer> {
  const started = performance.now();
  const elapsed = () => Math.round((performance.now() - started) * 100) / 100;
  try {
    const res = await request(options.url, {
      method: 'POST',
      headers: options.headers,
      body: options.body,
      dispatcher: options.dispatcher,
      signal: AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)]),
    });
    await res.body.dump();
    return { answerStatus: res.statusCode, durationMs: elapsed() };
  } catch (err) {
    // The code or name only: an error message may quote the URL, query string included.
    const e = err as { code?: unknown; name?: unknown };
    const error = typeof e.code === 'string' ? e.code : typeof e.name === 'string' ? e.name : 'Error';
    return { answerStatus: 0, error, durationMs: elapsed() };
  }
}
