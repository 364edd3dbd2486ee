// A message that reaches the receiver before its receive step waits (functions/runtime/messages/
// receive-message.ts): kept sealed in the callback table, bounded in size, taken once. On the AWS
// side with the real DynamoDB, KMS and Step Functions SDK clients against the loopback TEST DOUBLE
// of those services (test/infra/cdk/support/aws-stand-in.ts); locally over the loopback receiver.
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { compileFileOrThrow } from '../../../../compiler/index.js';
import { isWorkflowStep, type StepPlan } from '../../../../core/plan.js';
import { createWebhookHandler } from '../../../../functions/handlers/create-webhook-handler.js';
import { DynamoDbCallbackStore, SfnTaskTokenClient } from '../../../../functions/runtime/callbacks/index.js';
import { MAX_KEPT_MESSAGE_BYTES, MESSAGE_TOO_LARGE, messageKey, registerReceive } from '../../../../functions/runtime/messages/receive-message.js';
import { AesGcmSealer, InMemorySecretsProvider, KmsSealer } from '../../../../functions/runtime/secrets/index.js';
import { startLocalCallbacks } from '../../../../local/local-callbacks.js';
import { itemSize, MAX_ITEM_BYTES, startAwsStandIn, STAND_IN_CLIENT_CONFIG, type AwsStandIn } from '../../../infra/cdk/support/aws-stand-in.js';

const ORDERS = join(import.meta.dirname, '../../../fixtures/asyncapi/orders.arazzo.yml');
const TABLE = 'callbacks';
const CHANNEL_PATH = '/messages/orders/orderConfirmed';

let aws: AwsStandIn;
let clients: { dynamo: DynamoDBClient; kms: KMSClient; sfn: SFNClient };
let plans: StepPlan[];
let receive: StepPlan;

beforeAll(async () => {
  aws = await startAwsStandIn();
  const config = { ...STAND_IN_CLIENT_CONFIG, endpoint: aws.url };
  clients = { dynamo: new DynamoDBClient(config), kms: new KMSClient(config), sfn: new SFNClient(config) };
  const [compiled] = (await compileFileOrThrow(ORDERS)).workflows;
  plans = compiled.plan.steps.filter((s): s is StepPlan => !isWorkflowStep(s));
  receive = plans.find((p) => p.receive)!;
});
afterAll(async () => {
  Object.values(clients).forEach((c) => c.destroy());
  await aws.close();
});
beforeEach(() => {
  aws.tables.set(TABLE, { key: 'id', items: new Map() });
});

/** The webhook receiver and a receive step's function as deployed: DynamoDB table, KMS sealing, Step Functions tokens. */
function deployed() {
  const deps = {
    store: new DynamoDbCallbackStore({ tableName: TABLE, client: clients.dynamo, timeoutSecondsFor: () => 6 }),
    tokens: new SfnTaskTokenClient({ client: clients.sfn }),
    sealer: new KmsSealer({ keyId: 'arn:aws:kms:eu-west-1:111122223333:key/seal', client: clients.kms }),
    secrets: new InMemorySecretsProvider(),
  };
  const logs: Record<string, unknown>[] = [];
  const handler = createWebhookHandler(plans, deps, (entry) => logs.push(entry));
  const post = (body: string, headers: Record<string, string> = {}) =>
    handler({ rawPath: CHANNEL_PATH, headers: { 'content-type': 'application/json', ...headers }, body, requestContext: { http: { method: 'POST' } } });
  return { deps, logs, post };
}

const items = () => [...aws.tables.get(TABLE)!.items.values()];

describe('a message that arrives before its receive step waits', () => {
  it('is kept sealed with KMS: the table holds none of its values in clear; the step takes it when it starts and resumes once', async () => {
    const { deps, post } = deployed();
    const resumedBefore = aws.callsTo('AWSStepFunctions.SendTaskSuccess').length;
    const message = { orderRequestId: 'req-7f3a91', orderId: 48213, status: 'confirmed', holder: 'Ada Lovelace' };
    const early = await post(JSON.stringify(message), { 'x-card-last4': '4242' });
    expect(early.statusCode).toBe(202);

    const stored = JSON.stringify(items());
    for (const value of ['req-7f3a91', '48213', 'confirmed', 'Ada Lovelace', '4242', 'x-card-last4']) expect(stored).not.toContain(value);
    const [kept] = items();
    expect(kept.sealedMessage.S).toMatch(/^sealed:v2:/);
    expect(kept).not.toHaveProperty('message');
    // Sealed under the deployment's seal context: the one the construct's IAM conditions KMS on.
    expect(aws.callsTo('TrentService.GenerateDataKey').at(-1)!.body.EncryptionContext).toEqual({ 'arazzo-sfn-seal-context': receive.sealContext });

    const token = aws.issueTaskToken();
    const event = { step: receive.stepId, executionId: 'exec-1', inputs: { orderRequestId: 'req-7f3a91', petId: 1 }, steps: {}, taskToken: token };
    expect(await registerReceive(receive, event, { inputs: event.inputs, steps: {} }, deps)).toBe('received');
    expect(aws.tasks.get(token)).toMatchObject({ state: 'succeeded' });
    expect(JSON.parse(aws.tasks.get(token)!.output!)).toMatchObject({ outcome: 'success', outputs: { orderId: 48213 } });
    // Taken: the kept item is gone; a redelivery is a duplicate, and resumes nothing twice.
    expect(items().some((i) => i.id.S!.startsWith('kept:'))).toBe(false);
    expect((await post(JSON.stringify(message))).statusCode).toBe(409);
    expect(aws.callsTo('AWSStepFunctions.SendTaskSuccess')).toHaveLength(resumedBefore + 1);
  });

  it('a kept message copied under another key does not open as that key message (the key is sealed with it)', async () => {
    const { deps, post } = deployed();
    expect((await post(JSON.stringify({ orderRequestId: 'req-a', orderId: 1, status: 'confirmed' }))).statusCode).toBe(202);
    const [kept] = items();
    const otherKey = messageKey('orders', 'orderConfirmed', 'req-b');
    aws.tables.get(TABLE)!.items.set(JSON.stringify({ S: `kept:${otherKey}` }), { ...kept, id: { S: `kept:${otherKey}` } });
    const event = { step: receive.stepId, executionId: 'exec-2', inputs: { orderRequestId: 'req-b', petId: 1 }, steps: {}, taskToken: aws.issueTaskToken() };
    await expect(registerReceive(receive, event, { inputs: event.inputs, steps: {} }, deps)).rejects.toMatchObject({ name: 'Arazzo.Secret' });
  });

  it('is bounded: one too large to keep is answered 413 MessageTooLarge and counted; one just under the bound fits a DynamoDB item sealed', async () => {
    const { post, logs } = deployed();
    const padded = (bytes: number) => JSON.stringify({ orderRequestId: 'req-big', status: 'confirmed', pad: 'x'.repeat(bytes) });
    // Within the receiver's body limit (256 KiB), but with its key and headers past the bound once kept.
    const tooLarge = await post(padded(MAX_KEPT_MESSAGE_BYTES - 200), { 'x-trace': 't'.repeat(400) });
    expect(tooLarge.statusCode).toBe(413);
    expect(JSON.parse(tooLarge.body)).toMatchObject({ error: MESSAGE_TOO_LARGE });
    expect(items()).toHaveLength(0);
    expect(logs.find((l) => '_aws' in l)).toMatchObject({ OversizedMessages: 1, WorkflowId: 'placeOrder', reason: MESSAGE_TOO_LARGE });

    const body = padded(MAX_KEPT_MESSAGE_BYTES - 600);
    const fits = await post(body);
    expect(fits.statusCode).toBe(202);
    const size = itemSize(items()[0]);
    expect(size).toBeLessThan(MAX_ITEM_BYTES);
    console.log(`a kept message with a ${body.length}-byte body: its sealed item is ${size} bytes (DynamoDB's limit ${MAX_ITEM_BYTES})`);

    // Past the receiver's own body limit: the same named answer, counted too.
    const huge = await post(padded(300_000));
    expect(huge.statusCode).toBe(413);
    expect(JSON.parse(huge.body)).toMatchObject({ error: MESSAGE_TOO_LARGE });
    expect(logs.filter((l) => '_aws' in l)).toHaveLength(2);
  });

  it('is kept sealed locally too (the loopback receiver, a local key), and answered and counted the same when too large', async () => {
    const sealer = new AesGcmSealer();
    const local = await startLocalCallbacks({ sealer, secrets: new InMemorySecretsProvider() });
    try {
      local.register(receive);
      const post = (body: string, headers: Record<string, string> = {}) =>
        fetch(local.messageUrl('orders', 'orderConfirmed'), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
      expect((await post(JSON.stringify({ orderRequestId: 'req-local', orderId: 5, status: 'confirmed' }))).status).toBe(202);
      const sealed = await local.store.takeMessage(messageKey('orders', 'orderConfirmed', 'req-local'));
      expect(sealed).toMatch(/^sealed:v1:/);
      expect(sealed).not.toContain('req-local');
      const tooLarge = await post(JSON.stringify({ orderRequestId: 'req-local-big', pad: 'x'.repeat(MAX_KEPT_MESSAGE_BYTES - 100) }), { 'x-trace': 't'.repeat(400) });
      expect(tooLarge.status).toBe(413);
      expect(await tooLarge.json()).toMatchObject({ error: MESSAGE_TOO_LARGE });
      expect(local.oversizedMessages()).toBe(1);
    } finally {
      await local.close();
    }
  });
});
