import type { ChannelTransport } from '../../../core/plan.js';
import type { ReceivedMessage } from '../callbacks/callback-store.js';

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
  }
}

/**
 * Publishes a send step's message on an AWS-native broker: SQS, SNS or EventBridge on AWS (the
 * SDK clients, loaded on first use), the embedded broker locally. Resolves once the broker took
 * it (Arazzo 1.1: a send completes when the message is sent).
 */
export interface MessagePublisher {
  publish(transport: BrokerTransport, message: ReceivedMessage): Promise<void>;
}

/** Message attributes SQS and SNS carry (string values; at most 10 of them). */
function attributesOf(headers: Readonly<Record<string, string>>) {
  return Object.fromEntries(
    Object.entries(headers)
      .slice(0, 10)
      .map(([name, value]) => [name, { DataType: 'String', StringValue: value }]),
  );
}

/**
 * The AWS brokers, reached by the ARN or URL the construct resolved for each target name
 * (`sqs:<queue>` → queue URL, `sns:<topic>` → topic ARN, `eventbridge:<bus>` → bus name or ARN).
 * The function's role may publish to those and nothing else.
 */
export class AwsMessagePublisher implements MessagePublisher {
  private readonly clients = new Map<string, Promise<{ send(command: unknown): Promise<unknown> }>>();

  constructor(private readonly targets: Readonly<Record<string, string>>) {}

  private target(transport: BrokerTransport): string {
    const name = brokerTargetName(transport);
    const target = this.targets[name];
    if (!target) throw new Error(`no ${transport.kind} target was configured for ${name} (ARAZZO_CHANNEL_TARGETS)`);
    return target;
  }

  private client<T>(kind: string, make: () => Promise<T>): Promise<T> {
    if (!this.clients.has(kind)) this.clients.set(kind, make() as Promise<never>);
    return this.clients.get(kind) as Promise<T>;
  }

  async publish(transport: BrokerTransport, message: ReceivedMessage): Promise<void> {
    const body = JSON.stringify(message.payload ?? null);
    switch (transport.kind) {
      case 'sqs': {
        const { SQSClient, SendMessageCommand } = await import('@aws-sdk/client-sqs');
        const client = await this.client('sqs', async () => new SQSClient({}));
        await client.send(new SendMessageCommand({ QueueUrl: this.target(transport), MessageBody: body, MessageAttributes: attributesOf(message.headers) }));
        return;
      }
      case 'sns': {
        const { SNSClient, PublishCommand } = await import('@aws-sdk/client-sns');
        const client = await this.client('sns', async () => new SNSClient({}));
        await client.send(new PublishCommand({ TopicArn: this.target(transport), Message: body, MessageAttributes: attributesOf(message.headers) }));
        return;
      }
      case 'eventbridge': {
        const { EventBridgeClient, PutEventsCommand } = await import('@aws-sdk/client-eventbridge');
        const client = await this.client('eventbridge', async () => new EventBridgeClient({}));
        // The message headers travel inside the event: EventBridge has no attributes of its own.
        const answer = (await client.send(
          new PutEventsCommand({
            Entries: [
              {
                EventBusName: this.target(transport),
                Source: transport.source,
                DetailType: transport.detailType,
                Detail: JSON.stringify({ headers: message.headers, payload: message.payload ?? null }),
              },
            ],
          }),
        )) as { FailedEntryCount?: number; Entries?: { ErrorCode?: string }[] };
        // PutEvents answers 200 with a failed entry when the bus refused the event.
        if (answer.FailedEntryCount)
          throw Object.assign(new Error(`EventBridge refused the event (${answer.Entries?.[0]?.ErrorCode ?? 'unknown error'})`), {
            name: 'EventBridgeRefused',
          });
        return;
      }
    }
  }
}
