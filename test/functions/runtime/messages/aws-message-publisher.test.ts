// The send path of AsyncAPI steps on AWS brokers (functions/runtime/messages/publish-message.ts):
// the real SQS, SNS and EventBridge SDK v3 clients against a loopback TEST DOUBLE of the three
// services (test/support/broker-stand-in.ts), alone and under the real ASL engine.
import { join } from 'node:path';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { compileFileOrThrow } from '../../../../compiler/index.js';
import { ErrorCodes } from '../../../../core/errors.js';
import { AwsMessagePublisher, type BrokerTransport } from '../../../../functions/runtime/messages/publish-message.js';
import { AesGcmSealer, InMemorySecretsProvider } from '../../../../functions/runtime/secrets/index.js';
import { LocalWorkflow } from '../../../../local/run-workflow.js';
import { startBrokerStandIn, type BrokerStandIn } from '../../../support/broker-stand-in.js';
import { STAND_IN_CLIENT_CONFIG } from '../../../infra/cdk/support/aws-stand-in.js';

const FIXTURES = join(import.meta.dirname, '../../../fixtures/asyncapi');
const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/111122223333/order-queue';
const FIFO_URL = 'https://sqs.eu-west-1.amazonaws.com/111122223333/order-changes.fifo';
const TOPIC_ARN = 'arn:aws:sns:eu-west-1:111122223333:order-topic';
const BUS_ARN = 'arn:aws:events:eu-west-1:111122223333:event-bus/shop-bus';
/** What the construct puts in ARAZZO_CHANNEL_TARGETS for the notify and orders-fifo fixtures. */
const TARGETS = { 'sqs:order-queue': QUEUE_URL, 'sqs:order-changes.fifo': FIFO_URL, 'sns:order-topic': TOPIC_ARN, 'eventbridge:shop-bus': BUS_ARN };

const sqsQueue: BrokerTransport = { kind: 'sqs', queueName: 'order-queue' };
const fifoQueue: BrokerTransport = { kind: 'sqs', queueName: 'order-changes.fifo', fifo: { groupBy: '$message.payload#/orderId' } };
const topic: BrokerTransport = { kind: 'sns', topicName: 'order-topic' };
const bus: BrokerTransport = { kind: 'eventbridge', eventBusName: 'shop-bus', source: 'shop.orders', detailType: 'OrderPlaced' };

let brokers: BrokerStandIn;
let clients: { sqs: SQSClient; sns: SNSClient; eventBridge: EventBridgeClient };
/** Clients with the SDK's default retries (standard mode, three attempts), pointed at the stand-in. */
const makeClients = (config: { maxAttempts?: number; endpoint?: string } = {}) => {
  const c = { ...STAND_IN_CLIENT_CONFIG, endpoint: brokers.url, ...config };
  return { sqs: new SQSClient(c), sns: new SNSClient(c), eventBridge: new EventBridgeClient(c) };
};
const publisher = (over: Partial<typeof clients> = {}) => new AwsMessagePublisher(TARGETS, { ...clients, ...over });

beforeAll(async () => {
  brokers = await startBrokerStandIn();
});
afterAll(() => brokers.close());
beforeEach(() => {
  brokers.calls.length = 0;
  brokers.faults.clear();
  brokers.failedEntries.clear();
  for (const set of [brokers.queues, brokers.topics, brokers.buses]) set.clear();
  brokers.queues.add(QUEUE_URL).add(FIFO_URL);
  brokers.topics.add(TOPIC_ARN);
  brokers.buses.add(BUS_ARN);
  clients = makeClients();
});
afterEach(() => {
  for (const client of Object.values(clients)) client.destroy();
});

const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (err: Error) => err);

describe('AwsMessagePublisher with the real SDK clients', () => {
  it('sends to SQS (JSON 1.0): the payload as the body, each header a String message attribute, signed', async () => {
    await publisher().publish(sqsQueue, { headers: { 'x-order-id': 'o-17', 'x-trace': 't-1' }, payload: { orderId: 'o-17', lines: [1, 2] } });
    const [call] = brokers.callsTo('AmazonSQS.SendMessage');
    expect(call.signed).toBe(true);
    expect(call.body).toEqual({
      QueueUrl: QUEUE_URL,
      MessageBody: '{"orderId":"o-17","lines":[1,2]}',
      MessageAttributes: { 'x-order-id': { DataType: 'String', StringValue: 'o-17' }, 'x-trace': { DataType: 'String', StringValue: 't-1' } },
    });
  });

  it('gives a FIFO message its group (the correlation id the message carries) and a deduplication id that a repeat of the same send shares', async () => {
    const p = publisher();
    await p.publish(fifoQueue, { headers: {}, payload: { orderId: 'o-17', status: 'shipped' } });
    await p.publish(fifoQueue, { headers: {}, payload: { orderId: 'o-17', status: 'shipped' } });
    await p.publish(fifoQueue, { headers: {}, payload: { orderId: 'o-17', status: 'delivered' } });
    await p.publish(fifoQueue, { headers: {}, payload: { status: 'orphan' } });
    const sent = brokers.callsTo('AmazonSQS.SendMessage').map((c) => c.body);
    expect(sent.map((b) => b.MessageGroupId)).toEqual(['o-17', 'o-17', 'o-17', 'order-changes.fifo']);
    expect(sent[0].MessageDeduplicationId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(sent[1].MessageDeduplicationId).toBe(sent[0].MessageDeduplicationId);
    expect(sent[2].MessageDeduplicationId).not.toBe(sent[0].MessageDeduplicationId);
    // A standard queue gets neither (SQS refuses a deduplication id there).
    await p.publish(sqsQueue, { headers: {}, payload: { orderId: 'o-17' } });
    expect(brokers.callsTo('AmazonSQS.SendMessage').at(-1)!.body).not.toHaveProperty('MessageGroupId');
  });

  it('publishes to SNS (query protocol, XML answer): the message and its attributes', async () => {
    await publisher().publish(topic, { headers: { 'x-order-id': 'o-17' }, payload: { orderId: 'o-17' } });
    const [call] = brokers.callsTo('SNS.Publish');
    expect(call.signed).toBe(true);
    expect(call.body).toMatchObject({ Action: 'Publish', TopicArn: TOPIC_ARN, Message: '{"orderId":"o-17"}', MessageAttributes: { 'x-order-id': { DataType: 'String', StringValue: 'o-17' } } });
  });

  it('puts an event on EventBridge (JSON 1.1) with the binding source and detail-type, headers and payload in its detail', async () => {
    await publisher().publish(bus, { headers: { 'x-order-id': 'o-17' }, payload: { orderId: 'o-17' } });
    const [call] = brokers.callsTo('AWSEvents.PutEvents');
    expect(call.signed).toBe(true);
    expect(call.body.Entries).toEqual([
      { EventBusName: BUS_ARN, Source: 'shop.orders', DetailType: 'OrderPlaced', Detail: '{"headers":{"x-order-id":"o-17"},"payload":{"orderId":"o-17"}}' },
    ]);
  });

  it('fails a PutEvents whose entry the bus did not take (HTTP 200, FailedEntryCount 1): refused by name, or unavailable when the entry was throttled', async () => {
    brokers.failedEntries.set(BUS_ARN, 'AccessDeniedException');
    const refused = await failure(publisher().publish(bus, { headers: {}, payload: { orderId: 'o-17' } }));
    expect(refused).toMatchObject({ name: ErrorCodes.MessageRefused, retryable: false, message: expect.stringContaining('entry AccessDeniedException') });
    brokers.failedEntries.set(BUS_ARN, 'ThrottlingException');
    const throttled = await failure(publisher().publish(bus, { headers: {}, payload: { orderId: 'o-17' } }));
    expect(throttled).toMatchObject({ name: ErrorCodes.ProviderUnavailable, retryable: true });
  });

  it('rides out throttling within the SDK retries (three attempts) and then reports it as Arazzo.ProviderUnavailable', async () => {
    brokers.faults.set('AmazonSQS.SendMessage', { code: 'com.amazonaws.sqs#RequestThrottled', times: 2 });
    await publisher().publish(sqsQueue, { headers: {}, payload: { orderId: 'o-17' } });
    expect(brokers.callsTo('AmazonSQS.SendMessage')).toHaveLength(3);
    brokers.faults.set('SNS.Publish', { code: 'Throttled', times: 3 });
    const err = await failure(publisher().publish(topic, { headers: {}, payload: { orderId: 'o-17' } }));
    expect(err).toMatchObject({ name: ErrorCodes.ProviderUnavailable, message: expect.stringContaining('ThrottledException') });
    expect(brokers.callsTo('SNS.Publish')).toHaveLength(3);
  }, 20_000);

  it('names a refusal a repeat would meet again Arazzo.MessageRefused, at once: access denied, no such queue, too many attributes', async () => {
    brokers.faults.set('SNS.Publish', { code: 'AuthorizationError', status: 403 });
    expect(await failure(publisher().publish(topic, { headers: {}, payload: {} }))).toMatchObject({ name: ErrorCodes.MessageRefused, message: expect.stringContaining('HTTP 403') });
    expect(brokers.callsTo('SNS.Publish')).toHaveLength(1);
    brokers.queues.delete(QUEUE_URL);
    expect(await failure(publisher().publish(sqsQueue, { headers: {}, payload: {} }))).toMatchObject({ name: ErrorCodes.MessageRefused, message: expect.stringContaining('QueueDoesNotExist') });
    const headers = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`x-h${i}`, 'v']));
    const tooMany = await failure(publisher().publish(topic, { headers, payload: {} }));
    expect(tooMany).toMatchObject({ name: ErrorCodes.MessageRefused, message: expect.stringContaining('at most 10 message attributes') });
    // Refused before the call: a message missing one of its headers is never sent.
    expect(brokers.callsTo('SNS.Publish')).toHaveLength(1);
  });

  it('names an unreachable broker Arazzo.ProviderUnavailable, and a target the construct did not configure Arazzo.Plan', async () => {
    const closed = await startBrokerStandIn();
    await closed.close();
    const gone = makeClients({ endpoint: closed.url, maxAttempts: 1 });
    expect(await failure(publisher(gone).publish(sqsQueue, { headers: {}, payload: {} }))).toMatchObject({ name: ErrorCodes.ProviderUnavailable });
    Object.values(gone).forEach((c) => c.destroy());
    expect(await failure(new AwsMessagePublisher({}, clients).publish(topic, { headers: {}, payload: {} }))).toMatchObject({ name: ErrorCodes.Plan });
  });
});

describe('send steps through the real SDK under the real ASL engine', () => {
  const run = async (file: string, input: Record<string, unknown>, p: AwsMessagePublisher) => {
    const [compiled] = (await compileFileOrThrow(join(FIXTURES, file))).workflows;
    return new LocalWorkflow(compiled).run(input, { runtime: { secrets: new InMemorySecretsProvider(), sealer: new AesGcmSealer(), messages: p }, waitMs: 1, retryIntervalMs: 1, timeoutMs: 20_000 });
  };

  it('the notify workflow reaches the queue, the topic and the bus as the bindings say', async () => {
    const exec = await run('notify.arazzo.yml', { orderId: 'o-17' }, publisher());
    expect(exec.status).toBe('SUCCEEDED');
    expect(brokers.calls.map((c) => c.target)).toEqual(['AmazonSQS.SendMessage', 'SNS.Publish', 'AWSEvents.PutEvents']);
    expect(brokers.calls[0].body.MessageAttributes).toEqual({ 'x-order-id': { DataType: 'String', StringValue: 'o-17' } });
  });

  it('a bus that refuses the event fails the execution with Arazzo.MessageRefused, not retried and not a silent success', async () => {
    brokers.failedEntries.set(BUS_ARN, 'AccessDeniedException');
    const exec = await run('notify.arazzo.yml', { orderId: 'o-18' }, publisher());
    expect(exec.status).toBe('FAILED');
    expect(exec.error).toBe(ErrorCodes.MessageRefused);
    expect(exec.cause).toContain('step emit');
    expect(brokers.callsTo('AWSEvents.PutEvents')).toHaveLength(1);
  });

  it('a standard-queue send that stays throttled fails with Arazzo.ProviderUnavailable without a Task retry (a repeat could deliver it twice)', async () => {
    brokers.faults.set('AmazonSQS.SendMessage', { code: 'com.amazonaws.sqs#RequestThrottled' });
    const exec = await run('notify.arazzo.yml', { orderId: 'o-19' }, publisher({ sqs: makeClients({ maxAttempts: 1 }).sqs }));
    expect(exec.status).toBe('FAILED');
    expect(exec.error).toBe(ErrorCodes.ProviderUnavailable);
    expect(brokers.callsTo('AmazonSQS.SendMessage')).toHaveLength(1);
  });

  it('a FIFO send (deduplicated, so retry-safe) is retried by the Task Retry past a throttled publish, with the same deduplication id', async () => {
    brokers.faults.set('AmazonSQS.SendMessage', { code: 'com.amazonaws.sqs#RequestThrottled', times: 1 });
    const exec = await run('orders-fifo.arazzo.yml', { orderId: 'o-20' }, publisher({ sqs: makeClients({ maxAttempts: 1 }).sqs }));
    expect(exec.status).toBe('SUCCEEDED');
    expect(exec.history.filter((e) => e.type === 'LambdaFunctionFailed').map((e) => e.lambdaFunctionFailedEventDetails!.error)).toEqual([ErrorCodes.ProviderUnavailable]);
    const sent = brokers.callsTo('AmazonSQS.SendMessage').map((c) => c.body);
    expect(sent).toHaveLength(2);
    expect(sent[1]).toMatchObject({ QueueUrl: FIFO_URL, MessageGroupId: 'o-20', MessageDeduplicationId: sent[0].MessageDeduplicationId });
  });
});
