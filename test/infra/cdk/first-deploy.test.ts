import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { nodeVersionProblem, REQUIRED_NODE } from '../../../core/node-version.js';
import { estimateCost } from '../../../compiler/cost/estimate-cost.js';
import { withPrices } from '../../../compiler/cost/prices.js';
import { ArazzoWorkflow, VENDED_LOGS_PREFIX } from '../../../infra/cdk/arazzo-workflow.js';
import { acknowledgeArazzoWorkflowFindings } from '../../../infra/cdk/nag-suppressions.js';
import { SeedWorkflowsStack } from '../../../infra/cdk/seed-workflows-stack.js';
import { createApp } from '../../../infra/app.js';
import { ROOT } from './support/synth-seeds.js';

// Issue 16: what a first real deploy needs (dead letters, log group names, webhook concurrency, cdk-nag on nested
// workflows, retained secrets, the Node check). The stacks skip asset bundling (`aws:cdk:bundling-stacks: []`):
// these tests read the template and the construct tree, not the bundles, which arazzo-workflow.test.ts covers.
const NESTED = join(ROOT, 'test/fixtures/nested/onboarding.arazzo.yml');
const CALLBACK = join(import.meta.dirname, 'fixtures/callback/kyc.arazzo.yml');
/** The first `node` on PATH older than the one the package needs, if any. */
const OLD_NODE = (() => {
  const paths = spawnSync('which', ['-a', 'node'], { encoding: 'utf8' }).stdout?.split('\n').filter(Boolean) ?? [];
  for (const path of paths) {
    const version = execFileSync(path, ['--version'], { encoding: 'utf8' }).trim().replace(/^v/, '');
    if (nodeVersionProblem(version)) return { path, version };
  }
  return undefined;
})();
const newApp = () => new App({ context: { 'aws:cdk:bundling-stacks': [] } });

/** A parent workflow with a trigger that starts a nested one, as in a first deploy of test/fixtures/nested. */
function nestedStack() {
  const stack = new Stack(newApp(), 'Test');
  const token = new secretsmanager.Secret(stack, 'Token');
  const child = new ArazzoWorkflow(stack, 'Register', { arazzoFile: NESTED, workflowId: 'register-customer', secrets: { accessToken: token } });
  const parent = new ArazzoWorkflow(stack, 'Verify', {
    arazzoFile: NESTED,
    workflowId: 'verify-customer',
    secrets: { accessToken: token },
    sealingKey: child.sealingKey,
    nestedWorkflows: { 'register-customer': child },
    trigger: { eventPattern: { source: ['merchant.app'], detailType: ['CustomerSignedUp'] } },
  });
  return { stack, child, parent };
}

describe('ArazzoWorkflow: a first real deploy (issue 16)', () => {
  it('puts events whose execution could not start into an encrypted, TLS-only dead-letter queue, with a metric to alarm on', () => {
    // GIVEN a workflow started by an EventBridge rule
    const { stack, parent } = nestedStack();
    // WHEN it is synthesized
    const template = Template.fromStack(stack);
    const queueId = stack.getLogicalId(parent.deadLetterQueue!.node.defaultChild as never);
    // THEN the rule's target sends what it cannot start to the queue, after its retries and within a day
    template.hasResourceProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({ DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } }, RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 86_400 } })],
    });
    expect(template.findResources('AWS::SQS::Queue')[queueId].Properties).toEqual({ MessageRetentionPeriod: 14 * 86_400, SqsManagedSseEnabled: true });
    // Only EventBridge, for this rule, may send to it; nothing without TLS may use it.
    const [policy] = Object.values(template.findResources('AWS::SQS::QueuePolicy'));
    const statements = policy.Properties.PolicyDocument.Statement as Record<string, any>[];
    expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Allow', Action: 'sqs:SendMessage', Principal: { Service: 'events.amazonaws.com' }, Condition: { ArnEquals: { 'aws:SourceArn': expect.anything() } } }),
    );
    const metric = stack.resolve(parent.metricTriggerDeadLetters());
    expect(metric).toMatchObject({ namespace: 'AWS/SQS', metricName: 'ApproximateNumberOfMessagesVisible', statistic: 'Maximum', dimensions: { QueueName: { 'Fn::GetAtt': [queueId, 'QueueName'] } } });
    // A workflow without a trigger has no queue, and says so when asked for its metric.
    expect(() => nestedStack().child.metricTriggerDeadLetters()).toThrow(/has no trigger, so no dead-letter queue/);
  }, 90_000);

  it('sends the whole event with the path of each input, beside the secret references and constant inputs; a path the input check cannot read fails the synth', () => {
    const synth = (input: Record<string, unknown>) => {
      const stack = new Stack(newApp(), 'Test');
      new ArazzoWorkflow(stack, 'Register', {
        arazzoFile: NESTED,
        workflowId: 'register-customer',
        secrets: { accessToken: new secretsmanager.Secret(stack, 'Token') },
        trigger: { eventPattern: { source: ['merchant.app'] }, input },
      });
      return Template.fromStack(stack);
    };
    const [rule] = Object.values(synth({ email: events.EventField.fromPath('$.detail.email'), channel: 'web' }).findResources('AWS::Events::Rule'));
    const { InputTemplate, InputPathsMap } = rule.Properties.Targets[0].InputTransformer;
    expect(InputPathsMap).toBeUndefined();
    expect(InputTemplate).toBe('{"accessToken":"secret:accessToken","channel":"web","x-arazzo-sfn-event":{"paths":{"email":"$.detail.email"},"event":<aws.events.event.json>}}');
    expect(() => synth({ email: events.EventField.fromPath("$.detail['email']") })).toThrow(/trigger\.input\.email: \$\.detail\['email'\] is not a path the input check reads/);
  });

  it('names every execution log group under /aws/vendedlogs/states/, the one the state machine logs to', () => {
    const { stack, child, parent } = nestedStack();
    const template = Template.fromStack(stack);
    for (const workflow of [child, parent]) {
      const logGroupId = stack.getLogicalId(workflow.logGroup.node.defaultChild as never);
      const name = template.findResources('AWS::Logs::LogGroup')[logGroupId].Properties.LogGroupName as string;
      expect(name.startsWith(VENDED_LOGS_PREFIX), name).toBe(true);
      const machine = template.findResources('AWS::StepFunctions::StateMachine')[stack.getLogicalId(workflow.stateMachine.node.defaultChild as never)];
      expect(machine.Properties.LoggingConfiguration.Destinations[0].CloudWatchLogsLogGroup.LogGroupArn).toEqual({ 'Fn::GetAtt': [logGroupId, 'Arn'] });
    }
    // Two workflows of one stack get two log groups.
    const names = [child, parent].map((w) => template.findResources('AWS::Logs::LogGroup')[stack.getLogicalId(w.logGroup.node.defaultChild as never)].Properties.LogGroupName);
    expect(new Set(names).size).toBe(2);
  });

  it('starts the nested ArazzoWorkflow through its alias live, allowed on the child\'s ARN with the qualifier pinned (issue 19 §1)', () => {
    const { stack, child, parent } = nestedStack();
    const template = Template.fromStack(stack);
    const machine = template.findResources('AWS::StepFunctions::StateMachine')[stack.getLogicalId(parent.stateMachine.node.defaultChild as never)];
    // A running parent starts the child version its alias points to, never a half-deployed revision.
    expect(machine.Properties.DefinitionSubstitutions.StateMachine_register_customer).toEqual({ 'Fn::GetAtt': [stack.getLogicalId(child.alias), 'Arn'] });
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([machine.Properties.RoleArn['Fn::GetAtt'][0]].map((r: string) => ({ Ref: r }))));
    const starts = policies.flatMap((p) => p.Properties.PolicyDocument.Statement).filter((st: { Action: unknown }) => JSON.stringify(st.Action).includes('states:StartExecution'));
    // Step Functions authorizes a start on an alias against the unqualified ARN; the qualifier key pins the alias.
    expect(starts).toEqual([
      { Action: 'states:StartExecution', Effect: 'Allow', Resource: { Ref: stack.getLogicalId(child.stateMachine.node.defaultChild as never) }, Condition: { StringEquals: { 'states:StateMachineQualifier': 'live' } } },
    ]);
  });

  it('passes cdk-nag with a nested workflow once its findings are acknowledged, and the acknowledgement covers exactly the execution wildcard', () => {
    // GIVEN a parent that describes and stops the executions of its nested workflow (execution:<child>:*)
    const { stack, child, parent } = nestedStack();
    const checks = new AwsSolutionsChecks(stack.node.root);
    // WHEN cdk-nag runs before any acknowledgement, THEN it reports that wildcard on the parent's state machine role
    const before = checks.validateScope(stack.node.root).violations;
    const execution = before.filter((v) => /^AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:.*:\*\]$/.test(v.ruleName));
    expect(execution).toHaveLength(1);
    expect(execution[0].violatingResources.map((r) => r.constructPath)).toEqual(['Test/Verify/StateMachine/Role/DefaultPolicy/Resource']);
    // and that the dead-letter queue has no dead-letter queue of its own
    expect(before.map((v) => v.ruleName)).toContain('AwsSolutions-SQS3');
    // WHEN the helper acknowledges the workflows' findings, THEN nothing is left (the secret's rotation aside, which is the app's to decide)
    for (const workflow of [child, parent]) acknowledgeArazzoWorkflowFindings(workflow);
    const after = checks.validateScope(stack.node.root).violations;
    expect(after.map((v) => v.ruleName)).toEqual(['AwsSolutions-SMG4']);
  });

  it('reserves the webhook receiver\'s concurrency only when asked (small accounts cannot reserve any)', { timeout: 60_000 }, () => {
    const synth = (webhookReservedConcurrency?: number) => {
      const stack = new Stack(newApp(), 'Test');
      const workflow = new ArazzoWorkflow(stack, 'Kyc', { arazzoFile: CALLBACK, workflowId: 'kyc-callback', ...(webhookReservedConcurrency === undefined ? {} : { webhookReservedConcurrency }) });
      const fn = Template.fromStack(stack).findResources('AWS::Lambda::Function')[stack.getLogicalId(workflow.webhook!.node.defaultChild as never)];
      return { fn, functions: Template.fromStack(stack).findResources('AWS::Lambda::Function') };
    };
    expect(synth(20).fn.Properties.ReservedConcurrentExecutions).toBe(20);
    // By default nothing is reserved, for the receiver nor any other function.
    const { fn, functions } = synth();
    expect(fn.Properties.ReservedConcurrentExecutions).toBeUndefined();
    for (const other of Object.values(functions)) expect(other.Properties.ReservedConcurrentExecutions).toBeUndefined();
    expect(() => synth(0)).toThrow(/webhookReservedConcurrency must be a whole number of executions, at least 1; it is 0/);
    // The seeds app passes -c webhookReservedConcurrency=<n> on to connectFi's receiver.
    const { app, stack } = createApp(new App({ context: { 'aws:cdk:bundling-stacks': [], webhookReservedConcurrency: '7' } }));
    const seeds = Template.fromStack(stack);
    const receiver = seeds.findResources('AWS::Lambda::Function')[stack.getLogicalId(stack.connectFiKyc.webhook!.node.defaultChild as never)];
    expect(receiver.Properties.ReservedConcurrentExecutions).toBe(7);
    expect(app.node.tryGetContext('webhookReservedConcurrency')).toBe('7');
  });

  it('keeps the seed stack\'s secrets when the stack is deleted, unless told otherwise', () => {
    const secretsOf = (secretRemovalPolicy?: RemovalPolicy) => {
      const stack = new SeedWorkflowsStack(newApp(), 'Seeds', { workflowsDir: join(ROOT, 'workflows/arazzo'), ...(secretRemovalPolicy ? { secretRemovalPolicy } : {}) });
      return Object.values(Template.fromStack(stack).findResources('AWS::SecretsManager::Secret'));
    };
    const kept = secretsOf();
    expect(kept).toHaveLength(7);
    for (const secret of kept) expect([secret.DeletionPolicy, secret.UpdateReplacePolicy]).toEqual(['Retain', 'Retain']);
    for (const secret of secretsOf(RemovalPolicy.DESTROY)) expect(secret.DeletionPolicy).toBe('Delete');
  }, 60_000);

  it('attaches the cost report as metadata, at the functions\' memory and the prices it is given', () => {
    const stack = new Stack(newApp(), 'Test');
    const token = new secretsmanager.Secret(stack, 'Token');
    const workflow = new ArazzoWorkflow(stack, 'Register', {
      arazzoFile: NESTED,
      workflowId: 'register-customer',
      secrets: { accessToken: token },
      memorySize: 512,
      costPrices: { operationMs: 400 },
    });
    const [entry] = workflow.node.metadata.filter((m) => m.type === 'arazzo-sfn:cost');
    expect(entry.data).toBe(workflow.cost);
    expect(workflow.cost).toEqual(estimateCost(workflow.compiled, withPrices({ memoryMb: 512, operationMs: 400 })));
    expect(workflow.cost.prices).toMatchObject({ memoryMb: 512, operationMs: 400, workflowFunctionMs: 20, region: 'us-east-1' });
    // Validate inputs, then the one call, which ends the workflow.
    expect(workflow.cost.path).toMatchObject({ transitions: 2, lambdaInvocations: 2 });
  });

  it('refuses an older Node in one line, the line the CLI prints', () => {
    expect(nodeVersionProblem('20.19.5', '/usr/bin/node')).toBe(`arazzo-sfn: needs Node.js ${REQUIRED_NODE} or later, found 20.19.5 (/usr/bin/node)`);
    expect(nodeVersionProblem('22.18.9', '/x')).toMatch(/^arazzo-sfn: needs Node.js/);
    expect(nodeVersionProblem(REQUIRED_NODE)).toBeUndefined();
    expect(nodeVersionProblem('23.0.0')).toBeUndefined();
    // This run's Node is recent enough: the construct builds (every test above did).
    expect(nodeVersionProblem()).toBeUndefined();
  });

  // Skipped where no Node older than the minimum is on PATH (here Debian's /usr/bin/node 20 is).
  it.skipIf(!OLD_NODE)(`on an older Node (${OLD_NODE?.path} v${OLD_NODE?.version}) building the construct fails with that line, naming the construct`, () => {
    const run = spawnSync(OLD_NODE!.path, ['--import', 'tsx', join(import.meta.dirname, 'fixtures/synth-on-this-node.ts')], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(run.status).not.toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`Test/Workflow: arazzo-sfn: needs Node.js ${REQUIRED_NODE} or later, found ${OLD_NODE!.version} (${OLD_NODE!.path})`);
  });
});
