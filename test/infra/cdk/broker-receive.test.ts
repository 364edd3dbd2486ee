import { join } from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_RECEIVES } from '../../../functions/handlers/create-broker-handler.js';
import { DROPPED_MESSAGE_METRIC } from '../../../functions/handlers/metrics.js';
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
  let stack: Stack;
  let workflow: ArazzoWorkflow;
  let template: Template;
  let broker: string;

  beforeAll(() => {
    // GIVEN the parcel workflow (receives on an SQS queue, an EventBridge bus and an SNS topic), its queue created by the construct
    app = new App();
    stack = new Stack(app, 'Parcels', { env: { account: '111122223333', region: 'eu-west-1' } });
    workflow = new ArazzoWorkflow(stack, 'Workflow', { arazzoFile: PARCEL, workflowId: 'followParcel', receiveQueues: { 'parcel-packed': 'create' } });
    acknowledgeArazzoWorkflowFindings(workflow);
    // An operator's alarm on the events lost to the workflow, as the metric's doc advises (before synthesis, so cdk-nag sees it too).
    new cloudwatch.Alarm(stack, 'BrokerDeadLettersAlarm', {
      metric: workflow.metricBrokerDeadLetters(),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
    });
    new cloudwatch.Alarm(stack, 'DroppedMessagesAlarm', {
      metric: workflow.metricDroppedMessages(),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
    });
    template = Template.fromStack(stack);
    broker = brokerOf(template);
  }, 180_000);

  it('creates the queue with SSL enforced, SQS-managed encryption and a dead-letter queue that takes a failing message at its 5th receipt, before the receiver would drop it, and maps it to the broker receiver with partial batch responses', () => {
    // The receiver drops a message it failed on at its MAX_RECEIVES-th receipt; SQS moves one received more than maxReceiveCount times.
    expect(MAX_RECEIVES).toBe(5);
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'parcel-packed',
      SqsManagedSseEnabled: true,
      RedrivePolicy: { maxReceiveCount: MAX_RECEIVES - 1, deadLetterTargetArn: Match.anyValue() },
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

  it("sends an event the receiver still fails on after Lambda's 2 retries (within 6 hours) to the rule's dead-letter queue, encrypted and SSL-only, exposed for redrive and alarms", () => {
    const eventDeadLetters = logicalIdOf(template, 'AWS::SQS::Queue', 'WorkflowReceiveEventDeadLetters');
    const queueArn = { 'Fn::GetAtt': [eventDeadLetters, 'Arn'] };
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: broker },
      Qualifier: '$LATEST',
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 6 * 3600,
      DestinationConfig: { OnFailure: { Destination: queueArn } },
    });
    // One queue for both: the events EventBridge could not invoke the receiver with go there too.
    template.hasResourceProperties('AWS::Events::Rule', { Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [broker, 'Arn'] }, DeadLetterConfig: { Arn: queueArn } })] });
    expect(template.findResources('AWS::SQS::Queue')[eventDeadLetters].Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: eventDeadLetters }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Resource: queueArn, Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    expect(workflow.brokerWiring?.eventDeadLetters).toBeDefined();
    const outputs = template.findOutputs('*');
    const [, output] = Object.entries(outputs).find(([name]) => name.startsWith('WorkflowBrokerDeadLettersUrl'))!;
    expect(output.Value).toEqual({ Ref: eventDeadLetters });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Statistic: 'Maximum',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [eventDeadLetters, 'QueueName'] } }],
      Threshold: 0,
    });
  });

  it('lets the receiver read and delete messages of its two queues only, send to the dead-letter queue of its events only, settle waits in the callback table, and resume this state machine', () => {
    const statements = statementsOfRole(template, roleOf(template, broker));
    const eventDeadLetters = logicalIdOf(template, 'AWS::SQS::Queue', 'WorkflowReceiveEventDeadLetters');
    const sendStatements = statements.filter((s) => actionsOf([s]).includes('sqs:SendMessage'));
    expect(sendStatements).toEqual([
      { Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [eventDeadLetters, 'Arn'] } },
    ]);
    const sqsStatements = statements.filter((s) => actionsOf([s]).some((a) => a.startsWith('sqs:')) && !sendStatements.includes(s));
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

  it('offers metricDroppedMessages and metricOversizedMessages: the counts the broker receiver writes as EMF lines, by workflow', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: DROPPED_MESSAGE_METRIC.namespace,
      MetricName: 'DroppedMessages',
      Dimensions: [{ Name: 'WorkflowId', Value: 'followParcel' }],
      Statistic: 'Sum',
      Period: 300,
    });
    expect(stack.resolve(workflow.metricOversizedMessages().toMetricConfig().metricStat)).toMatchObject({ namespace: 'ArazzoSfn', metricName: 'OversizedMessages', dimensions: [{ name: 'WorkflowId', value: 'followParcel' }], statistic: 'Sum' });
  });

  it('passes cdk-nag AwsSolutions, with only the findings every ArazzoWorkflow acknowledges', () => {
    const report = new AwsSolutionsChecks(app).validateScope(app);
    expect(report.violations).toEqual([]);
  });

  it('warns a receive step that waits as long as the execution once, as the compiler\'s ASFN2171 with the construct\'s timeout as the bound (the construct\'s CallbackOutlivesExecution said the same and was merged into it)', () => {
    // GIVEN the parcel workflow (three receive steps of 5 s) in an execution of 5 s
    const short = new Stack(new App(), 'Short', { env: { account: '111122223333', region: 'eu-west-1' } });
    new ArazzoWorkflow(short, 'Workflow', { arazzoFile: PARCEL, workflowId: 'followParcel', timeout: Duration.seconds(5) });
    const warnings = Annotations.fromStack(short).findWarning('*', Match.anyValue()).map((w) => String(w.entry.data));
    expect(warnings.filter((w) => /CallbackOutlivesExecution/.test(w))).toEqual([]);
    expect(warnings.filter((w) => /ASFN2171/.test(w)).map((w) => /step "(\w+)"/.exec(w)![1])).toEqual(['awaitPacked', 'awaitShipped', 'awaitDelivered']);
  });

  it('imports a queue it is not given by name, in the stack\'s account and region, and refuses a receiveQueues entry no step reads', () => {
    // GIVEN the ticket escalation workflow (an SQS server, the queue is the channel address)
    const stack = new Stack(new App(), 'Tickets', { env: { account: '111122223333', region: 'eu-west-1' } });
    expect(() => new ArazzoWorkflow(stack, 'Bad', { arazzoFile: TICKETS, workflowId: 'escalateTicket', receiveQueues: { elsewhere: 'create' } })).toThrow(
      /receiveQueues\.elsewhere: no receive step of workflow escalateTicket reads an SQS queue of that name \(they read: escalated-tickets\)/,
    );
    const ticketsWorkflow = new ArazzoWorkflow(stack, 'Workflow', { arazzoFile: TICKETS, workflowId: 'escalateTicket' });
    expect(() => ticketsWorkflow.metricBrokerDeadLetters()).toThrow(/no receive step of this workflow listens on an EventBridge channel/);
    const tickets = Template.fromStack(stack);
    expect(tickets.findResources('AWS::SQS::Queue')).toEqual({});
    // Its receiver is invoked by the event source mapping only, synchronously: no asynchronous invoke to give a destination.
    expect(tickets.findResources('AWS::Lambda::EventInvokeConfig')).toEqual({});
    expect(Object.keys(tickets.findOutputs('*')).filter((name) => name.includes('BrokerDeadLetters'))).toEqual([]);
    const queueArn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sqs:eu-west-1:111122223333:escalated-tickets']] };
    tickets.hasResourceProperties('AWS::Lambda::EventSourceMapping', { EventSourceArn: queueArn, FunctionResponseTypes: ['ReportBatchItemFailures'] });
    const sqsStatements = statementsOfRole(tickets, roleOf(tickets, brokerOf(tickets))).filter((s) => actionsOf([s]).some((a) => a.startsWith('sqs:')));
    expect(sqsStatements).toEqual([{ Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'], Effect: 'Allow', Resource: queueArn }]);
    expect(logicalIdOf(tickets, 'AWS::Lambda::Url', 'Workflow')).toBeUndefined();
  }, 180_000);
});
