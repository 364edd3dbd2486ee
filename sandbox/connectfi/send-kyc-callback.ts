import { performance } from 'node:perf_hooks';
import { request, type Dispatcher } from 'undici';

export interface CallbackAnswer {
  /** `0` when there is no answer. */
  readonly answerStatus: number;
  readonly error?: string;
  readonly durationMs: number;
}

/**
 * POSTs one callback body and reads the receiver's answer. Redirects are not followed and the
 * answer body is discarded: a webhook sender only cares whether the receiver took it (2xx).
 */
export async function sendKycCallback(options: {
  readonly url: string;
  readonly body: string;
  /** Extra headers (a signature). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly dispatcher: Dispatcher;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
}): Promise<CallbackAnswer> {
  const started = performance.now();
  const elapsed = () => Math.round((performance.now() - started) * 100) / 100;
  try {
    const res = await request(options.url, {
      method: 'POST',
      headers: { ...options.headers, 'content-type': 'application/json', 'user-agent': 'arazzo-sfn-connectfi-sandbox' },
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
