// The parcel workflow's receive steps on the Lambda bundles exactly as CDK stages them, loaded
// in-process: the receive step's operation function registers its wait, and the broker receiver
// takes an SQS record and an EventBridge event as Lambda hands them over. DynamoDB and Step
// Functions are the loopback stand-in speaking their JSON protocols (support/aws-stand-in.ts, a
// test double), reached by the real AWS SDK through AWS_ENDPOINT_URL_<SERVICE>.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { StepEvent, StepResult } from '../../../core/plan.js';
import type { SqsBatchResponse } from '../../../functions/handlers/create-broker-handler.js';
import type { EventBridgeEvent, SqsEvent } from '../../../functions/runtime/messages/broker-messages.js';
import { ArazzoWorkflow } from '../../../infra/cdk/arazzo-workflow.js';
import { startAwsStandIn, STAND_IN_CLIENT_CONFIG, type AwsStandIn } from './support/aws-stand-in.js';
import { functionKeysByLogicalId, ROOT } from './support/synth-seeds.js';

type OperationHandler = (event: StepEvent) => Promise<StepResult>;
type BrokerHandler = (event: SqsEvent | EventBridgeEvent) => Promise<SqsBatchResponse | void>;

const PARCEL = join(ROOT, 'test/fixtures/asyncapi/parcel.arazzo.yml');
const TABLE = 'Parcels-WorkflowCallbacks-1A2B3C';
const AWS_ENV = ['AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL_DYNAMODB', 'AWS_ENDPOINT_URL_SFN', 'AWS_ENDPOINT_URL_KMS', 'AWS_EC2_METADATA_DISABLED'];
const FUNCTION_ENV = ['ARAZZO_CALLBACK_TABLE', 'ARAZZO_CALLBACK_BASE_URL', 'ARAZZO_RECEIVE_QUEUES', 'ARAZZO_SEAL_KEY_ID'];
const saved = new Map([...AWS_ENV, ...FUNCTION_ENV].map((name) => [name, process.env[name]]));

describe('the bundled broker receiver resumes receive steps through DynamoDB and Step Functions (real SDK, loopback stand-in)', () => {
  let outdir: string;
  let template: Template;
  let aws: AwsStandIn;
  let broker: BrokerHandler;
  const operations: Record<string, OperationHandler> = {};

  /** A resource's value once deployed, in the stack's account. */
  function resolveValue(value: unknown): string {
    if (typeof value === 'string') return value;
    const v = value as Record<string, any>;
    if (v.Ref === 'AWS::Partition') return 'aws';
    if (v.Ref) {
      const type = template.toJSON().Resources[v.Ref].Type as string;
      if (type === 'AWS::DynamoDB::Table') return TABLE;
      if (type === 'AWS::KMS::Key') return `arn:aws:kms:eu-west-1:111122223333:key/${v.Ref}`;
      throw new Error(`no deployed value for ${type}`);
    }
    if (v['Fn::GetAtt']?.[1] === 'Arn') return `arn:aws:sqs:eu-west-1:111122223333:${v['Fn::GetAtt'][0]}`;
    if (v['Fn::Join']) return (v['Fn::Join'][1] as unknown[]).map(resolveValue).join(v['Fn::Join'][0]);
    throw new Error(`cannot resolve ${JSON.stringify(value)}`);
  }

  async function load<T>(logicalId: string): Promise<{ handler: T; environment: Record<string, string> }> {
    const fn = template.findResources('AWS::Lambda::Function')[logicalId];
    const environment = Object.fromEntries(Object.entries((fn.Properties.Environment?.Variables ?? {}) as Record<string, unknown>).map(([k, v]) => [k, resolveValue(v)]));
    for (const name of FUNCTION_ENV) delete process.env[name];
    Object.assign(process.env, environment);
    const hash = String(fn.Properties.Code.S3Key).replace(/\.zip$/, '');
    const module = (await import(/* @vite-ignore */ pathToFileURL(join(outdir, `asset.${hash}`, 'index.mjs')).href)) as { handler: T };
    return { handler: module.handler, environment };
  }

  let queueArns: Record<string, string>;
  beforeAll(async () => {
    // GIVEN the parcel workflow synthesized as an app would (its bundles under the project, so the SDK resolves as on Lambda)
    mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
    outdir = mkdtempSync(join(ROOT, 'test-artifacts', 'cdk-'));
    const app = new App({ outdir });
    const stack = new Stack(app, 'Parcels', { env: { account: '111122223333', region: 'eu-west-1' } });
    new ArazzoWorkflow(stack, 'Workflow', { arazzoFile: PARCEL, workflowId: 'followParcel' });
    app.synth();
    template = Template.fromStack(stack);
    aws = await startAwsStandIn();
    Object.assign(process.env, {
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: STAND_IN_CLIENT_CONFIG.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: STAND_IN_CLIENT_CONFIG.credentials.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: aws.url,
      AWS_ENDPOINT_URL_SFN: aws.url,
      // an early message is sealed under a KMS data key before it is kept
      AWS_ENDPOINT_URL_KMS: aws.url,
      AWS_EC2_METADATA_DISABLED: 'true',
    });
    delete process.env.AWS_SESSION_TOKEN;
    aws.tables.set(TABLE, { key: 'id', items: new Map() });
    const keys = functionKeysByLogicalId(template);
    const operation = (functionKey: string) => Object.entries(keys).find(([, f]) => f.functionKey === functionKey)![0];
    operations.awaitPacked = (await load<OperationHandler>(operation('parcels.onPacked.receive'))).handler;
    operations.awaitShipped = (await load<OperationHandler>(operation('parcels.onShipped.receive'))).handler;
    const [brokerId] = Object.entries(template.findResources('AWS::Lambda::Function')).find(([, r]) => /: broker receiver of receive steps /.test(String(r.Properties.Description)))!;
    const loaded = await load<BrokerHandler>(brokerId);
    broker = loaded.handler;
    queueArns = Object.fromEntries(Object.entries(JSON.parse(loaded.environment.ARAZZO_RECEIVE_QUEUES) as Record<string, string>).map(([arn, target]) => [target, arn]));
  }, 240_000);

  afterAll(async () => {
    await aws?.close();
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    rmSync(outdir, { recursive: true, force: true });
  });

  it('an SQS record resumes the waiting Task (SendTaskSuccess), its duplicate is deleted and resumes nothing, one line per message logged', async () => {
    const taskToken = aws.issueTaskToken();
    const waiting = await operations.awaitPacked({ step: 'awaitPacked', inputs: { orderId: 'o-1' }, steps: {}, taskToken, executionId: 'arn:aws:states:eu-west-1:111122223333:execution:FollowParcel:run-1' });
    expect(waiting).toMatchObject({ outcome: 'waiting' });
    expect(queueArns['sqs:parcel-packed']).toBe('arn:aws:sqs:eu-west-1:111122223333:parcel-packed');
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const record = (messageId: string) => ({
      messageId,
      body: JSON.stringify({ status: 'packed', parcelId: 'p-1' }),
      eventSource: 'aws:sqs',
      eventSourceARN: queueArns['sqs:parcel-packed'],
      attributes: { ApproximateReceiveCount: '1' },
      messageAttributes: { orderId: { dataType: 'String', stringValue: 'o-1' }, 'x-packer': { dataType: 'String', stringValue: 'ann' } },
    });
    try {
      expect(await broker({ Records: [record('m-1')] })).toEqual({ batchItemFailures: [] });
      expect(await broker({ Records: [record('m-2')] })).toEqual({ batchItemFailures: [] });
      const lines = log.mock.calls.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>);
      expect(lines.map((l) => [l.messageId, l.status])).toEqual([
        ['m-1', 200],
        ['m-2', 409],
      ]);
      expect(JSON.stringify(lines)).not.toContain('p-1');
    } finally {
      log.mockRestore();
    }
    const task = aws.tasks.get(taskToken)!;
    expect(task.state).toBe('succeeded');
    expect(JSON.parse(task.output!)).toMatchObject({ outcome: 'success', outputs: { parcelId: 'p-1', packer: 'ann' } });
    expect(aws.callsTo('AWSStepFunctions.SendTaskSuccess')).toHaveLength(1);
  });

  it('an EventBridge event that came before its step waited is kept (PutItem), and the step takes it (DeleteItem) and resumes at once', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      await broker({ id: 'e-1', source: 'shop.shipping', 'detail-type': 'ParcelShipped', detail: { parcelId: 'p-2', carrier: 'postal' } });
      expect(JSON.parse(String(log.mock.calls[0][0]))).toMatchObject({ eventId: 'e-1', status: 202 });
    } finally {
      log.mockRestore();
    }
    const taskToken = aws.issueTaskToken();
    const answer = await operations.awaitShipped({ step: 'awaitShipped', inputs: { orderId: 'o-2' }, steps: { awaitPacked: { outputs: { parcelId: 'p-2' } } } as never, taskToken, executionId: 'arn:aws:states:eu-west-1:111122223333:execution:FollowParcel:run-2' });
    expect(answer).toMatchObject({ outcome: 'waiting' });
    expect(aws.tasks.get(taskToken)).toMatchObject({ state: 'succeeded' });
    expect(JSON.parse(aws.tasks.get(taskToken)!.output!)).toMatchObject({ outputs: { carrier: 'postal', eventSource: 'shop.shipping' } });
    expect(aws.callsTo('DynamoDB_20120810.DeleteItem').length).toBeGreaterThan(0);
  });
});
