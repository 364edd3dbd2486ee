import type { ReceivedMessage } from '../functions/runtime/callbacks/callback-store.js';
import { MAX_RECEIVES, type BrokerHandler } from '../functions/handlers/create-broker-handler.js';
import type { EventBridgeEvent, SqsRecord } from '../functions/runtime/messages/broker-messages.js';
import { mqttRuleEventOf } from '../functions/runtime/messages/mqtt-messages.js';
import { brokerTargetName, type BrokerTransport, type MessagePublisher, type PublishOptions } from '../functions/runtime/messages/publish-message.js';

export interface BrokeredMessage {
  /** `sqs:<queue>`, `sns:<topic>` or `eventbridge:<bus>`. */
  readonly target: string;
  /** EventBridge's `source` and `detail-type`, for an event. */
  readonly event?: { readonly source: string; readonly detailType: string };
  readonly message: ReceivedMessage;
  /** The content type it was published with (an MQTT message carries it). */
  readonly contentType?: string;
  readonly at: number;
}

/**
 * How often an MQTT message is handed to the receiver when it throws: Lambda's asynchronous
 * invocation of an IoT rule's action (the first try and its two retries); on AWS the rule's error
 * action keeps what is still unplaced.
 */
export const MQTT_DELIVERY_ATTEMPTS = 3;

const LOCAL_QUEUE_ARN = 'arn:aws:sqs:local:000000000000:';
// What SNS's subscription of a queue is on AWS: the construct subscribes a queue of its own to each topic a receive step reads.
const SUBSCRIBED_PREFIX = 'sns-subscription-';

/** The ARN of the local queue that carries a target's messages: the queue itself, or the one subscribed to a topic. */
export function localQueueArn(target: string): string {
  const [kind, name] = [target.slice(0, target.indexOf(':')), target.slice(target.indexOf(':') + 1)];
  return `${LOCAL_QUEUE_ARN}${kind === 'sns' ? SUBSCRIBED_PREFIX : ''}${name}`;
}

/** The target a local queue ARN carries (the inverse of localQueueArn). */
export function localTargetOfQueue(arn: string): string | undefined {
  if (!arn.startsWith(LOCAL_QUEUE_ARN)) return undefined;
  const name = arn.slice(LOCAL_QUEUE_ARN.length);
  return name.startsWith(SUBSCRIBED_PREFIX) ? `sns:${name.slice(SUBSCRIBED_PREFIX.length)}` : `sqs:${name}`;
}

export interface LocalBrokerOptions {
  /** How many published messages are kept for readers. @default 1000 */
  readonly limit?: number;
  readonly onMessage?: (message: BrokeredMessage) => void;
  /**
   * The receiver of broker messages (`createBrokerHandler`, as the local receiver builds it): each
   * message is delivered to it in the shape AWS delivers it, an SQS record (a topic's through the
   * queue subscribed to it, raw), an EventBridge event, or an MQTT topic rule's event.
   */
  readonly deliver?: BrokerHandler;
}

/**
 * The embedded broker of the local run: what SQS, SNS, EventBridge and AWS IoT Core (MQTT) are to
 * a deployed workflow.
 * It keeps the last `limit` messages published, by target, for whoever reads them (a test), tells
 * `onMessage` of each, and delivers each to the receiver of receive steps, as an event source
 * mapping or a rule would: a message handed back (`batchItemFailures`) is delivered again, up to
 * MAX_RECEIVES times.
 */
export class LocalBroker implements MessagePublisher {
  private readonly kept: BrokeredMessage[] = [];
  private readonly subscribers = new Set<{ readonly target: string; readonly listener: (message: BrokeredMessage) => void }>();
  private sequence = 0;

  constructor(private readonly options: LocalBrokerOptions = {}) {}

  async publish(transport: BrokerTransport, message: ReceivedMessage, options: PublishOptions = {}): Promise<void> {
    const entry: BrokeredMessage = {
      target: brokerTargetName(transport),
      ...(transport.kind === 'eventbridge' ? { event: { source: transport.source, detailType: transport.detailType } } : {}),
      message: { headers: { ...message.headers }, payload: message.payload },
      ...(options.contentType ? { contentType: options.contentType } : {}),
      at: Date.now(),
    };
    this.kept.push(entry);
    if (this.kept.length > (this.options.limit ?? 1_000)) this.kept.shift();
    this.options.onMessage?.(entry);
    for (const s of this.subscribers) if (s.target === entry.target) s.listener(entry);
    await this.deliver(transport, entry);
  }

  /**
   * Calls `listener` with each message published on `target` (`mqtt:moves`, `sqs:orders`) from
   * now on, as a subscriber of the topic or queue would get it: the other party of a workflow (a
   * provider's simulator that consumes what a send step publishes and answers on another channel).
   * The listener is called before the publish resolves and must not throw. Returns what stops it.
   */
  subscribe(target: string, listener: (message: BrokeredMessage) => void): () => void {
    const subscriber = { target, listener };
    this.subscribers.add(subscriber);
    return () => void this.subscribers.delete(subscriber);
  }

  /** The messages kept for a target (all of them when none is named), oldest first. */
  messages(target?: string): readonly BrokeredMessage[] {
    return target === undefined ? [...this.kept] : this.kept.filter((m) => m.target === target);
  }

  private async deliver(transport: BrokerTransport, entry: BrokeredMessage): Promise<void> {
    const deliver = this.options.deliver;
    if (!deliver) return;
    const id = `local-${++this.sequence}`;
    if (transport.kind === 'eventbridge') {
      // As arazzo-sfn's send puts it on a bus (AwsMessagePublisher): the headers travel inside the detail.
      const event: EventBridgeEvent = {
        id,
        source: transport.source,
        'detail-type': transport.detailType,
        time: new Date(entry.at).toISOString(),
        account: '000000000000',
        region: 'local',
        detail: { headers: entry.message.headers, payload: entry.message.payload ?? null },
      };
      await deliver(event).catch(() => undefined);
      return;
    }
    if (transport.kind === 'mqtt') {
      // What the topic rule selects (iotRuleSql): the topic, the payload's bytes, the content type and the named user properties only.
      const event = mqttRuleEventOf(transport.topic, transport.headers, entry.message, entry.contentType, entry.at);
      for (let attempt = 1; attempt <= MQTT_DELIVERY_ATTEMPTS; attempt++) {
        if (await deliver(event).then(() => true, () => false)) return;
      }
      return;
    }
    for (let receiveCount = 1; receiveCount <= MAX_RECEIVES; receiveCount++) {
      const record: SqsRecord = {
        messageId: id,
        body: JSON.stringify(entry.message.payload ?? null),
        eventSource: 'aws:sqs',
        eventSourceARN: localQueueArn(entry.target),
        attributes: { ApproximateReceiveCount: String(receiveCount) },
        messageAttributes: Object.fromEntries(Object.entries(entry.message.headers).map(([name, value]) => [name, { dataType: 'String', stringValue: value }])),
      };
      const { batchItemFailures } = await deliver({ Records: [record] });
      if (!batchItemFailures.length) return;
    }
  }
}
