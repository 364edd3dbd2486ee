import type { StepPlan } from '../../core/plan.js';
import {
  channelsOfEvent,
  channelsOfTarget,
  channelsOfTopic,
  messageOfEvent,
  messageOfSqsRecord,
  type EventBridgeEvent,
  type SqsEvent,
} from '../runtime/messages/broker-messages.js';
import { isMqttRuleEvent, messageOfMqttRuleEvent, type MqttRuleEvent } from '../runtime/messages/mqtt-messages.js';
import { receiveOnChannels, type MessageAnswer, type MessageReceiverDeps } from '../runtime/messages/receive-message.js';
import type { ReceivedMessage } from '../runtime/callbacks/callback-store.js';
import { countMetric, DROPPED_MESSAGE_METRIC, OVERSIZED_MESSAGE_METRIC } from './metrics.js';
import { providerUnavailable } from '../../core/errors.js';

/**
 * How often an SQS message whose handling failed (DynamoDB or Step Functions unavailable) is tried
 * before it is dropped: a queue without a redrive policy would otherwise hand it back for as long
 * as it is retained (up to 14 days).
 */
export const MAX_RECEIVES = 5;

export interface BrokerHandlerDeps extends Omit<MessageReceiverDeps, 'planFor' | 'receiversOf'> {
  /** The broker target a queue carries (`sqs:<queue>`, or `sns:<topic>` for a queue subscribed to a topic), by the queue's ARN. */
  targetOfQueue(queueArn: string): string | undefined;
}

/** `batchItemFailures` names the SQS messages to hand back (the event source mapping's ReportBatchItemFailures). */
export interface SqsBatchResponse {
  readonly batchItemFailures: { readonly itemIdentifier: string }[];
}

export type BrokerHandler = {
  (event: SqsEvent): Promise<SqsBatchResponse>;
  (event: EventBridgeEvent): Promise<void>;
  (event: MqttRuleEvent): Promise<void>;
};

/** What the receiver logs (`error`) for an MQTT payload that is neither JSON nor the text of a `text/*` content type: dropped, never retried. */
export const MQTT_PAYLOAD_UNREADABLE = 'UnreadablePayload';

// Why a message was dropped, by the receiver's answer: the `reason` of its DroppedMessages count.
const DROP_REASONS: Readonly<Record<number, string>> = { 400: 'NoCorrelationId', 401: 'NotVerified', 404: 'NoReceiveStep', 500: 'NoPlan' };
// A duplicate (409) and a message for a wait that ended (410) were judged: the step's own outcome stands, nothing is lost.
const isDrop = (answer: MessageAnswer) => answer.status >= 400 && answer.status !== 409 && answer.status !== 410;
const dropReason = (answer: MessageAnswer) => answer.body.error ?? DROP_REASONS[answer.status] ?? `Status${answer.status}`;

const isSqsEvent = (event: SqsEvent | EventBridgeEvent | MqttRuleEvent): event is SqsEvent => Array.isArray((event as SqsEvent).Records);

/**
 * The receiver of broker messages for receive steps on SQS, SNS and EventBridge channels: the
 * Lambda behind the queue's event source mapping and the rule's target on AWS, and what the local
 * broker delivers to. Every message goes through `receiveMessage`, the one path the webhook
 * Function URL takes too (correlation, the kept early message, the duplicate that resumes nothing).
 *
 * SQS: a message is deleted (left out of `batchItemFailures`) once it resumed a step, was kept for
 * one, was a duplicate, or can never be judged (not JSON, no correlation id, no step listens):
 * the last are dropped and logged, never retried. A fault is handed back for another try, at most
 * MAX_RECEIVES times. On a FIFO queue the messages after a failed one are handed back too, to keep
 * their order. EventBridge: a fault throws, for Lambda's asynchronous retries. MQTT (an AWS IoT
 * topic rule's event, `MqttRuleEvent`, matched to receive steps by its topic): a message that can
 * never be judged is dropped, logged and counted as the others are; a fault throws
 * Arazzo.ProviderUnavailable, so Lambda tries the asynchronous invocation again and, past its
 * retries, the rule's error action keeps it (the construct wires it): a message the receiver could
 * not place is never silently lost. One log line per message: its id (an MQTT message's topic),
 * status and result, never its headers or payload (personal data). A message
 * dropped is counted too, as the webhook counts its refusals: an Embedded Metric Format line of
 * `DroppedMessages` with its reason (and `OversizedMessages` for one too large to keep), since no
 * sender hears of it.
 */
export function createBrokerHandler(
  plans: readonly StepPlan[],
  deps: BrokerHandlerDeps,
  log: (entry: Record<string, unknown>) => void = (entry) => console.log(JSON.stringify({ message: 'arazzo broker message', ...entry })),
): BrokerHandler {
  const receivers = plans.filter((p) => p.receive && p.channel && p.channel.transport.kind !== 'http');
  const byStep = new Map(receivers.map((p) => [`${p.workflowId}\u0000${p.stepId}`, p]));
  const now = deps.now ?? Date.now;
  // On AWS a receiver serves one workflow; locally one serves them all, so a drop is counted for its channel's.
  const workflowOf = (channels: readonly { source: string; channel: string }[]) =>
    (receivers.find((p) => channels.some((c) => c.source === p.channel!.source && c.channel === p.channel!.channel)) ?? receivers[0])?.workflowId ?? '';
  const dropped = (reason: string, channels: readonly { source: string; channel: string }[]) => log(countMetric(DROPPED_MESSAGE_METRIC, reason, workflowOf(channels), now()));
  // One log line per judged message (keyed by its id, event id or topic), and the count of a drop.
  const settled = (id: Record<string, string | undefined>, answer: MessageAnswer, channels: readonly { source: string; channel: string }[]) => {
    log({ ...id, status: answer.status, result: answer.status >= 400 ? `dropped: ${answer.body.result}` : answer.body.result });
    if (isDrop(answer)) dropped(dropReason(answer), channels);
  };
  const receiverDeps: MessageReceiverDeps = {
    ...deps,
    onUnkept: (reason, workflowId) => {
      deps.onUnkept?.(reason, workflowId);
      log(countMetric(OVERSIZED_MESSAGE_METRIC, reason, workflowId, now()));
    },
    planFor: (workflowId, stepId) => byStep.get(`${workflowId}\u0000${stepId}`),
    receiversOf: (source, channel) => receivers.filter((p) => p.channel!.source === source && p.channel!.channel === channel),
  };
  // Channels that share a queue, topic or event pattern get the message as one: it resumes or is kept for one step (receiveOnChannels).
  const deliver = (channels: readonly { source: string; channel: string }[], message: ReceivedMessage): Promise<MessageAnswer> => receiveOnChannels(channels, message, receiverDeps);

  async function handleMqtt(event: MqttRuleEvent): Promise<void> {
    const topic = event.topic;
    const channels = channelsOfTopic(receivers, topic);
    if (!channels.length) {
      // Not counted as dropped: on AWS a topic rule exists only for a topic receive steps listen on (the stack removes it
      // with them), so only the local broker, which hands over every message published, delivers one here; a subscriber
      // that is not a receive step (a game service reading moves) may well take it.
      log({ topic, status: 404, result: 'not for a receive step: no receive step listens on this topic' });
      return;
    }
    const message = messageOfMqttRuleEvent(event);
    if (!message) {
      log({ topic, status: 400, result: `dropped: the payload is neither JSON nor text (content type ${event.contentType ?? 'none'})`, error: MQTT_PAYLOAD_UNREADABLE });
      dropped(MQTT_PAYLOAD_UNREADABLE, channels);
      return;
    }
    let answer: MessageAnswer;
    try {
      answer = await deliver(channels, message);
    } catch (err) {
      log({ topic, status: 500, result: 'failed: Lambda tries the message again', error: (err as Error).name });
      throw providerUnavailable(`the broker receiver could not settle a message on MQTT topic ${topic} (${(err as Error).name}); it is tried again`, { cause: err });
    }
    settled({ topic }, answer, channels);
  }

  async function handle(event: SqsEvent | EventBridgeEvent | MqttRuleEvent): Promise<SqsBatchResponse | void> {
    if (isMqttRuleEvent(event)) return handleMqtt(event);
    if (isSqsEvent(event)) {
      const batchItemFailures: { itemIdentifier: string }[] = [];
      for (const record of event.Records) {
        const handBack = batchItemFailures.length > 0 && record.eventSourceARN.endsWith('.fifo');
        if (handBack) {
          batchItemFailures.push({ itemIdentifier: record.messageId });
          continue;
        }
        const target = deps.targetOfQueue(record.eventSourceARN);
        const channels = target ? channelsOfTarget(receivers, target) : [];
        const message = messageOfSqsRecord(record);
        if (!message || !channels.length) {
          log({ messageId: record.messageId, status: message ? 404 : 400, result: message ? 'dropped: no receive step listens on this queue' : 'dropped: the body is not JSON' });
          dropped(message ? 'NoReceiveStep' : 'NotJson', channels);
          continue;
        }
        try {
          const answer = await deliver(channels, message);
          settled({ messageId: record.messageId }, answer, channels);
        } catch (err) {
          const receives = Number(record.attributes?.ApproximateReceiveCount ?? '1');
          if (receives >= MAX_RECEIVES) {
            log({ messageId: record.messageId, status: 500, result: `dropped after ${receives} tries`, error: (err as Error).name });
            dropped('FailedTries', channels);
            continue;
          }
          log({ messageId: record.messageId, status: 500, result: 'handed back to the queue', error: (err as Error).name });
          batchItemFailures.push({ itemIdentifier: record.messageId });
        }
      }
      return { batchItemFailures };
    }
    const channels = channelsOfEvent(receivers, event);
    if (!channels.length) {
      log({ eventId: event.id, status: 404, result: 'dropped: no receive step listens for this source and detail-type' });
      dropped('NoReceiveStep', channels);
      return;
    }
    let answer: MessageAnswer;
    try {
      answer = await deliver(channels, messageOfEvent(event));
    } catch (err) {
      log({ eventId: event.id, status: 500, result: 'failed: Lambda tries the event again', error: (err as Error).name });
      throw err;
    }
    settled({ eventId: event.id }, answer, channels);
  }
  return handle as BrokerHandler;
}
