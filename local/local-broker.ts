import type { ReceivedMessage } from '../functions/runtime/callbacks/callback-store.js';
import { brokerTargetName, type BrokerTransport, type MessagePublisher } from '../functions/runtime/messages/publish-message.js';

export interface BrokeredMessage {
  /** `sqs:<queue>`, `sns:<topic>` or `eventbridge:<bus>`. */
  readonly target: string;
  /** EventBridge's `source` and `detail-type`, for an event. */
  readonly event?: { readonly source: string; readonly detailType: string };
  readonly message: ReceivedMessage;
  readonly at: number;
}

/**
 * The embedded broker of the local run: what SQS, SNS and EventBridge are to a deployed send step.
 * It keeps the last `limit` messages published, by target, for whoever reads them (a test, a
 * receiver), and tells `onMessage` of each.
 */
export class LocalBroker implements MessagePublisher {
  private readonly kept: BrokeredMessage[] = [];

  constructor(private readonly options: { readonly limit?: number; readonly onMessage?: (message: BrokeredMessage) => void } = {}) {}

  async publish(transport: BrokerTransport, message: ReceivedMessage): Promise<void> {
    const entry: BrokeredMessage = {
      target: brokerTargetName(transport),
      ...(transport.kind === 'eventbridge' ? { event: { source: transport.source, detailType: transport.detailType } } : {}),
      message: { headers: { ...message.headers }, payload: message.payload },
      at: Date.now(),
    };
    this.kept.push(entry);
    if (this.kept.length > (this.options.limit ?? 1_000)) this.kept.shift();
    this.options.onMessage?.(entry);
  }

  /** The messages kept for a target (all of them when none is named), oldest first. */
  messages(target?: string): readonly BrokeredMessage[] {
    return target === undefined ? [...this.kept] : this.kept.filter((m) => m.target === target);
  }
}
