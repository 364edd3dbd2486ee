import type { ChannelTransport } from '../../core/plan.js';
import type { BoundWorkflow } from './bind-document.js';
import { reportAt, type PlanContext } from './plan-context.js';

/**
 * Where a broker receiver cannot tell two channels apart: the same queue or topic, or EventBridge
 * events of the same source and detail-type (a rule's event does not say which bus it came from).
 * HTTP channels never share: each has its own receiver path.
 */
function sharedPlaceOf(transport: ChannelTransport): { key: string; name: string } | undefined {
  switch (transport.kind) {
    case 'http':
      return undefined;
    case 'sqs':
      return { key: `sqs:${transport.queueName}`, name: `SQS queue "${transport.queueName}"` };
    case 'sns':
      return { key: `sns:${transport.topicName}`, name: `SNS topic "${transport.topicName}"` };
    case 'eventbridge':
      return { key: `eventbridge:${transport.source}\u0000${transport.detailType}`, name: `EventBridge events of source "${transport.source}" and detail-type "${transport.detailType}"` };
    case 'mqtt':
      return { key: `mqtt:${transport.topic}`, name: `MQTT topic "${transport.topic}"` };
  }
}

/**
 * Receive steps of one workflow on different channels that one queue, topic or event pattern
 * carries (AsyncAPI lets two channels share an address). The receiver cannot tell which channel a
 * message was sent on, so a message there is one of each channel's until a receive step takes it,
 * and only that step gets it (functions/runtime/messages/receive-message.ts, receiveOnChannels):
 * a step may take a message meant for the other channel when its correlation id matches. Compiled,
 * and warned (ASFN2206), since the document may mean the channels apart.
 */
export function checkSharedChannels(ctx: PlanContext, bound: BoundWorkflow): void {
  const first = new Map<string, { channel: string; source: string; stepId: string }>();
  const reported = new Set<string>();
  for (const { step, pointer, channel } of bound.steps) {
    if (channel?.binding.action !== 'receive') continue;
    const place = sharedPlaceOf(channel.binding.transport);
    if (!place) continue;
    const { source, channel: key } = channel.binding;
    const earlier = first.get(place.key);
    if (!earlier) {
      first.set(place.key, { channel: key, source, stepId: step.stepId });
      continue;
    }
    const id = `${place.key}\u0000${source}\u0000${key}`;
    if ((earlier.source === source && earlier.channel === key) || reported.has(id)) continue;
    reported.add(id);
    reportAt(
      ctx,
      pointer,
      'sharedReceiveChannel',
      `step "${step.stepId}" receives on channel "${key}", which reads the same ${place.name} as channel "${earlier.channel}" (step "${earlier.stepId}"): nothing there tells the two channels' messages apart, so each message goes to the first receive step on either channel whose correlation id it matches, and to that step only`,
      'warning',
    );
  }
}

/**
 * Where a send step's message lands for a receive step to see it: its queue or topic, or its bus
 * with the source and detail-type a rule matches (the bus counts here: a send reaches only rules on
 * its own bus).
 */
function sendPlaceOf(transport: ChannelTransport): { key: string; name: string } | undefined {
  const place = sharedPlaceOf(transport);
  if (!place || transport.kind !== 'eventbridge') return place;
  return { key: `${place.key}\u0000${transport.eventBusName}`, name: `${place.name} on bus "${transport.eventBusName}"` };
}

/**
 * A receive step on the queue, topic or event pattern a send step of the same workflow publishes
 * on: the receiver takes the workflow's own message there as any other (an IoT topic rule or an
 * EventBridge rule fires for every message, an SNS topic delivers to every subscription, and an
 * SQS queue gives each message to one consumer, so the provider may never get it), and a sent
 * message that carries the correlation id the step waits for resumes it. Compiled, and warned
 * (ASFN2215): request and answer need places of their own.
 */
export function checkReceiveOwnSend(ctx: PlanContext, bound: BoundWorkflow): void {
  const sends = new Map<string, string>();
  for (const { step, channel } of bound.steps) {
    if (channel?.binding.action !== 'send') continue;
    const place = sendPlaceOf(channel.binding.transport);
    if (place && !sends.has(place.key)) sends.set(place.key, step.stepId);
  }
  for (const { step, pointer, channel } of bound.steps) {
    if (channel?.binding.action !== 'receive') continue;
    const place = sendPlaceOf(channel.binding.transport);
    const sender = place && sends.get(place.key);
    if (!place || !sender) continue;
    reportAt(
      ctx,
      pointer,
      'receiveOwnSend',
      `step "${step.stepId}" receives on ${place.name}, which step "${sender}" of this workflow sends on: the receiver takes the workflow's own message there like any other (a topic or event rule sees every message; an SQS queue hands each message to one consumer, so the provider may never get it), and one that carries the correlation id the step waits for resumes it; give the answer a queue, topic or event of its own`,
      'warning',
    );
  }
}
