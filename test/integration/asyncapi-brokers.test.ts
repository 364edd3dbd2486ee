import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { compileFileOrThrow } from '../../compiler/index.js';
import { AesGcmSealer, InMemorySecretsProvider } from '../../functions/runtime/secrets/index.js';
import { ArazzoWorkflow } from '../../infra/cdk/arazzo-workflow.js';
import { LocalBroker } from '../../local/local-broker.js';
import { LocalWorkflow } from '../../local/run-workflow.js';
import { asArray, functionKeysByLogicalId, statementsOfRole } from '../infra/cdk/support/synth-seeds.js';

const NOTIFY = join(import.meta.dirname, '../fixtures/asyncapi/notify.arazzo.yml');

/** An ARN as the template writes it: the partition is a reference. */
const arn = (rest: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, rest]] });

describe('AsyncAPI send steps on SQS, SNS and EventBridge (Arazzo 1.1)', () => {
  it('publish through the embedded broker locally: headers from parameters, payload from requestBody, the bus event with its source and detail-type', async () => {
    const [compiled] = (await compileFileOrThrow(NOTIFY)).workflows;
    const broker = new LocalBroker();
    const exec = await new LocalWorkflow(compiled).run(
      { orderId: 'o-17' },
      { runtime: { secrets: new InMemorySecretsProvider(), sealer: new AesGcmSealer(), messages: broker }, waitMs: 1, timeoutMs: 10_000 },
    );
    expect(exec.status).toBe('SUCCEEDED');
    expect(broker.messages().map((m) => [m.target, m.message.headers, m.message.payload, m.event])).toEqual([
      ['sqs:order-queue', { 'x-order-id': 'o-17' }, { orderId: 'o-17' }, undefined],
      ['sns:order-topic', {}, { orderId: 'o-17' }, undefined],
      ['eventbridge:shop-bus', {}, { orderId: 'o-17' }, { source: 'shop.orders', detailType: 'OrderPlaced' }],
    ]);
  });

  it('without a publisher, a broker send fails by name (Arazzo.Plan), never silently', async () => {
    const [compiled] = (await compileFileOrThrow(NOTIFY)).workflows;
    const exec = await new LocalWorkflow(compiled).run(
      { orderId: 'o-18' },
      { runtime: { secrets: new InMemorySecretsProvider(), sealer: new AesGcmSealer() }, waitMs: 1, timeoutMs: 10_000 },
    );
    expect(exec.status).toBe('FAILED');
    expect(exec.error).toBe('Arazzo.Plan');
  });

  it('the construct lets each send function publish to its own queue, topic or bus (with its source and detail-type) and nowhere else', () => {
    // GIVEN the notify fixture in a stack WHEN synthesized THEN each send step's role has one publishing statement
    const stack = new Stack(new App(), 'Test', { env: { account: '111122223333', region: 'eu-west-1' } });
    new ArazzoWorkflow(stack, 'Workflow', { arazzoFile: NOTIFY, workflowId: 'notifyOrder' });
    const template = Template.fromStack(stack);
    const functions = template.findResources('AWS::Lambda::Function');
    const publishing = (functionKey: string) => {
      const logicalId = Object.entries(functionKeysByLogicalId(template)).find(([, f]) => f.functionKey === functionKey)![0];
      const role = functions[logicalId].Properties.Role['Fn::GetAtt'][0] as string;
      const statements = statementsOfRole(template, role).filter((s) => asArray<string>(s.Action).some((a) => /^(sqs|sns|events):/.test(a)));
      // The queue URL holds the partition's URL suffix (a token): the map is rendered as an Fn::Join, read here as its text.
      return { statements, env: JSON.stringify(functions[logicalId].Properties.Environment.Variables.ARAZZO_CHANNEL_TARGETS) };
    };
    const queue = publishing('notify.queueOrder.send');
    expect(queue.statements).toEqual([{ Action: 'sqs:SendMessage', Effect: 'Allow', Resource: arn(':sqs:eu-west-1:111122223333:order-queue') }]);
    expect(queue.env).toMatch(/sqs:order-queue.*https:\/\/sqs\.eu-west-1\..*AWS::URLSuffix.*\/111122223333\/order-queue/);
    const topic = publishing('notify.announceOrder.send');
    expect(topic.statements).toEqual([{ Action: 'sns:Publish', Effect: 'Allow', Resource: arn(':sns:eu-west-1:111122223333:order-topic') }]);
    expect(topic.env).toContain(':sns:eu-west-1:111122223333:order-topic');
    const bus = publishing('notify.emitOrderEvent.send');
    expect(bus.statements).toEqual([
      {
        Action: 'events:PutEvents',
        Effect: 'Allow',
        Resource: arn(':events:eu-west-1:111122223333:event-bus/shop-bus'),
        Condition: { StringEquals: { 'events:source': 'shop.orders', 'events:detail-type': 'OrderPlaced' } },
      },
    ]);
  }, 180_000);
});
