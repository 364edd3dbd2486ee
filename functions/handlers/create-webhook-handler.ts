import { callbackIdOf, parseCallbackBody, receiveCallback, type CallbackReceiverDeps } from '../runtime/callbacks/index.js';
import { channelOfMessagePath, MESSAGE_TOO_LARGE, receiveMessage } from '../runtime/messages/receive-message.js';
import type { StepPlan } from '../../core/plan.js';
import { countMetric, forgedCallbackMetric, OVERSIZED_MESSAGE_METRIC } from './metrics.js';

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
  const byStep = new Map(plans.filter((p) => p.callback || p.receive).map((p) => [`${p.workflowId}\u0000${p.stepId}`, p]));
  const planFor = (workflowId: string, stepId: string) => byStep.get(`${workflowId}\u0000${stepId}`);
  // Only HTTP channels: a channel bound to SQS, SNS, EventBridge or MQTT admits what its broker's policy lets in, never a POST from anyone.
  const receiversOf = (source: string, channel: string) =>
    plans.filter((p) => p.receive && p.channel?.transport.kind === 'http' && p.channel.source === source && p.channel.channel === channel);

  const respond = (statusCode: number, body: { result: string; status?: string; error?: string }, error?: string): FunctionUrlResult => {
    log({ statusCode, result: body.result, ...(error ?? body.error ? { error: error ?? body.error } : {}) });
    return answer(statusCode, body);
  };

  return async (event) => {
    const method = event?.requestContext?.http?.method ?? '';
    if (method !== 'POST') return respond(405, { result: 'POST only' });
    // A message on an AsyncAPI channel (Arazzo 1.1 receive steps): POST /messages/<source>/<channel>, its headers and JSON payload.
    const channel = channelOfMessagePath(event.rawPath ?? '/');
    if (channel) {
      const raw = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64') : Buffer.from(event.body ?? '', 'utf8');
      const oversized = (workflowId: string) => log(countMetric(OVERSIZED_MESSAGE_METRIC, MESSAGE_TOO_LARGE, workflowId, Date.now()));
      if (raw.length > MAX_CALLBACK_BYTES) {
        oversized(plans[0]?.workflowId ?? '');
        return respond(413, { result: 'message too large', error: MESSAGE_TOO_LARGE });
      }
      const headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v ?? '']));
      const parsed = parseCallbackBody(raw, headers['content-type']);
      if (!parsed.ok) return respond(400, { result: 'message payload is not JSON' });
      try {
        const onForged = (reason: string, step: { workflowId: string }) => log(forgedCallbackMetric(reason, step.workflowId, Date.now()));
        const onUnkept = (_reason: string, workflowId: string) => oversized(workflowId);
        const result = await receiveMessage(channel.source, channel.channel, { headers, payload: parsed.body }, { ...deps, planFor, receiversOf, onForged, onUnkept }, raw);
        return respond(result.status, result.body);
      } catch (err) {
        return respond(500, { result: (err as Error).name }, (err as Error).name);
      }
    }
    const id = callbackIdOf(`${event.rawPath ?? '/'}${event.rawQueryString ? `?${event.rawQueryString}` : ''}`);
    if (!id) {
      log(forgedCallbackMetric('unknown-callback', plans[0]?.workflowId ?? '', Date.now()));
      return respond(401, { result: 'unknown callback' });
    }
    const raw = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64') : Buffer.from(event.body ?? '', 'utf8');
    if (raw.length > MAX_CALLBACK_BYTES) return respond(413, { result: 'callback too large' });
    const headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v ?? '']));
    const parsed = parseCallbackBody(raw, headers['content-type']);
    if (!parsed.ok) return respond(400, { result: 'callback body is not JSON' });
    try {
      const result = await receiveCallback(id, { headers, body: parsed.body, rawBody: raw }, { ...deps, planFor, onForged: (reason, step) => log(forgedCallbackMetric(reason, step?.workflowId ?? plans[0]?.workflowId ?? '', Date.now())) });
      return respond(result.status, result.body);
    } catch (err) {
      // A fault of DynamoDB, Step Functions or KMS: 500 asks the provider to try again. One after the step was marked settled
      // (Step Functions unavailable) leaves the Task to its heartbeat and timeout, and so to the step's onTimeout fallback.
      return respond(500, { result: (err as Error).name }, (err as Error).name);
    }
  };
}
