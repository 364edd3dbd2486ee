// The AWS side of callback steps, with the real SDK clients against the loopback stand-in of
// DynamoDB and Step Functions (tests of functions/runtime/callbacks/dynamodb-callback-store.ts and
// sfn-task-token-client.ts).
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbCallbackStore, InMemoryCallbackStore, newCallbackId, parseCallbackBody, SfnTaskTokenClient, type CallbackStore, type PendingCallback } from '../../../functions/runtime/callbacks/index.js';
import { ErrorCodes } from '../../../core/errors.js';
import { compileFileOrThrow } from '../../../compiler/index.js';
import { isWorkflowStep, type StepPlan } from '../../../core/plan.js';
import { receiveMessage, registerReceive } from '../../../functions/runtime/messages/receive-message.js';
import { AesGcmSealer, InMemorySecretsProvider } from '../../../functions/runtime/secrets/index.js';
import { LocalTaskTokens } from '../../../local/local-callbacks.js';
import { signFintectureWebhook } from '../../../sandbox/fintecture/sign-fintecture-webhook.js';
import { startAwsStandIn, STAND_IN_CLIENT_CONFIG, type AwsStandIn } from './support/aws-stand-in.js';

const TABLE = 'callbacks';
const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);

let aws: AwsStandIn;
let dynamo: DynamoDBClient;
let sfn: SFNClient;
let clock = NOW;
const store = (timeouts: Record<string, number> = { startKyc: 600 }) =>
  new DynamoDbCallbackStore({ tableName: TABLE, client: dynamo, now: () => clock, timeoutSecondsFor: (workflowId, stepId) => (workflowId === 'kyc' ? timeouts[stepId] : undefined) });

const callback = (over: Partial<PendingCallback> = {}): PendingCallback => ({
  id: newCallbackId(),
  taskToken: randomBytes(48).toString('base64'),
  workflowId: 'kyc',
  stepId: 'startKyc',
  event: { step: 'startKyc', inputs: { customerId: 'c-1', note: '' }, steps: { login: { statusCode: 200, outcome: 'success', outputs: { list: [[1, 2], []] }, visits: 1 } } },
  createdAt: NOW,
  settled: false,
  statuses: [],
  ...over,
});

beforeAll(async () => {
  aws = await startAwsStandIn();
  dynamo = new DynamoDBClient({ ...STAND_IN_CLIENT_CONFIG, endpoint: aws.url });
  sfn = new SFNClient({ ...STAND_IN_CLIENT_CONFIG, endpoint: aws.url });
});
afterAll(async () => {
  dynamo.destroy();
  sfn.destroy();
  await aws.close();
});
beforeEach(() => {
  aws.tables.set(TABLE, { key: 'id', items: new Map() });
  aws.failing.clear();
  clock = NOW;
});

describe('DynamoDbCallbackStore', () => {
  it('keeps the seen delivery ids on the callback item: markSeen adds one atomically and refuses it again (a replay), and refuses an unknown callback', async () => {
    const pending = callback();
    await store().put(pending);
    expect(await store().markSeen(pending.id, '1700000000.aa')).toBe(true);
    expect(await store().markSeen(pending.id, '1700000001.bb')).toBe(true);
    expect(await store().markSeen(pending.id, '1700000000.aa')).toBe(false);
    const [item] = aws.tables.get(TABLE)!.items.values();
    expect(item.seen).toEqual({ SS: ['1700000000.aa', '1700000001.bb'] });
    expect(aws.callsTo('DynamoDB_20120810.UpdateItem').at(-1)!.body).toMatchObject({ UpdateExpression: 'ADD #seen :delivery', ConditionExpression: 'attribute_exists(#id) AND NOT contains(#seen, :deliveryId)' });
    expect(await store().markSeen(newCallbackId(), '1700000000.aa')).toBe(false);
    // The record itself is unchanged by it.
    expect(await store().get(pending.id)).toEqual(pending);
  });

  it('keeps the seen delivery ids when a settled wait is written over by the step\'s next turn (an update, not a PutItem), and still never overwrites a live one', async () => {
    const first = callback();
    await store().put(first);
    expect(await store().markSeen(first.id, '1700000000.aa')).toBe(true);
    expect(await store().settle(first.id, 'REVIEW')).toBe(true);
    const next = { ...first, taskToken: randomBytes(48).toString('base64'), statuses: ['REVIEW'] };
    await store().put(next);
    expect(await store().get(first.id)).toEqual(next);
    expect(await store().markSeen(first.id, '1700000000.aa')).toBe(false);
    expect(await store().markSeen(first.id, '1700000001.bb')).toBe(true);
    expect(aws.callsTo('DynamoDB_20120810.PutItem')).toEqual([]);
    await expect(store().put({ ...next, taskToken: 'other' })).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
    expect((await store().get(first.id))!.taskToken).toBe(next.taskToken);
  });

  it('puts a callback that expires a day after its step stops waiting, and reads it back as it was, strongly consistent', async () => {
    const pending = callback();
    await store().put(pending);
    const [item] = aws.tables.get(TABLE)!.items.values();
    expect(item.expiresAt).toEqual({ N: String(NOW / 1000 + 600 + 86_400) });
    expect(await store().get(pending.id)).toEqual(pending);
    expect(aws.callsTo('DynamoDB_20120810.GetItem').at(-1)!.body).toMatchObject({ TableName: TABLE, ConsistentRead: true });
  });

  it('never overwrites a record with the same id', async () => {
    const pending = callback();
    await store().put(pending);
    await expect(store().put({ ...pending, taskToken: 'other' })).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
    expect((await store().get(pending.id))!.taskToken).toBe(pending.taskToken);
  });

  it('refuses to put a callback of a step whose timeout it does not know: the record could never expire', async () => {
    await expect(store({}).put(callback())).rejects.toMatchObject({ name: ErrorCodes.Plan, message: expect.stringContaining('step startKyc of workflow kyc') });
    expect(aws.tables.get(TABLE)!.items.size).toBe(0);
  });

  it('records pending statuses in order, settles once, and a second settle is refused', async () => {
    const pending = callback();
    await store().put(pending);
    await store().record(pending.id, 'WAITING_DATA');
    await store().record(pending.id, 'REVIEW');
    expect(await store().settle(pending.id, 'APPROVED')).toBe(true);
    expect(await store().settle(pending.id, 'DECLINED')).toBe(false);
    expect(await store().get(pending.id)).toMatchObject({ settled: true, statuses: ['WAITING_DATA', 'REVIEW', 'APPROVED'] });
  });

  it('knows nothing of an id it never stored: get is undefined, settle is false, record creates nothing', async () => {
    const id = newCallbackId();
    expect(await store().get(id)).toBeUndefined();
    expect(await store().settle(id, 'APPROVED')).toBe(false);
    await store().record(id, 'REVIEW');
    expect(aws.tables.get(TABLE)!.items.size).toBe(0);
  });

  it('reads a record past its expiry as absent, before TTL removes it', async () => {
    const pending = callback();
    await store().put(pending);
    clock = NOW + (600 + 86_400) * 1000 - 1;
    expect(await store().get(pending.id)).toBeDefined();
    clock = NOW + (600 + 86_400) * 1000;
    expect(await store().get(pending.id)).toBeUndefined();
  });

  it('lets other DynamoDB faults through', async () => {
    aws.failing.set('DynamoDB_20120810.UpdateItem', 'ProvisionedThroughputExceededException');
    const client = new DynamoDBClient({ ...STAND_IN_CLIENT_CONFIG, endpoint: aws.url, maxAttempts: 1 });
    const s = new DynamoDbCallbackStore({ tableName: TABLE, client, timeoutSecondsFor: () => 600 });
    await expect(s.settle(newCallbackId(), 'APPROVED')).rejects.toMatchObject({ name: 'ProvisionedThroughputExceededException' });
    client.destroy();
  });
});

describe('a looping receive step on DynamoDB refuses a replay from an earlier turn as the in-memory store does', () => {
  // The LocalTaskTokens registry is a test double of Step Functions' task tokens here: what is under test is the store.
  const FINTECTURE = join(import.meta.dirname, '../../../workflows/arazzo/fintecture-payment-webhook.arazzo.yml');
  const app = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const secrets = new InMemorySecretsProvider({ 'fintecture/webhook-key': app.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string });

  async function replayAcrossTurns(makeStore: (receive: StepPlan) => CallbackStore): Promise<{ statuses: number[]; forged: string[] }> {
    const [compiled] = (await compileFileOrThrow(FINTECTURE)).workflows;
    const receive = compiled.plan.steps.filter((s): s is StepPlan => !isWorkflowStep(s)).find((p) => p.receive)!;
    const tokens = new LocalTaskTokens();
    const forged: string[] = [];
    const deps = { store: makeStore(receive), tokens, sealer: new AesGcmSealer(), secrets, receiversOf: () => [receive], planFor: () => receive, onForged: (reason: string) => forged.push(reason) };
    const sessionId = randomUUID().replaceAll('-', '');
    const steps = { createPayment: { statusCode: 200, outcome: 'success', outputs: { sessionId }, visits: 1 } };
    const turn = async () => {
      const { token, result } = tokens.issue({ heartbeatMs: 5_000, timeoutMs: 5_000 });
      expect(await registerReceive(receive, { step: receive.stepId, executionId: 'exec-1', inputs: {}, steps, taskToken: token }, { inputs: {}, steps }, deps)).toBe('waiting');
      // Wrapped: an async function returning the promise itself would resolve only when the Task does.
      return { result };
    };
    const deliver = async (status: string, requestId: string) => {
      const body = new URLSearchParams({ session_id: sessionId, status }).toString();
      const headers = signFintectureWebhook({ body, appId: 'demo-merchant-app', publicKey: app.publicKey, date: new Date(), requestId });
      const parsed = parseCallbackBody(Buffer.from(body), headers['content-type']);
      if (!parsed.ok) throw new Error('unreadable test message');
      return (await receiveMessage('fintectureWebhooks', 'paymentStatus', { headers, payload: parsed.body }, deps, Buffer.from(body))).status;
    };
    const statuses: number[] = [];
    const firstTurn = await turn();
    const earlier = randomUUID();
    statuses.push(await deliver('payment_pending', earlier));
    await firstTurn.result;
    const secondTurn = await turn();
    // The first turn's delivery again, freshly signed: a replay, whatever turn the step is in.
    statuses.push(await deliver('payment_pending', earlier));
    statuses.push(await deliver('payment_created', randomUUID()));
    await secondTurn.result;
    return { statuses, forged };
  }

  it('answers 401 and counts it on DynamoDB (the real SDK against the loopback stand-in) and in memory alike', async () => {
    const onDynamo = await replayAcrossTurns((receive) => new DynamoDbCallbackStore({ tableName: TABLE, client: dynamo, timeoutSecondsFor: () => receive.receive!.timeoutSeconds }));
    const inMemory = await replayAcrossTurns(() => new InMemoryCallbackStore());
    expect(onDynamo).toEqual({ statuses: [200, 401, 200], forged: ['replayed'] });
    expect(inMemory).toEqual(onDynamo);
  });
});

describe('SfnTaskTokenClient', () => {
  const tokens = () => new SfnTaskTokenClient({ client: sfn });

  it('resumes a waiting Task with its output, heartbeats it, or fails it with the error and cause', async () => {
    const ok = aws.issueTaskToken();
    await tokens().sendTaskHeartbeat(ok);
    await tokens().sendTaskSuccess(ok, JSON.stringify({ outcome: 'success' }));
    expect(aws.tasks.get(ok)).toMatchObject({ state: 'succeeded', heartbeats: 1, output: '{"outcome":"success"}' });
    expect(aws.callsTo('AWSStepFunctions.SendTaskSuccess').at(-1)).toMatchObject({ body: { taskToken: ok, output: '{"outcome":"success"}' }, signed: true });

    const failed = aws.issueTaskToken();
    await tokens().sendTaskFailure(failed, 'Arazzo.StepFailed', 'x'.repeat(40_000));
    // Longer than Step Functions takes: cut, rather than refused and the Task left waiting.
    expect(aws.tasks.get(failed)).toMatchObject({ state: 'failed', error: 'Arazzo.StepFailed', cause: 'x'.repeat(32_768) });
  });

  it('says TaskTimedOut for a Task that no longer waits and InvalidToken for a token never issued, naming neither token', async () => {
    const late = aws.issueTaskToken();
    aws.tasks.get(late)!.state = 'timed-out';
    const timedOut = (await tokens().sendTaskSuccess(late, '{}').catch((e: Error) => e)) as Error;
    expect(timedOut.name).toBe('TaskTimedOut');
    expect(timedOut.message).not.toContain(late);
    const forged = randomBytes(48).toString('base64');
    const invalid = (await tokens().sendTaskHeartbeat(forged).catch((e: Error) => e)) as Error;
    expect(invalid.name).toBe('InvalidToken');
    expect(invalid.message).not.toContain(forged);
  });

  it('lets other faults through as the SDK reports them', async () => {
    aws.failing.set('AWSStepFunctions.SendTaskHeartbeat', 'AccessDeniedException');
    await expect(tokens().sendTaskHeartbeat(aws.issueTaskToken())).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });
});
