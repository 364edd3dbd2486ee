import type { ChannelTransport, ReceivePolicy } from '../../core/plan.js';
import { EVENT_HEADER_FIELDS } from '../../functions/runtime/messages/broker-messages.js';
import type { ArazzoStep } from '../validate/arazzo-schema.js';
import type { BoundChannel } from './bind-channel.js';
import { checkValueExpressions } from './check-expressions.js';
import { reportAt, type PlanContext } from './plan-context.js';
import { readWebhookVerification } from './read-callback-extension.js';
import { configuredVerification } from './plan-verification-config.js';

/** A receive step's webhook verification (issue 19 §3): the same declaration as a callback step's `verify`. */
export const VERIFY_EXTENSION = 'x-arazzo-sfn-verify';

/** A receive step without `timeout` waits as long as the execution does by default (EmitOptions.timeoutSeconds). */
export const DEFAULT_RECEIVE_SECONDS = 86_400;

const MESSAGE_EXPRESSION = /\$message\./;

/**
 * `$message.*` has a value only in a receive step's criteria, actions and outputs: anywhere else
 * (an HTTP step, a send step, a request) it is always missing.
 */
export function checkMessageExpressions(ctx: PlanContext, step: ArazzoStep, sp: string, receives: boolean): void {
  const fields = receives
    ? (['parameters', 'requestBody'] as const)
    : (['parameters', 'requestBody', 'successCriteria', 'onSuccess', 'onFailure', 'outputs'] as const);
  for (const field of fields) {
    if (step[field] !== undefined && MESSAGE_EXPRESSION.test(JSON.stringify(step[field]))) {
      reportAt(
        ctx,
        `${sp}/${field}`,
        'messageOutsideReceive',
        `step "${step.stepId}": $message has a value only in the successCriteria, actions and outputs of a step that receives a message (action: receive)`,
      );
    }
  }
}

/** `x-arazzo-sfn-verify` on a step that receives nothing: no message would ever be checked with it. */
export function checkVerifyPlacement(ctx: PlanContext, step: ArazzoStep, sp: string, receives: boolean): void {
  if (receives || (step as Record<string, unknown>)[VERIFY_EXTENSION] === undefined) return;
  reportAt(
    ctx,
    `${sp}/${VERIFY_EXTENSION}`,
    'verifyOutsideReceive',
    `step "${step.stepId}": ${VERIFY_EXTENSION} verifies the messages a receive step (action: receive) takes; this step receives none (a callback step declares x-arazzo-sfn-callback.verify)`,
  );
}

/** SQS and SNS carry at most this many message attributes (a send step's headers): one more and the broker refuses the message. */
const MAX_BROKER_HEADERS = 10;

/**
 * A send step's fields that only a receive step reads; and, on SQS or SNS, more headers than the
 * broker carries as message attributes (the send could never succeed: Arazzo.MessageRefused).
 */
export function checkSendFields(ctx: PlanContext, step: ArazzoStep, sp: string, transport?: ChannelTransport): void {
  const headers = new Set((step.parameters ?? []).flatMap((p) => ('in' in p && p.in === 'header' ? [String(p.name).toLowerCase()] : [])));
  if ((transport?.kind === 'sqs' || transport?.kind === 'sns') && headers.size > MAX_BROKER_HEADERS) {
    reportAt(
      ctx,
      `${sp}/parameters`,
      'brokerMessageAttributes',
      `step "${step.stepId}" sends ${headers.size} headers on ${transport.kind.toUpperCase()}, which carries at most ${MAX_BROKER_HEADERS} message attributes: the broker would refuse every message`,
    );
  }
  if (transport?.kind === 'eventbridge') {
    // The broker receiver reads EventBridge's own envelope under these names, whatever the detail says (messageOfEvent).
    for (const name of [...headers].filter((h) => (EVENT_HEADER_FIELDS as readonly string[]).includes(h))) {
      reportAt(
        ctx,
        `${sp}/parameters`,
        'eventEnvelopeHeader',
        `step "${step.stepId}" sends a header "${name}" on EventBridge, whose event envelope has a field of that name: a receive step reads $message.header.${name} as EventBridge's ${name}, not this header; rename it`,
        'warning',
      );
    }
  }
  for (const field of ['correlationId', 'timeout'] as const) {
    if (step[field] !== undefined) {
      reportAt(
        ctx,
        `${sp}/${field}`,
        'asyncStepFieldIgnored',
        `step "${step.stepId}" sends a message, which completes once it is published (Arazzo 1.1): ${field} is ignored`,
        'warning',
      );
    }
  }
}

/** A receive step's correlation and timeout (Arazzo 1.1 §Defining Success for Asynchronous Steps). */
export function planReceive(ctx: PlanContext, step: ArazzoStep, sp: string, channel: BoundChannel, timeoutMs: number | undefined, workflowId: string): ReceivePolicy | undefined {
  const where = `step "${step.stepId}"`;
  const name = `channel "${channel.binding.channel}"`;
  let ok = true;
  if (step.correlationId === undefined) {
    reportAt(
      ctx,
      sp,
      'receiveWithoutCorrelation',
      `${where} receives on ${name} with no correlationId: the first message on the channel resumes it, whichever execution it was meant for`,
      'warning',
    );
  } else {
    checkValueExpressions(ctx.loaded.source, step.correlationId, `${sp}/correlationId`, ctx.diagnostics);
    if (!channel.correlationLocation) {
      reportAt(
        ctx,
        `${sp}/correlationId`,
        'asyncStep',
        `${where}: the messages of ${name} declare no correlationId location (a Correlation ID Object such as location: $message.header#/id), so a message's correlation id cannot be read`,
      );
      ok = false;
    }
  }
  // The step's timeout (planStepTimeout: refused at 0, lowered to a year with a warning), rounded up to whole seconds.
  const timeoutSeconds = timeoutMs === undefined ? DEFAULT_RECEIVE_SECONDS : Math.ceil(timeoutMs / 1000);
  const before = ctx.diagnostics.length;
  // A verification configured for the step (a document kept verbatim, a deployment's own key id) is used instead of the extension's.
  const configured = configuredVerification(ctx, workflowId, step, `${sp}/${VERIFY_EXTENSION}`);
  const verify =
    configured === undefined
      ? readWebhookVerification(ctx.loaded, (step as Record<string, unknown>)[VERIFY_EXTENSION], `${sp}/${VERIFY_EXTENSION}`, ctx.diagnostics, VERIFY_EXTENSION)
      : (configured ?? undefined);
  const transport = channel.binding.transport.kind;
  if (verify && transport !== 'http') {
    // A broker admits only what its queue, topic or bus policy lets in, and carries no webhook signature headers to check.
    reportAt(
      ctx,
      `${sp}/${VERIFY_EXTENSION}`,
      'verifyOnBroker',
      `${where}: ${VERIFY_EXTENSION} checks a webhook's signature over HTTP, but ${name} is bound to ${transport}, whose messages are admitted by the ${transport === 'eventbridge' ? 'bus' : transport === 'sns' ? 'topic' : transport === 'mqtt' ? 'AWS IoT' : 'queue'} policy; remove it, or receive on an http channel`,
    );
    return undefined;
  }
  if (!ok || ctx.diagnostics.length > before) return undefined;
  return {
    ...(step.correlationId !== undefined ? { correlationId: step.correlationId } : {}),
    ...(channel.correlationLocation ? { correlationLocation: channel.correlationLocation } : {}),
    timeoutSeconds,
    ...(verify ? { verify } : {}),
  };
}
