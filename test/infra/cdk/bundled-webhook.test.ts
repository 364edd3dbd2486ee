// Seed 003 (connectFi KYC by webhook) on the Lambda bundles exactly as the CDK app stages them,
// loaded in-process: the operation functions of getToken, createCustomer and startKyc, and the
// webhook receiver behind its Function URL. The connectFi sandbox plays the provider and calls
// the receiver back; DynamoDB, Step Functions, Secrets Manager and KMS are a loopback stand-in
// speaking their JSON protocols (support/aws-stand-in.ts), reached by the real AWS SDK through
// AWS_ENDPOINT_URL_<SERVICE>; the Function URL is a loopback stand-in that hands the bundled
// handler the payload format 2.0 event (support/function-url-stand-in.ts).
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FunctionUrlEvent, FunctionUrlResult } from '../../../functions/handlers/create-webhook-handler.js';
import type { StepEvent, StepResult } from '../../../core/plan.js';
import { KMS_SEALED_PREFIX, SEAL_CONTEXT_KEY } from '../../../functions/runtime/secrets/index.js';
import { signHmacCallback } from '../../../functions/runtime/callbacks/index.js';
import { startConnectFiSandbox, type ConnectFiSandbox, type ConnectFiScenarioOverrides } from '../../../sandbox/index.js';
import { startAwsStandIn, STAND_IN_CLIENT_CONFIG, type AwsStandIn, type Item } from './support/aws-stand-in.js';
import { startFunctionUrlStandIn, type FunctionUrlStandIn } from './support/function-url-stand-in.js';
import { functionKeysByLogicalId, synthSeeds, webhooksByWorkflowId, type SynthesizedSeeds } from './support/synth-seeds.js';

type OperationHandler = (event: StepEvent) => Promise<StepResult>;
type WebhookHandler = (event: FunctionUrlEvent) => Promise<FunctionUrlResult>;

const AWS_ENV = [
  'AWS_REGION',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_ENDPOINT_URL_SECRETS_MANAGER',
  'AWS_ENDPOINT_URL_KMS',
  'AWS_ENDPOINT_URL_DYNAMODB',
  'AWS_ENDPOINT_URL_SFN',
  'AWS_EC2_METADATA_DISABLED',
];
const FUNCTION_ENV = ['ARAZZO_SECRET_IDS', 'ARAZZO_SERVER_URLS', 'ARAZZO_SEAL_KEY_ID', 'ARAZZO_CALLBACK_TABLE', 'ARAZZO_CALLBACK_BASE_URL'];
const saved = new Map([...AWS_ENV, ...FUNCTION_ENV].map((name) => [name, process.env[name]]));

const PASSWORD = `pw-${randomBytes(8).toString('hex')}`;
// The HMAC key connectFi signs its webhooks with: seed 003's callbacks are verified with it by configuration (the seed declares no verify).
const WEBHOOK_KEY = randomBytes(32).toString('base64url');
const TABLE = 'ArazzoSfnSeedWorkflows-ConnectFiKycCallbackCallbacks-1A2B3C4D5E6F';
const DAY = 86_400;

let seeds: SynthesizedSeeds;
let aws: AwsStandIn;
let sandbox: ConnectFiSandbox;
let functionUrl: FunctionUrlStandIn;
let webhook: WebhookHandler | undefined;
const operations: Record<string, OperationHandler> = {};
let logged: string[] = [];
let n = 0;

/** What a resource's Ref or Fn::GetAtt would be once deployed, in a fake account. */
function deployed(logicalId: string, attribute?: string): string {
  const type = seeds.template.toJSON().Resources[logicalId].Type as string;
  if (type === 'AWS::SecretsManager::Secret') return `arn:aws:secretsmanager:us-east-1:000000000000:secret:${logicalId}-AbCdEf`;
  if (type === 'AWS::KMS::Key') return `arn:aws:kms:us-east-1:000000000000:key/${logicalId}`;
  if (type === 'AWS::DynamoDB::Table' && !attribute) return TABLE;
  if (type === 'AWS::Lambda::Url' && attribute === 'FunctionUrl') return functionUrl.url;
  throw new Error(`no deployed value for ${type} ${attribute ?? 'Ref'}`);
}

function resolveValue(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, any>;
  if (v.Ref) return deployed(v.Ref);
  if (v['Fn::GetAtt']) return deployed(v['Fn::GetAtt'][0], v['Fn::GetAtt'][1] === 'Arn' ? undefined : v['Fn::GetAtt'][1]);
  if (v['Fn::Join']) return (v['Fn::Join'][1] as unknown[]).map(resolveValue).join(v['Fn::Join'][0]);
  throw new Error(`cannot resolve ${JSON.stringify(value)}`);
}

/** Imports a function's bundle with the environment CloudFormation would give it, connectFi's server being the sandbox. */
async function load<T>(logicalId: string): Promise<{ handler: T; environment: Record<string, string> }> {
  const fn = seeds.template.findResources('AWS::Lambda::Function')[logicalId];
  const environment = Object.fromEntries(Object.entries((fn.Properties.Environment?.Variables ?? {}) as Record<string, unknown>).map(([k, v]) => [k, resolveValue(v)]));
  for (const name of FUNCTION_ENV) delete process.env[name];
  Object.assign(process.env, environment, { ARAZZO_SERVER_URLS: JSON.stringify({ connectFiApi: sandbox.url }) });
  const hash = String(fn.Properties.Code.S3Key).replace(/\.zip$/, '');
  const module = (await import(/* @vite-ignore */ pathToFileURL(join(seeds.outdir, `asset.${hash}`, 'index.mjs')).href)) as { handler: T };
  return { handler: module.handler, environment };
}

const operationId = (functionKey: string) => Object.entries(functionKeysByLogicalId(seeds.template)).find(([, f]) => f.functionKey === functionKey)![0];
const secretOf = (prefix: string) => deployed(Object.keys(seeds.template.findResources('AWS::SecretsManager::Secret')).find((id) => id.startsWith(prefix))!);
const connectFiSecret = () => secretOf('ConnectFiApiUser');
const items = (): Item[] => [...aws.tables.get(TABLE)!.items.values()];
const calls = (operation: string) => aws.callsTo(operation).length;

/** Runs getToken, createCustomer and startKyc as the state machine would: startKyc's Task passes its token and the execution id. */
async function startKyc(kyc: ConnectFiScenarioOverrides['kyc']): Promise<{ taskToken: string; waiting: StepResult; customerId: string; record: Item }> {
  sandbox.setScenario({ kyc });
  n++;
  const inputs = {
    login: 'secret:login#login',
    password: 'secret:password#password',
    reference: `ref-${n}`,
    firstName: 'John',
    lastName: 'Testman',
    dateOfBirth: '1978-10-15',
    email: `john${n}@example.com`,
  };
  const getToken = await operations.getToken({ step: 'getToken', inputs, steps: {} });
  const createCustomer = await operations.createCustomer({ step: 'createCustomer', inputs, steps: { getToken } });
  const taskToken = aws.issueTaskToken();
  const before = new Set(items().map((i) => i.id.S));
  const waiting = await operations.startKyc({
    step: 'startKyc',
    inputs,
    steps: { getToken, createCustomer },
    taskToken,
    executionId: `arn:aws:states:us-east-1:000000000000:execution:ConnectFiKycCallback:run-${n}`,
  });
  const record = items().find((i) => !before.has(i.id.S))!;
  return { taskToken, waiting, customerId: createCustomer.outputs.customerId as string, record };
}

let deliveries = 0;
/**
 * A callback as connectFi sends it: signed with its webhook key (`key: null` leaves the signature
 * out), each post a delivery of its own (its own timestamp, within the tolerance window), as a
 * provider's retry is: the same signed delivery again is a replay (401).
 */
const post = (query: string, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }, key: string | null = WEBHOOK_KEY) => {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const signedAt = Math.floor(Date.now() / 1000) - (deliveries++ % 200);
  const signature: Record<string, string> = key === null ? {} : { 'x-webhook-signature': signHmacCallback(text, key, signedAt) };
  return fetch(`${functionUrl.url}callbacks${query}`, { method: 'POST', headers: { ...headers, ...signature }, body: text });
};

beforeAll(async () => {
  // Synth bundles 23 functions: on a shared 2-core machine that alone can take minutes (a kill limit, not a timing).
  seeds = synthSeeds();
  [aws, sandbox, functionUrl] = await Promise.all([startAwsStandIn(), startConnectFiSandbox({ users: { kyc_user: PASSWORD }, webhookSigning: { key: WEBHOOK_KEY } }), startFunctionUrlStandIn(() => webhook)]);
  Object.assign(process.env, {
    AWS_REGION: STAND_IN_CLIENT_CONFIG.region,
    AWS_ACCESS_KEY_ID: STAND_IN_CLIENT_CONFIG.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: STAND_IN_CLIENT_CONFIG.credentials.secretAccessKey,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.url,
    AWS_ENDPOINT_URL_KMS: aws.url,
    AWS_ENDPOINT_URL_DYNAMODB: aws.url,
    AWS_ENDPOINT_URL_SFN: aws.url,
    AWS_EC2_METADATA_DISABLED: 'true',
  });
  delete process.env.AWS_SESSION_TOKEN;
  aws.tables.set(TABLE, { key: 'id', items: new Map() });
  aws.secrets.set(connectFiSecret(), JSON.stringify({ login: 'kyc_user', password: PASSWORD }));
  aws.secrets.set(secretOf('ConnectFiWebhookKey'), WEBHOOK_KEY);

  operations.getToken = (await load<OperationHandler>(operationId('connectFiApi.getToken'))).handler;
  operations.createCustomer = (await load<OperationHandler>(operationId('connectFiApi.initCustomer'))).handler;
  operations.startKyc = (await load<OperationHandler>(operationId('connectFiApi.initCustomerKyc'))).handler;
  webhook = (await load<WebhookHandler>(webhooksByWorkflowId(seeds.template)['connectfi-kyc-callback'])).handler;
}, 360_000);

beforeEach(() => {
  logged = [];
  const log = console.log.bind(console);
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    logged.push(args.map(String).join(' '));
    log(...args);
  });
});
afterEach(async () => {
  vi.restoreAllMocks();
  await sandbox.callbacksSettled();
});

afterAll(async () => {
  for (const [name, value] of saved) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await Promise.all([aws?.close(), sandbox?.close(), functionUrl?.close()]);
  seeds?.remove();
});

describe('bundled webhook receiver (seed 003 on Lambda bundles, DynamoDB and Step Functions stand-ins)', () => {
  it('startKyc registers the callback in DynamoDB before connectFi calls it; pending statuses are heartbeats, APPROVED is SendTaskSuccess with the StepResult', async () => {
    const { taskToken, waiting, customerId, record } = await startKyc({ sequence: ['WAITING_DATA', 'REVIEW', 'APPROVED'] });
    expect(waiting).toMatchObject({ statusCode: 200, outcome: 'waiting' });

    // The record: written with a conditional UpdateItem that never overwrites a live one (a settled one may be replaced, its seen
    // delivery ids kept: an AsyncAPI receive step's correlation key is reused by its next turn), the token and the step's event,
    // expiring a day after the step's 2-day timeout.
    expect(aws.callsTo('DynamoDB_20120810.UpdateItem').find((c) => JSON.stringify(c.body.Key) === JSON.stringify({ id: record.id }))!.body).toMatchObject({ TableName: TABLE, ConditionExpression: 'attribute_not_exists(#id) OR #settled = :true' });
    expect(record.id.S).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(record.taskToken.S).toBe(taskToken);
    expect(record).toMatchObject({ workflowId: { S: 'connectfi-kyc-callback' }, stepId: { S: 'startKyc' }, settled: { BOOL: false } });
    expect(Number(record.expiresAt.N)).toBe(Math.ceil(Number(record.createdAt.N) / 1000) + 2 * DAY + DAY);
    const event = JSON.parse(record.event.S) as StepEvent;
    expect(event.taskToken).toBeUndefined();
    expect(event.inputs.password).toBe('secret:password#password');
    expect(event.steps.getToken.outputs.token).toMatch(new RegExp(`^${KMS_SEALED_PREFIX}`));
    expect(record.event.S).not.toContain(PASSWORD);

    await expect.poll(() => aws.tasks.get(taskToken)!.state, { timeout: 10_000 }).toBe('succeeded');
    const task = aws.tasks.get(taskToken)!;
    expect(task.heartbeats).toBe(2);
    expect(JSON.parse(task.output!)).toEqual({
      statusCode: 200,
      outcome: 'onSuccess.settled',
      outputs: { kycStatus: 'APPROVED' },
      visits: 1,
      attempts: 1,
      workflowOutputs: { customerId, kycStatus: 'APPROVED' },
    });
    await expect.poll(() => sandbox.callbacks.filter((c) => c.customerId === customerId && c.answerStatus !== undefined).length).toBe(3);
    expect(sandbox.callbacks.filter((c) => c.customerId === customerId).map((c) => [c.kycStatus, c.answerStatus])).toEqual([
      ['WAITING_DATA', 202],
      ['REVIEW', 202],
      ['APPROVED', 200],
    ]);
    const settled = aws.tables.get(TABLE)!.items.get(JSON.stringify(record.id))!;
    expect(settled.settled).toEqual({ BOOL: true });
    expect(settled.statuses).toEqual({ L: [{ S: 'WAITING_DATA' }, { S: 'REVIEW' }, { S: 'APPROVED' }] });
    // Strongly consistent reads: a callback may arrive within milliseconds of the put.
    expect(aws.callsTo('DynamoDB_20120810.GetItem').every((c) => c.body.ConsistentRead === true && c.signed)).toBe(true);
    // The step's event held the sealed connectFi token: the receiver opened it under the seal context to judge the outcome.
    expect(aws.callsTo('TrentService.Decrypt').at(-1)!.body.EncryptionContext).toEqual({ [SEAL_CONTEXT_KEY]: 'arazzo-sfn' });
    // One line per call, without the callback id (the credential) or anything of the body.
    expect(logged.filter((l) => l.includes('arazzo callback'))).toHaveLength(3);
    for (const line of logged) {
      expect(line).not.toContain(record.id.S);
      expect(line).not.toContain(customerId);
    }
  });

  it('a duplicate APPROVED is refused (409; 401 as a replay when the simulator signs it in the same second) and resumes nothing', async () => {
    const { taskToken, customerId } = await startKyc({ sequence: ['REVIEW', 'APPROVED'], duplicate: [1] });
    await expect.poll(() => sandbox.callbacks.filter((c) => c.customerId === customerId && c.answerStatus !== undefined).length, { timeout: 10_000 }).toBe(3);
    // Seed 003's callbacks are verified (by configuration): the same signed delivery again is a replay (401), a fresh signature a duplicate (409).
    const answers = sandbox.callbacks.filter((c) => c.customerId === customerId).map((c) => [c.kycStatus, c.delivery, c.answerStatus]);
    expect(answers.slice(0, 2)).toEqual([
      ['REVIEW', 'sent', 202],
      ['APPROVED', 'sent', 200],
    ]);
    expect(answers[2]).toEqual(['APPROVED', 'duplicate', expect.toBeOneOf([401, 409])]);
    expect(aws.tasks.get(taskToken)).toMatchObject({ state: 'succeeded', heartbeats: 1 });
    const successes = aws.callsTo('AWSStepFunctions.SendTaskSuccess').filter((c) => c.body.taskToken === taskToken);
    expect(successes).toHaveLength(1);
  });

  it('of two concurrent deliveries of APPROVED, one resumes the Task; the other is refused (409 at the conditional settle, or 401 from the seen-delivery check of the verified callback)', async () => {
    const { taskToken, record } = await startKyc({ sequence: ['WAITING_DATA', 'APPROVED'], lose: [0, 1] });
    // The settles only: the record's registration is an UpdateItem on the same key too.
    const settlesOf = () => aws.callsTo('DynamoDB_20120810.UpdateItem').filter((c) => (c.body.Key as Item).id.S === record.id.S && String(c.body.UpdateExpression).startsWith('SET #settled')).length;
    // The first settle is held in DynamoDB long enough for the second delivery to read the step as still waiting.
    aws.delays.set('DynamoDB_20120810.UpdateItem', 400);
    try {
      const first = post(`?id=${record.id.S}`, { data: { kycStatus: 'APPROVED' } });
      await expect.poll(settlesOf).toBe(1);
      const second = post(`?id=${record.id.S}`, { data: { kycStatus: 'APPROVED' } });
      const answers = [await first, await second];
      expect(answers[0].status).toBe(200);
      expect([401, 409]).toContain(answers[1].status);
      expect(settlesOf()).toBeLessThanOrEqual(2);
    } finally {
      aws.delays.clear();
    }
    expect(aws.callsTo('AWSStepFunctions.SendTaskSuccess').filter((c) => c.body.taskToken === taskToken)).toHaveLength(1);
    expect(aws.tasks.get(taskToken)!.state).toBe('succeeded');
  });

  it('an out-of-order REVIEW after DECLINED is refused with 409: a settled step stays settled', async () => {
    const { taskToken, customerId } = await startKyc({ sequence: ['WAITING_DATA', 'REVIEW', 'DECLINED'], outOfOrder: true });
    await expect.poll(() => sandbox.callbacks.filter((c) => c.customerId === customerId && c.answerStatus !== undefined).length, { timeout: 10_000 }).toBe(3);
    expect(sandbox.callbacks.filter((c) => c.customerId === customerId).map((c) => [c.kycStatus, c.answerStatus])).toEqual([
      ['WAITING_DATA', 202],
      ['DECLINED', 200],
      ['REVIEW', 409],
    ]);
    expect(JSON.parse(aws.tasks.get(taskToken)!.output!)).toMatchObject({ outputs: { kycStatus: 'DECLINED' } });
  });

  it('an id nobody issued is refused with 401 before anything is written or resumed', async () => {
    const writes = calls('DynamoDB_20120810.UpdateItem');
    const resumes = aws.calls.filter((c) => c.target.startsWith('AWSStepFunctions.')).length;
    const forged = await post(`?id=${randomBytes(32).toString('base64url')}`, { data: { kycStatus: 'APPROVED' } });
    expect(forged.status).toBe(401);
    expect(await forged.json()).toEqual({ result: 'unknown callback' });
    // Malformed ids and other paths never reach DynamoDB.
    const reads = calls('DynamoDB_20120810.GetItem');
    expect((await post('?id=short', { data: { kycStatus: 'APPROVED' } })).status).toBe(401);
    expect((await fetch(`${functionUrl.url}other?id=${randomBytes(32).toString('base64url')}`, { method: 'POST', body: '{}' })).status).toBe(401);
    expect(calls('DynamoDB_20120810.GetItem')).toBe(reads);
    expect(calls('DynamoDB_20120810.UpdateItem')).toBe(writes);
    expect(aws.calls.filter((c) => c.target.startsWith('AWSStepFunctions.')).length).toBe(resumes);
  });

  it('a callback connectFi did not sign (none, or another key) is refused with 401 and resumes nothing: the receiver reads the configured key', async () => {
    const { taskToken, record } = await startKyc({ sequence: ['WAITING_DATA', 'APPROVED'], lose: [0, 1] });
    const query = `?id=${record.id.S}`;
    const unsigned = await post(query, { data: { kycStatus: 'APPROVED' } }, undefined, null);
    const otherKey = await post(query, { data: { kycStatus: 'APPROVED' } }, undefined, randomBytes(32).toString('base64url'));
    expect([unsigned.status, otherKey.status]).toEqual([401, 401]);
    expect(aws.tasks.get(taskToken)!.state).toBe('waiting');
    // The provider's own signature resumes it.
    expect((await post(query, { data: { kycStatus: 'APPROVED' } })).status).toBe(200);
    expect(aws.tasks.get(taskToken)!.state).toBe('succeeded');
  });

  it('a callback whose Task no longer waits is answered 410, and the step is settled so a retry is a 409', async () => {
    // Every callback lost: this test delivers its own, after the Task timed out.
    const { taskToken, record } = await startKyc({ sequence: ['WAITING_DATA', 'REVIEW', 'APPROVED'], lose: [0, 1, 2] });
    aws.tasks.get(taskToken)!.state = 'timed-out';
    const pendingLate = await post(`?id=${record.id.S}`, { data: { kycStatus: 'REVIEW' } });
    expect(pendingLate.status).toBe(410);
    expect(await pendingLate.json()).toEqual({ result: 'no longer waiting', status: 'REVIEW' });
    const settledLate = await post(`?id=${record.id.S}`, { data: { kycStatus: 'APPROVED' } });
    expect(settledLate.status).toBe(410);
    expect((await post(`?id=${record.id.S}`, { data: { kycStatus: 'APPROVED' } })).status).toBe(409);
  });

  it('refuses what is not a callback: another method (405), more than 256 KB (413), a body that is not JSON (400), no status (400)', async () => {
    const { taskToken, record } = await startKyc({ sequence: ['WAITING_DATA', 'APPROVED'], lose: [0, 1] });
    const query = `?id=${record.id.S}`;
    expect((await fetch(`${functionUrl.url}callbacks${query}`)).status).toBe(405);
    const huge = await post(query, { data: { kycStatus: 'APPROVED', padding: 'x'.repeat(262_144) } });
    expect(huge.status).toBe(413);
    expect((await post(query, 'not json')).status).toBe(400);
    expect((await post(query, { data: {} })).status).toBe(400);
    // A binary content type reaches the function base64-encoded: still the same JSON once decoded.
    const binary = await post(query, { data: { kycStatus: 'APPROVED' } }, { 'content-type': 'application/octet-stream' });
    expect(binary.status).toBe(200);
    expect(aws.tasks.get(taskToken)!.state).toBe('succeeded');
  });
});
