import { createHash } from 'node:crypto';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { messageRefused, planError, providerUnavailable } from '../../../core/errors.js';
import type { ChannelTransport } from '../../../core/plan.js';
import type { ReceivedMessage } from '../callbacks/callback-store.js';
import { brokerFault, isTransientBrokerFault } from './broker-fault.js';
import { iotDataEndpoint, iotPublishInput } from './iot-publish-input.js';
import { readMessageLocation } from './read-message-location.js';

/** A channel's AWS-native broker as its binding names it (a queue, a topic, an event bus). */
export type BrokerTransport = Exclude<ChannelTransport, { kind: 'http' }>;

/** The name a transport's target goes by in `ARAZZO_CHANNEL_TARGETS` and in the local broker. */
export function brokerTargetName(transport: BrokerTransport): string {
  switch (transport.kind) {
    case 'sqs':
      return `sqs:${transport.queueName}`;
    case 'sns':
      return `sns:${transport.topicName}`;
    case 'eventbridge':
      return `eventbridge:${transport.eventBusName}`;
    case 'mqtt':
      return `mqtt:${transport.topic}`;
  }
}

/** What a send step says about its message besides headers and payload. */
export interface PublishOptions {
  /** The message's content type (the step's requestBody, else the AsyncAPI message's): MQTT carries it, and a `text/*` string payload goes as its text. */
  readonly contentType?: string;
}

/**
 * Publishes a send step's message on an AWS-native broker: SQS, SNS, EventBridge or AWS IoT Core
 * on AWS (the SDK clients, loaded on first use), the embedded broker locally. Resolves once the
 * broker took it (Arazzo 1.1: a send completes when the message is sent).
 */
export interface MessagePublisher {
  publish(transport: BrokerTransport, message: ReceivedMessage, options?: PublishOptions): Promise<void>;
}

/** SQS and SNS carry at most 10 message attributes: one more and the broker refuses the message. */
export const MAX_MESSAGE_ATTRIBUTES = 10;

/** Message attributes SQS and SNS carry (string values). */
function attributesOf(headers: Readonly<Record<string, string>>) {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, { DataType: 'String', StringValue: value }]));
}

/**
 * A FIFO message's group and deduplication ids. The group is the message's correlation id (where
 * the channel's message says) or, without one, the queue or topic itself (one group: the channel in
 * order). The deduplication id is a digest of what is sent, so a repeat of the same send within
 * SQS's and SNS's five-minute window (the Task's Retry of a throttled publish) is taken once.
 */
function fifoIds(transport: Extract<BrokerTransport, { kind: 'sqs' | 'sns' }>, body: string, message: ReceivedMessage) {
  if (!transport.fifo) return {};
  const channelName = transport.kind === 'sqs' ? transport.queueName : transport.topicName;
  const group = (transport.fifo.groupBy && readMessageLocation(transport.fifo.groupBy, message)) || channelName;
  const deduplication = createHash('sha256').update(JSON.stringify([group, body, message.headers])).digest('base64url');
  // SQS and SNS take at most 128 characters for either id.
  return { MessageGroupId: group.slice(0, 128), MessageDeduplicationId: deduplication };
}

/** The SDK clients, one per broker; each is created on first use (with `clientConfig`) unless given. */
export interface AwsMessagePublisherOptions {
  readonly sqs?: SQSClient;
  readonly sns?: SNSClient;
  readonly eventBridge?: EventBridgeClient;
  /** Given, it is used as it is; otherwise one is created for `iotDataEndpoint`. */
  readonly iotData?: IoTDataPlaneClient;
  /** The account's AWS IoT Core data endpoint (`ARAZZO_IOT_DATA_ENDPOINT`, an https URL): MQTT sends publish there and nowhere else. */
  readonly iotDataEndpoint?: string;
}

/**
 * The AWS brokers, reached by the ARN or URL the construct resolved for each target name
 * (`sqs:<queue>` → queue URL, `sns:<topic>` → topic ARN, `eventbridge:<bus>` → bus name or ARN,
 * `mqtt:<topic>` → the topic, on the account's IoT data endpoint).
 * The function's role may publish to those and nothing else. A refusal becomes a named error
 * (broker-fault.ts); an EventBridge entry the bus did not take is one too, never a success.
 */
export class AwsMessagePublisher implements MessagePublisher {
  private sqs: Promise<SQSClient> | undefined;
  private sns: Promise<SNSClient> | undefined;
  private eventBridge: Promise<EventBridgeClient> | undefined;
  private iotData: Promise<IoTDataPlaneClient> | undefined;

  constructor(
    private readonly targets: Readonly<Record<string, string>>,
    private readonly options: AwsMessagePublisherOptions = {},
  ) {}

  private target(transport: BrokerTransport): string {
    const name = brokerTargetName(transport);
    const target = this.targets[name];
    if (!target) throw planError(`no ${transport.kind} target was configured for ${name} (ARAZZO_CHANNEL_TARGETS)`);
    return target;
  }

  async publish(transport: BrokerTransport, message: ReceivedMessage, options: PublishOptions = {}): Promise<void> {
    const where = brokerTargetName(transport);
    const body = JSON.stringify(message.payload ?? null);
    if (transport.kind === 'mqtt') {
      // MQTT 5 user properties have no count limit of their own (IoT Core refuses them past its size quota, by name).
      const { PublishCommand } = await import('@aws-sdk/client-iot-data-plane');
      const command = new PublishCommand(iotPublishInput(this.target(transport), transport, message, options.contentType));
      await (await this.iotDataClient(where)).send(command).catch((err: unknown) => Promise.reject(brokerFault(where, err)));
      return;
    }
    if (transport.kind !== 'eventbridge' && Object.keys(message.headers).length > MAX_MESSAGE_ATTRIBUTES) {
      // Sent with some headers left out, the message would not be the one the step describes.
      throw messageRefused(`${where}: the message has ${Object.keys(message.headers).length} headers, and ${transport.kind.toUpperCase()} carries at most ${MAX_MESSAGE_ATTRIBUTES} message attributes`);
    }
    switch (transport.kind) {
      case 'sqs': {
        const { SendMessageCommand } = await import('@aws-sdk/client-sqs');
        const command = new SendMessageCommand({ QueueUrl: this.target(transport), MessageBody: body, MessageAttributes: attributesOf(message.headers), ...fifoIds(transport, body, message) });
        await (await this.sqsClient()).send(command).catch((err: unknown) => Promise.reject(brokerFault(where, err)));
        return;
      }
      case 'sns': {
        const { PublishCommand } = await import('@aws-sdk/client-sns');
        const command = new PublishCommand({ TopicArn: this.target(transport), Message: body, MessageAttributes: attributesOf(message.headers), ...fifoIds(transport, body, message) });
        await (await this.snsClient()).send(command).catch((err: unknown) => Promise.reject(brokerFault(where, err)));
        return;
      }
      case 'eventbridge': {
        const { PutEventsCommand } = await import('@aws-sdk/client-eventbridge');
        // The message headers travel inside the event: EventBridge has no attributes of its own.
        const command = new PutEventsCommand({
          Entries: [
            {
              EventBusName: this.target(transport),
              Source: transport.source,
              DetailType: transport.detailType,
              Detail: JSON.stringify({ headers: message.headers, payload: message.payload ?? null }),
            },
          ],
        });
        const answer = await (await this.eventBridgeClient()).send(command).catch((err: unknown) => Promise.reject(brokerFault(where, err)));
        // PutEvents answers 200 with a failed entry when the bus refused the event: a partial failure is a failure.
        const failed = answer.FailedEntryCount ? (answer.Entries?.find((e) => e.ErrorCode) ?? {}) : undefined;
        if (failed) {
          const code = failed.ErrorCode ?? 'UnknownError';
          const why = `${where}: the bus did not take the event (entry ${code})`;
          throw isTransientBrokerFault(code) ? providerUnavailable(why) : messageRefused(why);
        }
        return;
      }
    }
  }

  // The SDKs load on first use: a function whose steps never publish on a broker does not pay for them at cold start.
  private sqsClient(): Promise<SQSClient> {
    this.sqs ??= this.options.sqs ? Promise.resolve(this.options.sqs) : import('@aws-sdk/client-sqs').then(({ SQSClient }) => new SQSClient({}));
    return this.sqs;
  }
  private snsClient(): Promise<SNSClient> {
    this.sns ??= this.options.sns ? Promise.resolve(this.options.sns) : import('@aws-sdk/client-sns').then(({ SNSClient }) => new SNSClient({}));
    return this.sns;
  }
  private iotDataClient(where: string): Promise<IoTDataPlaneClient> {
    if (this.iotData) return this.iotData;
    if (this.options.iotData) return (this.iotData = Promise.resolve(this.options.iotData));
    // Checked before the client exists: without the account's endpoint the SDK would pick a host of its own.
    const endpoint = iotDataEndpoint(this.options.iotDataEndpoint, where, 'ARAZZO_IOT_DATA_ENDPOINT');
    this.iotData = import('@aws-sdk/client-iot-data-plane').then(({ IoTDataPlaneClient }) => new IoTDataPlaneClient({ endpoint }));
    return this.iotData;
  }
  private eventBridgeClient(): Promise<EventBridgeClient> {
    this.eventBridge ??= this.options.eventBridge ? Promise.resolve(this.options.eventBridge) : import('@aws-sdk/client-eventbridge').then(({ EventBridgeClient }) => new EventBridgeClient({}));
    return this.eventBridge;
  }
}
