import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileFileOrThrow } from '../../../../compiler/index.js';
import { isWorkflowStep, type StepPlan } from '../../../../core/plan.js';
import { createBrokerHandler, MAX_RECEIVES } from '../../../../functions/handlers/create-broker-handler.js';
import { createWebhookHandler } from '../../../../functions/handlers/create-webhook-handler.js';
import { InMemoryCallbackStore } from '../../../../functions/runtime/callbacks/index.js';
import { messageOfEvent, type SqsRecord } from '../../../../functions/runtime/messages/broker-messages.js';
import { KEEP_UNMATCHED_SECONDS, MAX_KEPT_MESSAGE_BYTES, MESSAGE_TOO_LARGE, registerReceive } from '../../../../functions/runtime/messages/receive-message.js';
import { AesGcmSealer, InMemorySecretsProvider } from '../../../../functions/runtime/secrets/index.js';
import { LocalTaskTokens } from '../../../../local/local-callbacks.js';

const PARCEL = join(import.meta.dirname, '../../../fixtures/asyncapi/parcel.arazzo.yml');
const QUEUE_ARN = 'arn:aws:sqs:eu-west-1:111122223333:parcel-packed';
const SUBSCRIBED_ARN = 'arn:aws:sqs:eu-west-1:111122223333:Test-ParcelDeliveredQueue-ABC';

/** An SQS record as Lambda's event source mapping delivers it. */
const sqsRecord = (messageId: string, body: string, attributes: Record<string, string>, receiveCount = 1, arn = QUEUE_ARN): SqsRecord => ({
  messageId,
  body,
  eventSource: 'aws:sqs',
  eventSourceARN: arn,
  attributes: { ApproximateReceiveCount: String(receiveCount) },
  messageAttributes: Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, { dataType: 'String', stringValue: v }])),
});

describe('the broker receiver: SQS records and EventBridge events resume receive steps through receiveMessage', () => {
  let plans: StepPlan[];
  const step = (id: string) => plans.find((p) => p.stepId === id)!;
  beforeAll(async () => {
    const [compiled] = (await compileFileOrThrow(PARCEL)).workflows;
    plans = compiled.plan.steps.filter((s): s is StepPlan => !isWorkflowStep(s));
  });

  function setup(store = new InMemoryCallbackStore()) {
    // The local token registry stands in for Step Functions' task tokens (a test double: SendTaskSuccess resolves the waiting promise).
    const tokens = new LocalTaskTokens();
    const deps = { store, tokens, sealer: new AesGcmSealer(), secrets: new InMemorySecretsProvider() };
    const logs: Record<string, unknown>[] = [];
    // The Embedded Metric Format lines apart from the one line per message.
    const metrics: Record<string, unknown>[] = [];
    const handler = createBrokerHandler(plans, { ...deps, targetOfQueue: (arn) => ({ [QUEUE_ARN]: 'sqs:parcel-packed', [SUBSCRIBED_ARN]: 'sns:parcel-delivered' })[arn] }, (e) =>
      ('_aws' in e ? metrics : logs).push(e),
    );
    const wait = async (stepId: string, inputs: Record<string, unknown>, steps: Record<string, unknown> = {}) => {
      const { token, result } = tokens.issue({ heartbeatMs: 5_000, timeoutMs: 5_000 });
      const event = { step: stepId, executionId: 'exec-1', inputs, steps: steps as never, taskToken: token };
      expect(await registerReceive(step(stepId), event, { inputs, steps: steps as never }, deps)).toBe('waiting');
      // Wrapped: an async function returning the promise itself would resolve only when the Task does.
      return { result };
    };
    return { store, tokens, deps, handler, logs, metrics, wait };
  }

  it('an SQS record: message attributes are the headers, the body the payload; the batch deletes it, and a duplicate resumes nothing twice', async () => {
    const { handler, wait, logs } = setup();
    const { result } = await wait('awaitPacked', { orderId: 'o-1' });
    const body = JSON.stringify({ status: 'packed', parcelId: 'p-9' });
    const answer = await handler({ Records: [sqsRecord('m-1', body, { orderId: 'o-1', 'X-Packer': 'ann' })] });
    expect(answer).toEqual({ batchItemFailures: [] });
    expect(await result).toMatchObject({ outcome: 'success', outputs: { parcelId: 'p-9', packer: 'ann' } });
    // Delivered again (SQS is at-least-once): deleted, and nothing resumes twice.
    expect(await handler({ Records: [sqsRecord('m-1b', body, { orderId: 'o-1' }, 2)] })).toEqual({ batchItemFailures: [] });
    expect(logs.map((l) => [l.messageId, l.status])).toEqual([
      ['m-1', 200],
      ['m-1b', 409],
    ]);
  });

  it('an SQS message that arrives before its step waits is kept, and the step takes it when it registers', async () => {
    const { handler, store, tokens, deps } = setup();
    const body = JSON.stringify({ status: 'packed', parcelId: 'p-early' });
    expect(await handler({ Records: [sqsRecord('m-2', body, { orderId: 'o-2' })] })).toEqual({ batchItemFailures: [] });
    expect(await store.get('x')).toBeUndefined();
    const { token, result } = tokens.issue({ heartbeatMs: 5_000, timeoutMs: 5_000 });
    const event = { step: 'awaitPacked', executionId: 'exec-2', inputs: { orderId: 'o-2' }, steps: {}, taskToken: token };
    expect(await registerReceive(step('awaitPacked'), event, { inputs: event.inputs, steps: {} }, deps)).toBe('received');
    expect(await result).toMatchObject({ outputs: { parcelId: 'p-early' } });
  });

  it('a kept SQS message is kept for a bounded time (KEEP_UNMATCHED_SECONDS): a step that starts waiting after it has expired does not take it', async () => {
    let now = 1_000_000;
    const store = new InMemoryCallbackStore({ now: () => now });
    const { handler, tokens, deps } = setup(store);
    expect(await handler({ Records: [sqsRecord('m-late', JSON.stringify({ status: 'packed', parcelId: 'p-late' }), { orderId: 'o-9' })] })).toEqual({ batchItemFailures: [] });
    now += (KEEP_UNMATCHED_SECONDS + 1) * 1000;
    const { token } = tokens.issue({ heartbeatMs: 5_000, timeoutMs: 5_000 });
    const event = { step: 'awaitPacked', executionId: 'exec-9', inputs: { orderId: 'o-9' }, steps: {}, taskToken: token };
    expect(await registerReceive(step('awaitPacked'), event, { inputs: event.inputs, steps: {} }, deps)).toBe('waiting');
    expect(store.droppedMessages).toBe(1);
  });

  it('poison messages are dropped, not retried: a body that is not JSON, a queue no step reads, a message with no correlation id', async () => {
    const { handler, logs } = setup();
    const answer = await handler({
      Records: [
        sqsRecord('bad-json', '{not json', { orderId: 'o-3' }),
        sqsRecord('stray', '{}', { orderId: 'o-3' }, 1, 'arn:aws:sqs:eu-west-1:111122223333:elsewhere'),
        sqsRecord('no-id', JSON.stringify({ status: 'packed' }), {}),
      ],
    });
    expect(answer).toEqual({ batchItemFailures: [] });
    expect(logs.map((l) => [l.messageId, l.status])).toEqual([
      ['bad-json', 400],
      ['stray', 404],
      ['no-id', 400],
    ]);
  });

  it('each dropped message is counted as the webhook counts its refusals: a DroppedMessages EMF line by workflow with its reason, and OversizedMessages for one too large to keep', async () => {
    const { handler, metrics, logs } = setup();
    const tooLarge = JSON.stringify({ status: 'packed', pad: 'x'.repeat(MAX_KEPT_MESSAGE_BYTES) });
    await handler({
      Records: [
        sqsRecord('bad-json', '{not json', { orderId: 'o-11' }),
        sqsRecord('stray', '{}', { orderId: 'o-11' }, 1, 'arn:aws:sqs:eu-west-1:111122223333:elsewhere'),
        sqsRecord('no-id', JSON.stringify({ status: 'packed' }), {}),
        sqsRecord('too-large', tooLarge, { orderId: 'o-11' }),
        // Kept for a step not waiting yet: not a drop.
        sqsRecord('kept', JSON.stringify({ status: 'packed', parcelId: 'p-11' }), { orderId: 'o-11' }),
      ],
    });
    await handler({ id: 'e-11', source: 'shop.other', 'detail-type': 'Other', detail: {} });
    expect(logs.find((l) => l.messageId === 'too-large')).toMatchObject({ status: 413 });
    const counted = (name: string) => metrics.filter((m) => name in m).map((m) => [m.WorkflowId, m.reason]);
    expect(counted('DroppedMessages')).toEqual([
      ['followParcel', 'NotJson'],
      ['followParcel', 'NoReceiveStep'],
      ['followParcel', 'NoCorrelationId'],
      ['followParcel', 'MessageTooLarge'],
      ['followParcel', 'NoReceiveStep'],
    ]);
    expect(counted('OversizedMessages')).toEqual([['followParcel', MESSAGE_TOO_LARGE]]);
    expect(metrics[0]).toMatchObject({ _aws: { CloudWatchMetrics: [{ Namespace: 'ArazzoSfn', Dimensions: [['WorkflowId']], Metrics: [{ Name: 'DroppedMessages', Unit: 'Count' }] }] }, DroppedMessages: 1 });
  });

  it('a fault hands the message back (batchItemFailures) until its MAX_RECEIVES-th try, then drops it; on a FIFO queue the rest of the batch goes back too', async () => {
    // A test double over the real in-memory store: DynamoDB unavailable on every read.
    const failing = new InMemoryCallbackStore();
    failing.get = () => Promise.reject(Object.assign(new Error('unavailable'), { name: 'ServiceUnavailable' }));
    const { handler, logs, metrics } = setup(failing);
    const body = JSON.stringify({ status: 'packed', parcelId: 'p-4' });
    expect(await handler({ Records: [sqsRecord('try-1', body, { orderId: 'o-4' }), sqsRecord('try-last', body, { orderId: 'o-4' }, MAX_RECEIVES)] })).toEqual({
      batchItemFailures: [{ itemIdentifier: 'try-1' }],
    });
    expect(logs.map((l) => [l.messageId, l.result, l.error])).toEqual([
      ['try-1', 'handed back to the queue', 'ServiceUnavailable'],
      ['try-last', `dropped after ${MAX_RECEIVES} tries`, 'ServiceUnavailable'],
    ]);
    // Handed back is not dropped; dropped after the last try is.
    expect(metrics.map((m) => [m.DroppedMessages, m.reason])).toEqual([[1, 'FailedTries']]);
    const fifo = 'arn:aws:sqs:eu-west-1:111122223333:parcel-packed.fifo';
    const fifoHandler = createBrokerHandler(plans, { store: failing, tokens: new LocalTaskTokens(), sealer: new AesGcmSealer(), secrets: new InMemorySecretsProvider(), targetOfQueue: () => 'sqs:parcel-packed' }, () => {});
    expect(await fifoHandler({ Records: [sqsRecord('f-1', body, { orderId: 'o-4' }, 1, fifo), sqsRecord('f-2', '{}', {}, 1, fifo)] })).toEqual({
      batchItemFailures: [{ itemIdentifier: 'f-1' }, { itemIdentifier: 'f-2' }],
    });
  });

  it('an EventBridge event: detail is the payload, the envelope fields are headers; a send step\'s {headers, payload} detail is opened', async () => {
    const { handler, wait } = setup();
    const { result } = await wait('awaitShipped', { orderId: 'o-5' }, { awaitPacked: { outputs: { parcelId: 'p-5' } } });
    const event = { id: 'e-1', source: 'shop.shipping', 'detail-type': 'ParcelShipped', time: '2026-12-06T06:00:00Z', account: '111122223333', region: 'eu-west-1' };
    await handler({ ...event, detail: { parcelId: 'p-5', carrier: 'postal' } });
    expect(await result).toMatchObject({ outcome: 'success', outputs: { carrier: 'postal', eventSource: 'shop.shipping' } });

    const { result: wrapped } = await wait('awaitShipped', { orderId: 'o-6' }, { awaitPacked: { outputs: { parcelId: 'p-6' } } });
    await handler({ ...event, id: 'e-2', detail: { headers: { 'x-trace': 't' }, payload: { parcelId: 'p-6', carrier: 'courier' } } });
    expect(await wrapped).toMatchObject({ outputs: { carrier: 'courier' } });
  });

  it("an EventBridge event's envelope wins over a send step's detail headers of the same name: a putter cannot claim another account, region, time, source or event", async () => {
    const { handler, wait } = setup();
    const { result } = await wait('awaitShipped', { orderId: 'o-10' }, { awaitPacked: { outputs: { parcelId: 'p-10' } } });
    const envelope = { id: 'e-10', source: 'shop.shipping', 'detail-type': 'ParcelShipped', time: '2026-12-06T06:00:00Z', account: '111122223333', region: 'eu-west-1' };
    const forged = { id: 'e-other', Source: 'bank.payments', 'detail-type': 'Other', time: '2020-01-01T00:00:00Z', account: '999999999999', region: 'us-east-1', 'x-trace': 't-10' };
    await handler({ ...envelope, detail: { headers: forged, payload: { parcelId: 'p-10', carrier: 'postal' } } });
    expect(await result).toMatchObject({ outcome: 'success', outputs: { carrier: 'postal', eventSource: 'shop.shipping' } });

    const message = messageOfEvent({ ...envelope, detail: { headers: forged, payload: { parcelId: 'p-10' } } });
    expect(message.headers).toEqual({ ...envelope, 'x-trace': 't-10' });
    // An envelope field the event does not carry is not the detail's to fill in.
    const { account: _account, ...withoutAccount } = envelope;
    expect(messageOfEvent({ ...withoutAccount, detail: { headers: forged, payload: {} } }).headers).toEqual({ ...withoutAccount, 'x-trace': 't-10' });
  });

  it('an SNS topic arrives through the queue subscribed to it (raw delivery: SQS records)', async () => {
    const { handler, wait } = setup();
    const { result } = await wait('awaitDelivered', { orderId: 'o-7' }, { awaitPacked: { outputs: { parcelId: 'p-7' } } });
    expect(await handler({ Records: [sqsRecord('sns-1', JSON.stringify({ parcelId: 'p-7' }), {}, 1, SUBSCRIBED_ARN)] })).toEqual({ batchItemFailures: [] });
    expect(await result).toMatchObject({ outcome: 'success' });
  });

  it('the webhook Function URL refuses a message for a broker channel (404): only the broker admits it', async () => {
    const { deps } = setup();
    const webhook = createWebhookHandler(plans, deps, () => {});
    const answer = await webhook({ rawPath: '/messages/parcels/parcelPacked', headers: { 'content-type': 'application/json', orderid: 'o-8' }, body: '{"status":"packed"}', requestContext: { http: { method: 'POST' } } });
    expect(answer.statusCode).toBe(404);
  });
});
