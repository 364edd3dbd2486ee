// The lamp workflow's MQTT steps on the Lambda bundles exactly as CDK stages them, loaded in-process:
// a send step's operation function publishes through the real IoT data-plane client (external to the
// bundle, as the Lambda runtime provides it) to a loopback TEST DOUBLE of IoT Core's data plane
// (test/support/iot-data-stand-in.ts); a receive step's function registers its wait, and the broker
// receiver takes the event the topic rule hands it (MqttRuleEvent) and resumes the Task. DynamoDB,
// Step Functions and KMS are the loopback stand-in speaking their JSON protocols
// (support/aws-stand-in.ts, a test double), reached by the real SDK through AWS_ENDPOINT_URL_<SERVICE>.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ErrorCodes } from '../../../core/errors.js';
import type { StepEvent, StepResult } from '../../../core/plan.js';
import { mqttRuleEventOf, type MqttRuleEvent } from '../../../functions/runtime/messages/mqtt-messages.js';
import { ArazzoWorkflow } from '../../../infra/cdk/arazzo-workflow.js';
import { startIotDataStandIn, type IotDataStandIn } from '../../support/iot-data-stand-in.js';
import { startAwsStandIn, STAND_IN_CLIENT_CONFIG, type AwsStandIn } from './support/aws-stand-in.js';
import { functionKeysByLogicalId, ROOT } from './support/synth-seeds.js';

type OperationHandler = (event: StepEvent) => Promise<StepResult>;
type BrokerHandler = (event: MqttRuleEvent) => Promise<void>;

const LAMPS = join(ROOT, 'test/fixtures/asyncapi/lamp-dimming.arazzo.yml');
const MEASURED = 'lighting/lamp-7/measured';
const TABLE = 'Lamps-WorkflowCallbacks-1A2B3C';
const AWS_ENV = ['AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL_DYNAMODB', 'AWS_ENDPOINT_URL_SFN', 'AWS_ENDPOINT_URL_KMS', 'AWS_EC2_METADATA_DISABLED'];
const FUNCTION_ENV = ['ARAZZO_CALLBACK_TABLE', 'ARAZZO_CALLBACK_BASE_URL', 'ARAZZO_RECEIVE_QUEUES', 'ARAZZO_SEAL_KEY_ID', 'ARAZZO_CHANNEL_TARGETS', 'ARAZZO_IOT_DATA_ENDPOINT'];
const saved = new Map([...AWS_ENV, ...FUNCTION_ENV].map((name) => [name, process.env[name]]));

describe('the bundled MQTT functions publish through IoT Core and are resumed by the topic rule\'s event (real SDK, loopback stand-ins)', () => {
  let outdir: string;
  let template: Template;
  let aws: AwsStandIn;
  let iot: IotDataStandIn;
  let loads = 0;

  /** A resource's value once deployed, in the stack's account; the IoT endpoint lookup's address is the stand-in's. */
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
    if (v['Fn::GetAtt']?.[1] === 'endpointAddress') return 'a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com';
    if (v['Fn::GetAtt']?.[1] === 'Arn') return `arn:aws:sqs:eu-west-1:111122223333:${v['Fn::GetAtt'][0]}`;
    if (v['Fn::Join']) return (v['Fn::Join'][1] as unknown[]).map(resolveValue).join(v['Fn::Join'][0]);
    throw new Error(`cannot resolve ${JSON.stringify(value)}`);
  }

  /** Loads a function's bundle afresh (its own module instance) with the environment CloudFormation would give it, `override` applied. */
  async function load<T>(logicalId: string, override: Record<string, string | undefined> = {}): Promise<{ handler: T; environment: Record<string, string> }> {
    const fn = template.findResources('AWS::Lambda::Function')[logicalId];
    const environment = Object.fromEntries(Object.entries((fn.Properties.Environment?.Variables ?? {}) as Record<string, unknown>).map(([k, v]) => [k, resolveValue(v)]));
    for (const name of FUNCTION_ENV) delete process.env[name];
    Object.assign(process.env, environment);
    for (const [name, value] of Object.entries(override)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    const hash = String(fn.Properties.Code.S3Key).replace(/\.zip$/, '');
    const url = `${pathToFileURL(join(outdir, `asset.${hash}`, 'index.mjs')).href}?load=${++loads}`;
    const module = (await import(/* @vite-ignore */ url)) as { handler: T };
    return { handler: module.handler, environment };
  }

  const operation = (functionKey: string) => Object.entries(functionKeysByLogicalId(template)).find(([, f]) => f.functionKey === functionKey)![0];

  beforeAll(async () => {
    // GIVEN the lamp workflow synthesized as an app would (its bundles under the project, so the SDK resolves as on Lambda)
    mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
    outdir = mkdtempSync(join(ROOT, 'test-artifacts', 'cdk-'));
    const app = new App({ outdir });
    const stack = new Stack(app, 'Lamps', { env: { account: '111122223333', region: 'eu-west-1' } });
    new ArazzoWorkflow(stack, 'Workflow', { arazzoFile: LAMPS, workflowId: 'dimLamp' });
    app.synth();
    template = Template.fromStack(stack);
    aws = await startAwsStandIn();
    iot = await startIotDataStandIn();
    Object.assign(process.env, {
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: STAND_IN_CLIENT_CONFIG.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: STAND_IN_CLIENT_CONFIG.credentials.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: aws.url,
      AWS_ENDPOINT_URL_SFN: aws.url,
      AWS_ENDPOINT_URL_KMS: aws.url,
      AWS_EC2_METADATA_DISABLED: 'true',
    });
    delete process.env.AWS_SESSION_TOKEN;
    aws.tables.set(TABLE, { key: 'id', items: new Map() });
  }, 240_000);

  afterAll(async () => {
    await aws?.close();
    await iot?.close();
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    rmSync(outdir, { recursive: true, force: true });
  });

  it("a send step's bundle publishes on its topic with its QoS, payload and headers as user properties, at the endpoint the construct configured", async () => {
    const { handler, environment } = await load<OperationHandler>(operation('lamps.sendDim.send'), { ARAZZO_IOT_DATA_ENDPOINT: iot.url });
    // What CloudFormation would hand it: the lookup's address as an https URL, the topic as its target.
    expect(environment.ARAZZO_IOT_DATA_ENDPOINT).toBe('https://a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com');
    expect(JSON.parse(environment.ARAZZO_CHANNEL_TARGETS)).toEqual({ 'mqtt:lighting/lamp-7/dim': 'lighting/lamp-7/dim' });
    const result = await handler({ step: 'dim', inputs: { requestId: 'r-1', percent: 30 }, steps: {} });
    expect(result).toMatchObject({ outcome: 'success' });
    expect(iot.calls).toHaveLength(1);
    expect(iot.calls[0]).toMatchObject({ topic: 'lighting/lamp-7/dim', qos: 1, retain: false, contentType: 'application/json', userProperties: [{ 'x-correlation-id': 'r-1' }], signingService: 'iotdata' });
    expect(JSON.parse(iot.calls[0].payload.toString('utf8'))).toEqual({ percent: 30 });
  });

  it('a retained text send goes out as its text with RETAIN set; without its endpoint the bundle fails the step by name and calls nothing', async () => {
    iot.calls.length = 0;
    const status = await load<OperationHandler>(operation('lamps.sendStatus.send'), { ARAZZO_IOT_DATA_ENDPOINT: iot.url });
    expect(await status.handler({ step: 'reportStatus', inputs: { requestId: 'r-1', percent: 30 }, steps: {} })).toMatchObject({ outcome: 'success' });
    expect(iot.calls[0]).toMatchObject({ topic: 'lighting/lamp-7/status', qos: 0, retain: true, contentType: 'text/plain' });
    expect(iot.calls[0].payload.toString('utf8')).toBe('dimmed');
    const unconfigured = await load<OperationHandler>(operation('lamps.sendDim.send'), { ARAZZO_IOT_DATA_ENDPOINT: undefined });
    await expect(unconfigured.handler({ step: 'dim', inputs: { requestId: 'r-2', percent: 10 }, steps: {} })).rejects.toMatchObject({
      name: ErrorCodes.Plan,
      message: expect.stringContaining('no AWS IoT Core data endpoint was configured (ARAZZO_IOT_DATA_ENDPOINT)'),
    });
    expect(iot.calls).toHaveLength(1);
  });

  it("the broker receiver's bundle takes the topic rule's event and resumes the waiting receive step (SendTaskSuccess) with the payload and user properties; its duplicate resumes nothing", async () => {
    const receive = await load<OperationHandler>(operation('lamps.onMeasured.receive'));
    const taskToken = aws.issueTaskToken();
    const waiting = await receive.handler({ step: 'awaitMeasured', inputs: { requestId: 'r-3', percent: 30 }, steps: {}, taskToken, executionId: 'arn:aws:states:eu-west-1:111122223333:execution:DimLamp:run-3' });
    expect(waiting).toMatchObject({ outcome: 'waiting' });
    const [brokerId] = Object.entries(template.findResources('AWS::Lambda::Function')).find(([, r]) => /: broker receiver of receive steps /.test(String(r.Properties.Description)))!;
    const broker = (await load<BrokerHandler>(brokerId)).handler;
    // What the rule's SQL (iotRuleSql) selects from the message the lamp's sensor published, written out: the payload's
    // bytes in base64, the MQTT 5 content type, each named user property as the array of its values (x-firmware was not
    // sent, so IoT leaves it out), the rule's timestamp.
    const event: MqttRuleEvent = {
      eventSource: 'aws:iot',
      topic: MEASURED,
      payload: Buffer.from('{"lumens":240}').toString('base64'),
      contentType: 'application/json',
      userProperties: { 'x-correlation-id': ['r-3'], 'x-sensor': ['lux-2'] },
      timestamp: 1_796_000_000_000,
    };
    // The local broker delivers the same event for the same message.
    const { timestamp, ...local } = mqttRuleEventOf(MEASURED, ['x-correlation-id', 'x-sensor', 'x-firmware'], { headers: { 'x-correlation-id': 'r-3', 'x-sensor': 'lux-2' }, payload: { lumens: 240 } }, 'application/json');
    expect({ ...local, timestamp: event.timestamp }).toEqual(event);
    expect(timestamp).toEqual(expect.any(Number));
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      await broker(event);
      await broker(event);
      const lines = log.mock.calls.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>).filter((l) => l.message === 'arazzo broker message');
      expect(lines.map((l) => l.status)).toEqual([200, 409]);
      expect(JSON.stringify(lines)).not.toContain('lux-2');
    } finally {
      log.mockRestore();
    }
    const task = aws.tasks.get(taskToken)!;
    expect(task.state).toBe('succeeded');
    expect(JSON.parse(task.output!)).toMatchObject({ outcome: 'success', outputs: { lumens: 240, sensor: 'lux-2' } });
  });
});
