import type { StepPlan } from '../../../core/plan.js';
import type { ReceivedMessage } from '../callbacks/callback-store.js';
import { parseCallbackBody } from '../callbacks/parse-callback-body.js';
import { brokerTargetName } from './publish-message.js';

/** One record of an SQS event as Lambda's event source mapping delivers it, as far as the receiver reads it. */
export interface SqsRecord {
  readonly messageId: string;
  readonly body: string;
  readonly eventSource?: string;
  /** `arn:aws:sqs:<region>:<account>:<queue>`: which queue, so which channel. */
  readonly eventSourceARN: string;
  readonly attributes?: { readonly ApproximateReceiveCount?: string };
  readonly messageAttributes?: Readonly<Record<string, { readonly dataType?: string; readonly stringValue?: string }>>;
}

export interface SqsEvent {
  readonly Records: readonly SqsRecord[];
}

/** An EventBridge event as a rule's Lambda target receives it. */
export interface EventBridgeEvent {
  readonly id?: string;
  readonly source: string;
  readonly 'detail-type': string;
  readonly time?: string;
  readonly account?: string;
  readonly region?: string;
  readonly detail?: unknown;
}

/** The envelope fields of an EventBridge event that become the message's headers (by their own names). */
export const EVENT_HEADER_FIELDS = ['id', 'source', 'detail-type', 'time', 'account', 'region'] as const;

/**
 * An SQS message as a receive step reads it: its String and Number message attributes are the
 * headers (names lower-cased, as HTTP headers are), its body the JSON payload. A body that is not
 * JSON is undefined: it can never be judged, so it is dropped, not retried.
 */
export function messageOfSqsRecord(record: SqsRecord): ReceivedMessage | undefined {
  const parsed = parseCallbackBody(Buffer.from(record.body ?? '', 'utf8'), 'application/json');
  if (!parsed.ok) return undefined;
  const headers: Record<string, string> = {};
  for (const [name, attribute] of Object.entries(record.messageAttributes ?? {})) {
    // Binary attributes have no text to compare with: a header is a string.
    if (attribute?.stringValue !== undefined && !/^Binary/.test(attribute.dataType ?? '')) headers[name.toLowerCase()] = attribute.stringValue;
  }
  return { headers, payload: parsed.body };
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * An EventBridge event as a receive step reads it: its `detail` is the payload, and the envelope's
 * `id`, `source`, `detail-type`, `time`, `account` and `region` are headers. An event a send step
 * of arazzo-sfn put (detail `{headers, payload}` and nothing else) is opened: its own headers join,
 * its payload is the payload, so a send and a receive on one bus speak the same message. The
 * envelope wins over a detail header of the same name: the detail is whatever the putter wrote,
 * while EventBridge sets `id`, `account` and `region` itself and the rule matched on `source` and
 * `detail-type`, so a detail must not claim another account, region or event (ASFN2205 warns a
 * send step whose header would be shadowed so).
 */
export function messageOfEvent(event: EventBridgeEvent): ReceivedMessage {
  const headers: Record<string, string> = {};
  const detail = event.detail;
  const keys = isObject(detail) ? Object.keys(detail).sort() : [];
  const wrapped = isObject(detail) && keys.length === 2 && keys[0] === 'headers' && keys[1] === 'payload' && isObject(detail.headers) && Object.values(detail.headers).every((v) => typeof v === 'string');
  if (wrapped) for (const [name, value] of Object.entries(detail.headers as Record<string, string>)) headers[name.toLowerCase()] = value;
  for (const field of EVENT_HEADER_FIELDS) {
    if (typeof event[field] === 'string') headers[field] = event[field];
    // An envelope field the event lacks is not left to the detail to fill in either.
    else delete headers[field];
  }
  return wrapped ? { headers, payload: detail.payload } : { headers, payload: detail ?? null };
}

/** The queue name of an SQS ARN (its last part). */
export const queueNameOfArn = (arn: string) => arn.slice(arn.lastIndexOf(':') + 1);

/**
 * The channels (source description and channel key) whose receive steps read a queue's messages:
 * an SQS channel of that queue, or an SNS channel whose topic the queue is subscribed to.
 * `target` is the broker target the queue stands for (`sqs:<queue>` or `sns:<topic>`).
 */
export function channelsOfTarget(plans: readonly StepPlan[], target: string): { source: string; channel: string }[] {
  return uniqueChannels(plans.filter((p) => p.receive && p.channel && p.channel.transport.kind !== 'http' && brokerTargetName(p.channel.transport) === target));
}

/** The channels whose receive steps listen for an EventBridge event of this source and detail-type. */
export function channelsOfEvent(plans: readonly StepPlan[], event: Pick<EventBridgeEvent, 'source' | 'detail-type'>): { source: string; channel: string }[] {
  return uniqueChannels(
    plans.filter((p) => {
      const transport = p.receive ? p.channel?.transport : undefined;
      return transport?.kind === 'eventbridge' && transport.source === event.source && transport.detailType === event['detail-type'];
    }),
  );
}

/** The channels whose receive steps listen on an MQTT topic (an AWS IoT topic rule's `topic()`). */
export function channelsOfTopic(plans: readonly StepPlan[], topic: string): { source: string; channel: string }[] {
  return uniqueChannels(
    plans.filter((p) => {
      const transport = p.receive ? p.channel?.transport : undefined;
      return transport?.kind === 'mqtt' && transport.topic === topic;
    }),
  );
}

function uniqueChannels(plans: readonly StepPlan[]): { source: string; channel: string }[] {
  const seen = new Map<string, { source: string; channel: string }>();
  for (const p of plans) seen.set(`${p.channel!.source}\u0000${p.channel!.channel}`, { source: p.channel!.source, channel: p.channel!.channel });
  return [...seen.values()];
}
