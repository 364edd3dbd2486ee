import { createHash } from 'node:crypto';
import { prepareCriteria } from '../../../core/criteria/index.js';
import { ArazzoRuntimeError, ErrorCodes, expressionError, secretError } from '../../../core/errors.js';
import { evaluateValue, type ExpressionContext } from '../../../core/expressions/index.js';
import type { CallbackVerification, StepEvent, StepPlan } from '../../../core/plan.js';
import { allPass, decideOutcome, openContext } from '../decide-outcome.js';
import { pendingCallback, type CallbackStore, type PendingCallback, type ReceivedMessage } from '../callbacks/callback-store.js';
import { resumes } from '../callbacks/receive-callback.js';
import type { TaskTokenClient } from '../callbacks/task-token-client.js';
import { verifyCallbackSignature, type ForgedReason } from '../callbacks/verify-callback-signature.js';
import type { Sealer, SecretsProvider } from '../secrets/index.js';
import { readMessageLocation } from './read-message-location.js';

/**
 * How long a message no receive step waits for yet is kept (a reply that overtakes the step
 * meant to wait for it): five minutes, then it is dropped and counted.
 */
export const KEEP_UNMATCHED_SECONDS = 300;

/**
 * The largest message kept for a step that does not wait yet: its JSON (key, headers, payload) at
 * most 256 KiB. Sealed (base64url of AES-GCM, with the KMS data key it was sealed with) that is at
 * most about 342 KiB, under DynamoDB's 400 KB item limit; and Step Functions carries no more than
 * 256 KiB between states anyway. The receivers' own body limit (MAX_CALLBACK_BYTES) leaves room
 * for headers, so this is the bound that can trip.
 */
export const MAX_KEPT_MESSAGE_BYTES = 262_144;

/** The named answer (413) to a message too large to keep (or to receive at all), and the reason it is counted under. */
export const MESSAGE_TOO_LARGE = 'MessageTooLarge';

/**
 * The callback-store key of a receive step's wait: its channel and correlation id, hashed (the
 * id may be personal data, and keys are logged by DynamoDB's tooling).
 */
export function messageKey(source: string, channel: string, correlation: string): string {
  return `message:${createHash('sha256')
    .update(JSON.stringify([source, channel, correlation]))
    .digest('base64url')}`;
}

/**
 * What tells a duplicate from a new message on the same correlation id: its payload, hashed (the
 * transport's own headers, a date or a delivery id, differ between two deliveries of one message).
 */
export const messageDigest = (message: ReceivedMessage) =>
  createHash('sha256')
    .update(JSON.stringify(message.payload ?? null))
    .digest('base64url');

/** A message's correlation id, read where its AsyncAPI message says (`$message.header#/id`); '' for a step that correlates nothing. */
function correlationOf(plan: StepPlan, message: ReceivedMessage): string | undefined {
  if (plan.receive?.correlationId === undefined || !plan.receive.correlationLocation) return '';
  return readMessageLocation(plan.receive.correlationLocation, message);
}

/** The receiver's path for messages on a channel: `/messages/<source>/<channel>`, each part URL-encoded. */
export const messagePath = (source: string, channel: string) => `/messages/${encodeURIComponent(source)}/${encodeURIComponent(channel)}`;

/** The channel a receiver path names (`/messages/<source>/<channel>`, a query string ignored), or undefined. */
export function channelOfMessagePath(pathAndQuery: string): { source: string; channel: string } | undefined {
  const match = /^\/messages\/([^/?#]+)\/([^/?#]+)\/?(?:\?.*)?$/.exec(pathAndQuery);
  if (!match) return undefined;
  try {
    return { source: decodeURIComponent(match[1]), channel: decodeURIComponent(match[2]) };
  } catch {
    return undefined;
  }
}

export interface MessageReceiverDeps {
  readonly store: CallbackStore;
  readonly tokens: TaskTokenClient;
  readonly sealer: Sealer;
  readonly secrets: SecretsProvider;
  /** The receive steps that listen on a channel (by source description and channel key). */
  receiversOf(source: string, channel: string): readonly StepPlan[];
  /** The plan of a receive step, by workflow and step id. */
  planFor(workflowId: string, stepId: string): StepPlan | undefined;
  /** @default KEEP_UNMATCHED_SECONDS */
  readonly keepSeconds?: number;
  /** Told of every refused message (401), for the forged-callback metric. */
  readonly onForged?: (reason: ForgedReason, step: { readonly workflowId: string; readonly stepId: string }) => void;
  /** @default Date.now */
  readonly now?: () => number;
  /** Told of each message the receiver could not keep for its step (too large): the webhook counts it as a metric, the local run in memory. */
  readonly onUnkept?: (reason: typeof MESSAGE_TOO_LARGE, workflowId: string) => void;
}

export interface MessageAnswer {
  /** 200 resumed a step, 202 kept for a step not waiting yet, 401 not signed by the provider or a replay, 409 a duplicate of one that resumed, 410 its step stopped waiting, 404 no step listens here, 400 unreadable, 413 too large to keep. */
  readonly status: number;
  /** `error` names a refusal the sender can act on (MESSAGE_TOO_LARGE). */
  readonly body: { readonly result: string; readonly error?: string };
}

/**
 * A message kept for a step that does not wait yet, sealed with the deployment's sealer (KMS on
 * AWS) under the receive step's seal context, so the callback table never holds a payload in
 * clear. The key is sealed with it: an item copied under another key does not open as its message.
 */
function keptPlaintext(key: string, message: ReceivedMessage, claim: string | undefined): string {
  // Its delivery id too: the step that takes it marks it seen, so a replay of the signed delivery is refused.
  return JSON.stringify({ key, message: { ...message, payload: message.payload ?? null }, ...(claim ? { claim } : {}) });
}

async function openKeptMessage(key: string, sealed: string, plan: StepPlan, sealer: Sealer): Promise<{ message: ReceivedMessage; claim?: string }> {
  const kept = JSON.parse(await sealer.unseal(sealed, plan.sealContext)) as { key?: string; message?: ReceivedMessage; claim?: string };
  if (kept.key !== key || !kept.message) throw secretError(`step ${plan.stepId}: the message kept for it was sealed under another key`);
  return { message: kept.message, ...(typeof kept.claim === 'string' ? { claim: kept.claim } : {}) };
}

/** What a claim item holds: nothing of the message, only that it has not been taken yet. */
const UNCLAIMED = 'unclaimed';

/**
 * The store key of the one claim on a message kept under several keys (channels sharing a queue,
 * topic or event pattern; or steps of one channel correlating in different places): whichever
 * step takes the claim first takes the message, so it resumes one wait, never two.
 */
function claimKey(keys: readonly string[], digest: string): string {
  return `claim:${createHash('sha256')
    .update(JSON.stringify([[...keys].sort(), digest]))
    .digest('base64url')}`;
}

/**
 * Judges a message for a waiting receive step and resumes its Task: the step's criteria, actions
 * and outputs read the message as `$message.header.*` and `$message.payload`. The store's
 * conditional settle makes sure a duplicate resumes nothing twice.
 */
export async function settleWithMessage(
  pending: PendingCallback,
  plan: StepPlan,
  message: ReceivedMessage,
  deps: Pick<MessageReceiverDeps, 'store' | 'tokens' | 'sealer' | 'secrets' | 'onForged'>,
): Promise<MessageAnswer> {
  await prepareCriteria(plan);
  const opened = await openContext(plan, pending.event, deps, []);
  opened.ctx.message = { headers: { ...message.headers }, payload: message.payload };
  const ok = allPass(plan.successCriteria, opened.ctx, opened.notes);
  let resume: () => Promise<void>;
  try {
    const result = await decideOutcome(
      plan,
      pending.event,
      opened,
      deps.sealer,
      ok,
      () =>
        `step ${plan.stepId}: the message received on channel ${plan.channel?.channel} does not meet its success criteria (${plan.successCriteria.map((c) => c.condition).join(' && ')}), and no onFailure action applies`,
    );
    resume = () => deps.tokens.sendTaskSuccess(pending.taskToken, JSON.stringify(result));
  } catch (err) {
    const name = err instanceof ArazzoRuntimeError ? err.name : ErrorCodes.StepFailed;
    resume = () => deps.tokens.sendTaskFailure(pending.taskToken, name, (err as Error).message);
  }
  // Marked seen just before it takes effect (as a callback is), so a fault earlier leaves the provider's retry welcome.
  if (message.deliveryId !== undefined && !(await deps.store.markSeen(pending.id, message.deliveryId))) return refused('replayed', pending, deps);
  // The digest is recorded with the settle: a later delivery of the same message is told it is a duplicate.
  if (!(await deps.store.settle(pending.id, messageDigest(message)))) return { status: 409, body: { result: 'duplicate: already received' } };
  if (!(await resumes(resume))) return { status: 410, body: { result: 'no longer waiting' } };
  return { status: 200, body: { result: 'received' } };
}

const refused = (reason: ForgedReason, step: { readonly workflowId: string; readonly stepId: string }, deps: Pick<MessageReceiverDeps, 'onForged'>): MessageAnswer => {
  deps.onForged?.(reason, { workflowId: step.workflowId, stepId: step.stepId });
  return { status: 401, body: { result: 'message not verified' } };
};

/**
 * Checks a message against the verification its channel's receive steps declare (each distinct
 * declaration must pass: the channel is one provider's, so in practice there is one). Returns the
 * message with its delivery id, or the 401 answer; nothing is read from the store before it.
 */
async function verifyMessage(receivers: readonly StepPlan[], message: ReceivedMessage, rawBody: Buffer, deps: MessageReceiverDeps): Promise<ReceivedMessage | MessageAnswer> {
  const declared = new Map<string, { verify: CallbackVerification; plan: StepPlan }>();
  for (const plan of receivers) if (plan.receive?.verify) declared.set(JSON.stringify(plan.receive.verify), { verify: plan.receive.verify, plan });
  let deliveryId: string | undefined;
  for (const { verify, plan } of declared.values()) {
    const key = await deps.secrets.getSecret(verify.secret);
    const check = verifyCallbackSignature({ headers: message.headers, rawBody }, key, verify, (deps.now ?? Date.now)());
    if (!check.ok) return refused(check.reason, plan, deps);
    deliveryId ??= check.deliveryId;
  }
  return deliveryId === undefined ? message : { ...message, deliveryId };
}

/**
 * The receiver of messages on AsyncAPI channels, whatever carried them (the webhook Function URL,
 * an SQS queue, an EventBridge rule; locally the embedded broker): finds the receive step that
 * waits for the message's correlation id on its channel and resumes it. A message nobody waits
 * for yet is kept for a bounded time (the step takes it when it starts waiting).
 */
export async function receiveMessage(
  source: string,
  channel: string,
  received: ReceivedMessage,
  deps: MessageReceiverDeps,
  /** The body exactly as it came: a provider's signature covers bytes, not the parsed payload. */
  rawBody: Buffer = Buffer.alloc(0),
): Promise<MessageAnswer> {
  return receiveOnChannels([{ source, channel }], received, deps, rawBody);
}

/**
 * receiveMessage for a message that arrived where several channels meet: channels whose bindings
 * name one queue, topic, or bus with one source and detail-type. AsyncAPI lets two channels share
 * an address and says only that a message sent to a channel is one of that channel's messages;
 * on a shared queue nothing tells which channel a sender meant, so the message is a message of
 * each of them until a receive step takes it, and it is taken once, as SQS hands a message to one
 * consumer: a step that waits for it on any of the channels is resumed first; otherwise it is kept
 * for every channel whose correlation location it carries, under one claim that the first step to
 * start waiting takes (docs/asyncapi.md, "A queue several channels share").
 */
export async function receiveOnChannels(
  channels: readonly { readonly source: string; readonly channel: string }[],
  received: ReceivedMessage,
  deps: MessageReceiverDeps,
  rawBody: Buffer = Buffer.alloc(0),
): Promise<MessageAnswer> {
  const byChannel = channels.map(({ source, channel }) => ({ source, channel, plans: deps.receiversOf(source, channel) }));
  const receivers = byChannel.flatMap((c) => c.plans);
  if (!receivers.length) return { status: 404, body: { result: 'no step receives on this channel' } };
  // Verified before anything else: a forged or stale message is neither kept nor matched, and learns nothing.
  const verified = await verifyMessage(receivers, received, rawBody, deps);
  if ('status' in verified) return verified as MessageAnswer;
  const message = verified;
  // Each key with the first step that waits under it: whose seal context a kept message is sealed under.
  const keys = new Map<string, StepPlan>();
  for (const { source, channel, plans } of byChannel) {
    for (const plan of plans) {
      const correlation = correlationOf(plan, message);
      const key = correlation === undefined ? undefined : messageKey(source, channel, correlation);
      if (key !== undefined && !keys.has(key)) keys.set(key, plan);
    }
  }
  if (!keys.size) return { status: 400, body: { result: 'the message carries no correlation id where its channel says' } };
  const digest = messageDigest(message);
  for (const key of keys.keys()) {
    const pending = await deps.store.get(key);
    if (!pending) continue;
    // A message this wait (or an earlier turn of the same step) already received: nothing resumes twice.
    if (pending.statuses.includes(digest)) {
      // The same signed delivery again is a replay, counted as one; a new delivery of the same message is a duplicate.
      if (message.deliveryId !== undefined && !(await deps.store.markSeen(pending.id, message.deliveryId))) return refused('replayed', pending, deps);
      return { status: 409, body: { result: 'duplicate: already received' } };
    }
    // A new message for a wait that already ended: kept below, for the step's next turn (a loop back to it) if it comes.
    if (pending.settled) continue;
    const plan = deps.planFor(pending.workflowId, pending.stepId);
    if (!plan?.receive) return { status: 500, body: { result: 'no plan for this receive step' } };
    return settleWithMessage(pending, plan, message, deps);
  }
  const keepSeconds = deps.keepSeconds ?? KEEP_UNMATCHED_SECONDS;
  const claim = keys.size > 1 ? claimKey([...keys.keys()], digest) : undefined;
  const sealable = [...keys].map(([key, plan]) => ({ key, plan, plaintext: keptPlaintext(key, message, claim) }));
  const largest = Math.max(...sealable.map((k) => Buffer.byteLength(k.plaintext)));
  if (largest > MAX_KEPT_MESSAGE_BYTES) {
    // Too large for the table once sealed: the sender hears so by name, rather than a 500 it would retry forever.
    deps.onUnkept?.(MESSAGE_TOO_LARGE, sealable[0].plan.workflowId);
    return { status: 413, body: { result: `no step waits for it yet, and it is too large to keep (${largest} bytes; at most ${MAX_KEPT_MESSAGE_BYTES})`, error: MESSAGE_TOO_LARGE } };
  }
  // The claim first: a step never finds a copy whose claim is not there yet.
  if (claim) await deps.store.keepMessage(claim, UNCLAIMED, keepSeconds);
  for (const { key, plan, plaintext } of sealable) {
    await deps.store.keepMessage(key, await deps.sealer.seal(plaintext, plan.sealContext), keepSeconds);
  }
  return { status: 202, body: { result: 'kept: no step waits for it yet' } };
}

/**
 * What a receive step's function does when its Task starts: registers the task token under the
 * channel and the step's correlation id, then takes a message that arrived first, if one did,
 * and resumes the Task with it at once.
 */
export async function registerReceive(
  plan: StepPlan,
  event: StepEvent & { readonly taskToken: string },
  ctx: ExpressionContext,
  deps: Pick<MessageReceiverDeps, 'store' | 'tokens' | 'sealer' | 'secrets' | 'onForged'>,
): Promise<'waiting' | 'received'> {
  const channel = plan.channel!;
  let correlation = '';
  if (plan.receive?.correlationId !== undefined) {
    const value = evaluateValue(plan.receive.correlationId, ctx);
    if (value === undefined || value === null || typeof value === 'object') {
      throw expressionError(`step ${plan.stepId}: its correlationId ${plan.receive.correlationId} has no value to wait for (a string or a number)`);
    }
    correlation = String(value);
  }
  const key = messageKey(channel.source, channel.channel, correlation);
  // A step that loops back to wait again (a status that is not final yet) keeps what its earlier turns received, so a duplicate of one resumes nothing.
  const previous = await deps.store.get(key);
  const seen =
    previous && previous.workflowId === plan.workflowId && previous.stepId === plan.stepId && previous.event.executionId === event.executionId
      ? previous.statuses
      : [];
  const pending = pendingCallback(key, plan, event.taskToken, event, seen);
  await deps.store.put(pending);
  const sealed = await deps.store.takeMessage(key);
  const early = sealed === undefined ? undefined : await openKeptMessage(key, sealed, plan, deps.sealer);
  if (!early || seen.includes(messageDigest(early.message))) return 'waiting';
  // Kept for several channels or correlations: a step on another of them took it first (its copy here expires unread).
  if (early.claim !== undefined && (await deps.store.takeMessage(early.claim)) === undefined) return 'waiting';
  // A replayed delivery (401) leaves the step waiting for a fresh one.
  return (await settleWithMessage(pending, plan, early.message, deps)).status === 401 ? 'waiting' : 'received';
}
