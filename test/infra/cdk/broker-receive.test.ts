import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { ArazzoWorkflow } from '../../../infra/cdk/arazzo-workflow.js';
import { acknowledgeArazzoWorkflowFindings } from '../../../infra/cdk/nag-suppressions.js';
import { asArray, functionKeysByLogicalId, ROOT, statementsOfRole } from './support/synth-seeds.js';

const PARCEL = join(ROOT, 'test/fixtures/asyncapi/parcel.arazzo.yml');
const TICKETS = join(ROOT, 'test/fixtures/asyncapi/ticket-escalation/ticket-escalation.arazzo.yaml');

const brokerOf = (template: Template) => {
  const [logicalId] = Object.entries(template.findResources('AWS::Lambda::Function')).find(([, r]) => /: broker receiver of receive steps /.test(String(r.Properties.Description)))!;
  return logicalId;
};
const roleOf = (template: Template, fn: string) => template.findResources('AWS::Lambda::Function')[fn].Properties.Role['Fn::GetAtt'][0] as string;
const actionsOf = (statements: Record<string, any>[]) => statements.flatMap((s) => asArray<string>(s.Action));
/** A resource's logical id in the template, by the start of its construct path's id. */
const logicalIdOf = (template: Template, type: string, prefix: string) => Object.keys(template.findResources(type)).find((id) => id.startsWith(prefix))!;

describe('ArazzoWorkflow: receive steps on SQS, SNS and EventBridge channels (Arazzo 1.1)', () => {
  let app: App;
  let template: Template;
  let broker: string;

  beforeAll(() => {
    // GIVEN the parcel workflow (receives on an SQS queue, an EventBridge bus and an SNS topic), its queue created by the construct
    app = new App();
    const stack = new Stack(app, 'Parcels', { env: { account: '111122223333', region: 'eu-west-1' } });
    const workflow = new ArazzoWorkflow(stack, 'Workflow', { arazzoFile: PARCEL, workflowId: 'followParcel', receiveQueues: { 'parcel-packed': 'create' } });
    acknowledgeArazzoWorkflowFindings(workflow);
    template = Template.fromStack(stack);
    broker = brokerOf(template);
  }, 180_000);

  it('creates the queue with SSL enforced, SQS-managed encryption and a dead-letter queue after 5 receives, and maps it to the broker receiver with partial batch responses', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'parcel-packed',
      SqsManagedSseEnabled: true,
      RedrivePolicy: { maxReceiveCount: 5, deadLetterTargetArn: Match.anyValue() },
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    const mappings = Object.values(template.findResources('AWS::Lambda::EventSourceMapping'));
    expect(mappings).toHaveLength(2);
    for (const m of mappings) expect(m.Properties).toMatchObject({ FunctionName: { Ref: broker }, FunctionResponseTypes: ['ReportBatchItemFailures'], BatchSize: 10 });
  });

  it('subscribes a queue of its own to the SNS topic, raw, so message attributes stay attributes', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'sqs',
      RawMessageDelivery: true,
      TopicArn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sns:eu-west-1:111122223333:parcel-delivered']] },
    });
  });

  it("routes the bus's events of the binding's source and detail-type to the receiver, with retries and a dead-letter queue", () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: 'shop-bus',
      EventPattern: { source: ['shop.shipping'], 'detail-type': ['ParcelShipped'] },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [broker, 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 2 }, DeadLetterConfig: Match.anyValue() })],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', { Principal: 'events.amazonaws.com', FunctionName: { 'Fn::GetAtt': [broker, 'Arn'] } });
  });

  it('lets the receiver read and delete messages of its two queues only, settle waits in the callback table, and resume this state machine', () => {
    const statements = statementsOfRole(template, roleOf(template, broker));
    const sqsStatements = statements.filter((s) => actionsOf([s]).some((a) => a.startsWith('sqs:')));
    expect(sqsStatements).toHaveLength(2);
    for (const s of sqsStatements) {
      expect(s.Action).toEqual(['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes']);
      expect(s.Resource).toMatchObject({ 'Fn::GetAtt': [expect.stringMatching(/^WorkflowReceive/), 'Arn'] });
    }
    const actions = actionsOf(statements);
    expect(actions.filter((a) => a.startsWith('dynamodb:')).sort()).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
    expect(actions).toEqual(expect.arrayContaining(['states:SendTaskSuccess', 'states:SendTaskFailure']));
    expect(actions.filter((a) => !/^(sqs|dynamodb|states|logs|xray|kms):/.test(a))).toEqual([]);
    const env = template.findResources('AWS::Lambda::Function')[broker].Properties.Environment.Variables;
    expect(JSON.stringify(env.ARAZZO_RECEIVE_QUEUES)).toMatch(/sqs:parcel-packed.*sns:parcel-delivered|sns:parcel-delivered.*sqs:parcel-packed/);
  });

  it('has no webhook Function URL: no step receives over HTTP, so nothing public admits a message', () => {
    expect(template.findResources('AWS::Lambda::Url')).toEqual({});
    const receiveFn = Object.entries(functionKeysByLogicalId(template)).find(([, f]) => f.functionKey === 'parcels.onPacked.receive')![0];
    expect(Object.keys(template.findResources('AWS::Lambda::Function')[receiveFn].Properties.Environment.Variables)).not.toContain('ARAZZO_CALLBACK_BASE_URL');
  });

  it('passes cdk-nag AwsSolutions, with only the findings every ArazzoWorkflow acknowledges', () => {
    const report = new AwsSolutionsChecks(app).validateScope(app);
    expect(report.violations).toEqual([]);
  });

  it('imports a queue it is not given by name, in the stack\'s account and region, and refuses a receiveQueues entry no step reads', () => {
    // GIVEN the ticket escalation workflow (an SQS server, the queue is the channel address)
    const stack = new Stack(new App(), 'Tickets', { env: { account: '111122223333', region: 'eu-west-1' } });
    expect(() => new ArazzoWorkflow(stack, 'Bad', { arazzoFile: TICKETS, workflowId: 'escalateTicket', receiveQueues: { elsewhere: 'create' } })).toThrow(
      /receiveQueues\.elsewhere: no receive step of workflow escalateTicket reads an SQS queue of that name \(they read: escalated-tickets\)/,
    );
    new ArazzoWorkflow(stack, 'Workflow', { arazzoFile: TICKETS, workflowId: 'escalateTicket' });
    const tickets = Template.fromStack(stack);
    expect(tickets.findResources('AWS::SQS::Queue')).toEqual({});
    const queueArn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sqs:eu-west-1:111122223333:escalated-tickets']] };
    tickets.hasResourceProperties('AWS::Lambda::EventSourceMapping', { EventSourceArn: queueArn, FunctionResponseTypes: ['ReportBatchItemFailures'] });
    const sqsStatements = statementsOfRole(tickets, roleOf(tickets, brokerOf(tickets))).filter((s) => actionsOf([s]).some((a) => a.startsWith('sqs:')));
    expect(sqsStatements).toEqual([{ Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'], Effect: 'Allow', Resource: queueArn }]);
    expect(logicalIdOf(tickets, 'AWS::Lambda::Url', 'Workflow')).toBeUndefined();
  }, 180_000);
});
