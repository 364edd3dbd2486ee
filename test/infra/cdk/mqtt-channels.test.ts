import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { IOT_SQL_VERSION, iotRuleSql } from '../../../functions/runtime/messages/mqtt-messages.js';
import { ArazzoWorkflow } from '../../../infra/cdk/arazzo-workflow.js';
import { acknowledgeArazzoWorkflowFindings } from '../../../infra/cdk/nag-suppressions.js';
import { asArray, functionKeysByLogicalId, ROOT, statementsOfRole } from './support/synth-seeds.js';

const LAMPS = join(ROOT, 'test/fixtures/asyncapi/lamp-dimming.arazzo.yml');
const MEASURED = 'lighting/lamp-7/measured';

const functionOf = (template: Template, functionKey: string) => Object.entries(functionKeysByLogicalId(template)).find(([, f]) => f.functionKey === functionKey)![0];
const brokerOf = (template: Template) =>
  Object.entries(template.findResources('AWS::Lambda::Function')).find(([, r]) => /: broker receiver of receive steps /.test(String(r.Properties.Description)))![0];
const roleOf = (template: Template, fn: string) => template.findResources('AWS::Lambda::Function')[fn].Properties.Role['Fn::GetAtt'][0] as string;
const iotStatements = (template: Template, fn: string) => statementsOfRole(template, roleOf(template, fn)).filter((s) => asArray<string>(s.Action).some((a) => a.startsWith('iot:')));
const topicArn = (topic: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iot:eu-west-1:111122223333:topic/${topic}`]] });
const logicalIdOf = (template: Template, type: string, prefix: string) => Object.keys(template.findResources(type)).find((id) => id.startsWith(prefix))!;

describe('ArazzoWorkflow: MQTT channels on AWS IoT Core (Arazzo 1.1)', () => {
  let app: App;
  let stack: Stack;
  let workflow: ArazzoWorkflow;
  let template: Template;

  beforeAll(() => {
    // GIVEN the lamp workflow (sends on two topics, one retained; two receive steps on a third), twice in one stack
    app = new App();
    stack = new Stack(app, 'Lamps', { env: { account: '111122223333', region: 'eu-west-1' } });
    workflow = new ArazzoWorkflow(stack, 'Workflow', { arazzoFile: LAMPS, workflowId: 'dimLamp' });
    const second = new ArazzoWorkflow(stack, 'Second', { arazzoFile: LAMPS, workflowId: 'dimLamp', cfnOutputs: false });
    for (const w of [workflow, second]) acknowledgeArazzoWorkflowFindings(w);
    new cloudwatch.Alarm(stack, 'BrokerDeadLettersAlarm', {
      metric: workflow.metricBrokerDeadLetters(),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
    });
    template = Template.fromStack(stack);
  }, 240_000);

  it("lets each send step's function publish on its own topic only, with iot:RetainPublish only where the channel retains", () => {
    const dim = functionOf(template, 'lamps.sendDim.send');
    const status = functionOf(template, 'lamps.sendStatus.send');
    expect(iotStatements(template, dim)).toEqual([{ Action: 'iot:Publish', Effect: 'Allow', Resource: topicArn('lighting/lamp-7/dim') }]);
    expect(iotStatements(template, status)).toEqual([{ Action: ['iot:Publish', 'iot:RetainPublish'], Effect: 'Allow', Resource: topicArn('lighting/lamp-7/status') }]);
    // No other function of the workflow may publish or subscribe.
    const others = Object.keys(template.findResources('AWS::Lambda::Function')).filter((id) => id.startsWith('Workflow') && id !== dim && id !== status && !/^AWS679f53fac002430cb0da5b7982bd2287/.test(id));
    for (const fn of others) expect(iotStatements(template, fn)).toEqual([]);
    const env = template.findResources('AWS::Lambda::Function')[dim].Properties.Environment.Variables;
    expect(JSON.parse(stack.resolve(env.ARAZZO_CHANNEL_TARGETS))).toEqual({ 'mqtt:lighting/lamp-7/dim': 'lighting/lamp-7/dim' });
  });

  it("resolves the account's iot:Data-ATS endpoint once per stack (DescribeEndpoint, nothing else) and hands its https URL to the send functions", () => {
    const lookups = template.findResources('Custom::ArazzoIotDataEndpoint');
    expect(Object.keys(lookups)).toHaveLength(1);
    const [lookupId, lookup] = Object.entries(lookups)[0];
    expect(JSON.parse(lookup.Properties.Create)).toEqual({
      service: '@aws-sdk/client-iot',
      action: 'DescribeEndpoint',
      parameters: { endpointType: 'iot:Data-ATS' },
      physicalResourceId: { responsePath: 'endpointAddress' },
      outputPaths: ['endpointAddress'],
    });
    expect(lookup.Properties.Update).toEqual(lookup.Properties.Create);
    // The runtime's SDK makes the call: nothing is installed from npm at deploy time.
    expect(lookup.Properties.InstallLatestAwsSdk).toBe(false);
    const [policy] = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) => JSON.stringify(p).includes('iot:DescribeEndpoint'));
    expect(policy.Properties.PolicyDocument.Statement).toEqual([{ Action: 'iot:DescribeEndpoint', Effect: 'Allow', Resource: '*' }]);
    const endpoint = { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [lookupId, 'endpointAddress'] }]] };
    for (const prefix of ['Workflow', 'Second']) {
      for (const key of ['lamps.sendDim.send', 'lamps.sendStatus.send']) {
        const fn = Object.entries(functionKeysByLogicalId(template)).find(([id, f]) => id.startsWith(prefix) && f.functionKey === key)![0];
        expect(template.findResources('AWS::Lambda::Function')[fn].Properties.Environment.Variables.ARAZZO_IOT_DATA_ENDPOINT).toEqual(endpoint);
      }
    }
    // Functions that do not publish on MQTT are not given it.
    const broker = brokerOf(template);
    expect(template.findResources('AWS::Lambda::Function')[broker].Properties.Environment.Variables).not.toHaveProperty('ARAZZO_IOT_DATA_ENDPOINT');
  });

  it('routes the receive topic through one IoT topic rule (SQL 2016-03-23 selecting the union of both receive steps\' headers) to the broker receiver, with an SQS error action', () => {
    const broker = brokerOf(template);
    const rules = Object.entries(template.findResources('AWS::IoT::TopicRule')).filter(([id]) => id.startsWith('Workflow'));
    expect(rules).toHaveLength(1);
    const [ruleId, rule] = rules[0];
    const deadLetters = logicalIdOf(template, 'AWS::SQS::Queue', 'WorkflowReceiveEventDeadLetters');
    const errorRole = logicalIdOf(template, 'AWS::IAM::Role', 'WorkflowReceiveMqttErrorActionRole');
    expect(rule.Properties.TopicRulePayload).toEqual({
      Description: `arazzo-sfn: MQTT messages on ${MEASURED}, for receive steps`,
      Sql: iotRuleSql(MEASURED, ['x-correlation-id', 'x-sensor', 'x-firmware']),
      AwsIotSqlVersion: IOT_SQL_VERSION,
      RuleDisabled: false,
      Actions: [{ Lambda: { FunctionArn: { 'Fn::GetAtt': [broker, 'Arn'] } } }],
      ErrorAction: { Sqs: { QueueUrl: { Ref: deadLetters }, RoleArn: { 'Fn::GetAtt': [errorRole, 'Arn'] }, UseBase64: false } },
    });
    expect(IOT_SQL_VERSION).toBe('2016-03-23');
    expect(rule.Properties.TopicRulePayload.Sql).toMatch(/FROM 'lighting\/lamp-7\/measured'$/);
    // IoT may invoke the receiver for this rule, from this account, and for nothing else.
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [broker, 'Arn'] },
      Principal: 'iot.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [ruleId, 'Arn'] },
      SourceAccount: '111122223333',
    });
  });

  it("gives the error action a role IoT assumes for this account's rules only, allowed to send to the dead-letter queue and nothing else", () => {
    const errorRole = logicalIdOf(template, 'AWS::IAM::Role', 'WorkflowReceiveMqttErrorActionRole');
    const deadLetters = logicalIdOf(template, 'AWS::SQS::Queue', 'WorkflowReceiveEventDeadLetters');
    expect(template.findResources('AWS::IAM::Role')[errorRole].Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { Service: 'iot.amazonaws.com' },
        Condition: {
          StringEquals: { 'aws:SourceAccount': '111122223333' },
          ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iot:eu-west-1:111122223333:rule/*']] } },
        },
      },
    ]);
    expect(statementsOfRole(template, errorRole)).toEqual([{ Action: 'sqs:SendMessage', Effect: 'Allow', Resource: { 'Fn::GetAtt': [deadLetters, 'Arn'] } }]);
  });

  it("keeps what the receiver still failed on after Lambda's retries in the same dead-letter queue, exposed as BrokerDeadLettersUrl and metricBrokerDeadLetters()", () => {
    const broker = brokerOf(template);
    const deadLetters = logicalIdOf(template, 'AWS::SQS::Queue', 'WorkflowReceiveEventDeadLetters');
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: broker },
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 6 * 3600,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [deadLetters, 'Arn'] } } },
    });
    expect(template.findResources('AWS::SQS::Queue')[deadLetters].Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    const [, output] = Object.entries(template.findOutputs('*')).find(([name]) => name.startsWith('WorkflowBrokerDeadLettersUrl'))!;
    expect(output.Value).toEqual({ Ref: deadLetters });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateNumberOfMessagesVisible', Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [deadLetters, 'QueueName'] } }] });
    // No queue, mapping or EventBridge rule: an MQTT receive is the topic rule alone.
    expect(Object.keys(template.findResources('AWS::Lambda::EventSourceMapping'))).toEqual([]);
    expect(Object.keys(template.findResources('AWS::Events::Rule'))).toEqual([]);
    expect(Object.keys(template.findResources('AWS::SQS::Queue')).filter((id) => id.startsWith('Workflow'))).toEqual([deadLetters]);
  });

  it('passes cdk-nag AwsSolutions, with the endpoint lookup\'s findings acknowledged for their reasons', () => {
    const report = new AwsSolutionsChecks(app).validateScope(app);
    expect(report.violations).toEqual([]);
  });
});

describe('ArazzoWorkflow refuses an MQTT send it cannot grant on its topic alone', () => {
  it('a topic with * or ?, which an IAM policy would read as wildcards, before any function is built', () => {
    // GIVEN the lamp documents with the dim channel's topic holding a *
    const dir = mkdtempSync(join(tmpdir(), 'arazzo-mqtt-'));
    try {
      cpSync(LAMPS, join(dir, 'lamps.arazzo.yml'));
      const asyncapi = readFileSync(join(ROOT, 'test/fixtures/asyncapi/lamp-dimming.asyncapi.yml'), 'utf8');
      writeFileSync(join(dir, 'lamp-dimming.asyncapi.yml'), asyncapi.replace('address: lighting/lamp-7/dim', 'address: lighting/lamp-*/dim'));
      const stack = new Stack(new App(), 'Wild', { env: { account: '111122223333', region: 'eu-west-1' } });
      expect(() => new ArazzoWorkflow(stack, 'Workflow', { arazzoFile: join(dir, 'lamps.arazzo.yml'), workflowId: 'dimLamp' })).toThrow(
        /step dim of workflow dimLamp publishes on MQTT topic "lighting\/lamp-\*\/dim", whose \* or \? an IAM policy reads as a wildcard/,
      );
      expect(stack.node.findAll().filter((c) => c instanceof lambda.Function)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
