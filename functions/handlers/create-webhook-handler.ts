import { callbackIdOf, receiveCallback, type CallbackReceiverDeps } from '../runtime/callbacks/index.js';
import type { StepPlan } from '../../core/plan.js';

/** The request as a Lambda Function URL delivers it (payload format 2.0), as far as the receiver reads it. */
export interface FunctionUrlEvent {
  readonly rawPath?: string;
  readonly rawQueryString?: string;
  readonly headers?: Readonly<Record<string, string | undefined>>;
  readonly body?: string;
  readonly isBase64Encoded?: boolean;
  readonly requestContext?: { readonly http?: { readonly method?: string } };
}

export interface FunctionUrlResult {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export type WebhookHandler = (event: FunctionUrlEvent) => Promise<FunctionUrlResult>;

/** Step Functions carries at most 256 KB between states; a callback larger than that could not become the step's result. */
export const MAX_CALLBACK_BYTES = 262_144;

const answer = (statusCode: number, body: object): FunctionUrlResult => ({ statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/**
 * The webhook receiver behind the Function URL: the same `receiveCallback` the local run serves
 * over loopback, with the plans of the workflow's callback steps. It logs one line per call
 * (status and result, an error's name), never the query string (the callback id is the
 * credential) nor the body (personal data).
 */
export function createWebhookHandler(
  plans: readonly StepPlan[],
  deps: Omit<CallbackReceiverDeps, 'planFor'>,
  log: (entry: Record<string, unknown>) => void = (entry) => console.log(JSON.stringify({ message: 'arazzo callback', ...entry })),
): WebhookHandler {
  const byStep = new Map(plans.filter((p) => p.callback).map((p) => [`${p.workflowId}\u0000${p.stepId}`, p]));
  const planFor = (workflowId: string, stepId: string) => byStep.get(`${workflowId}\u0000${stepId}`);

  const respond = (statusCode: number, body: { result: string; status?: string }, error?: string): FunctionUrlResult => {
    log({ statusCode, result: body.result, ...(error ? { error } : {}) });
    return answer(statusCode, body);
  };

  return async (event) => {
    const method = event?.requestContext?.http?.method ?? '';
    if (method !== 'POST') return respond(405, { result: 'POST only' });
    const id = callbackIdOf(`${event.rawPath ?? '/'}${event.rawQueryString ? `?${event.rawQueryString}` : ''}`);
    if (!id) return respond(401, { result: 'unknown callback' });
    const raw = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64') : Buffer.from(event.body ?? '', 'utf8');
    if (raw.length > MAX_CALLBACK_BYTES) return respond(413, { result: 'callback too large' });
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      return respond(400, { result: 'callback body is not JSON' });
    }
    const headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v ?? '']));
    try {
      const result = await receiveCallback(id, { headers, body }, { ...deps, planFor });
      return respond(result.status, result.body);
    } catch (err) {
      // A fault of DynamoDB, Step Functions or KMS: 500 asks the provider to try again. One after the step was marked settled
      // (Step Functions unavailable) leaves the Task to its heartbeat and timeout, and so to the step's onTimeout fallback.
      return respond(500, { result: (err as Error).name }, (err as Error).name);
    }
  };
}
