// The construct as a library user sees it: the fromFile factory, its stack outputs, and the
// grants and metrics it delegates to its state machine.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, type CfnResource, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import { ArazzoWorkflow } from '../../../infra/cdk/index.js';
import { handlerEntry, packageRoot } from '../../../infra/cdk/package-paths.js';
import { ROOT } from './support/synth-seeds.js';

// The example app's document: two operations of a made-up API, no credentials.
const WELCOME = join(ROOT, 'examples/cdk-app/workflows/welcome-reward.arazzo.yml');
// One operation step with a regex criterion.
const TIER = join(import.meta.dirname, 'fixtures/regex/tier.arazzo.yml');

let app: App;
let stack: Stack;
let template: Template;
let shown: ArazzoWorkflow;
let quiet: ArazzoWorkflow;
let tier: ArazzoWorkflow;
let operator: iam.Role;

beforeAll(() => {
  // GIVEN a stack with the workflow twice: with its outputs, and with cfnOutputs off
  // Asset metadata names each function's staged bundle (the CDK CLI turns it on too).
  app = new App({ context: { 'aws:cdk:enable-asset-metadata': true } });
  stack = new Stack(app, 'Api');
  operator = new iam.Role(stack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() });
  // WHEN it is built with fromFile, and the operator is granted what the grants give
  shown = ArazzoWorkflow.fromFile(stack, 'Shown', WELCOME, { workflowId: 'welcomeReward' });
  quiet = ArazzoWorkflow.fromFile(stack, 'Quiet', WELCOME, { workflowId: 'welcomeReward', cfnOutputs: false });
  tier = ArazzoWorkflow.fromFile(stack, 'Tier', TIER, { workflowId: 'tier', cfnOutputs: false });
  shown.grantStartExecution(operator);
  shown.grantRead(operator);
  shown.grantExecution(operator, 'states:StopExecution');
  template = Template.fromStack(stack);
}, 180_000);

describe('ArazzoWorkflow as a library', () => {
  it('fromFile builds the workflow of the file: its state machine and one function per operation plus the workflow function', () => {
    expect(shown.compiled.plan.workflowId).toBe('welcomeReward');
    expect(Object.keys(shown.functions).sort()).toEqual(['loyalty.getMember', 'loyalty.grantReward', 'welcomeReward.workflow']);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 3);
    expect(stack.resolve(shown.stateMachineArn)).toEqual(stack.resolve(shown.stateMachine.stateMachineArn));
  });

  it('outputs the state machine ARN, unless cfnOutputs is false', () => {
    const outputs = template.findOutputs('*');
    expect(Object.values(outputs)).toEqual([
      { Description: 'arazzo-sfn: the state machine of workflow welcomeReward', Value: stack.resolve(shown.stateMachine.stateMachineArn) },
      { Description: 'arazzo-sfn: start executions of workflow welcomeReward here (alias live)', Value: stack.resolve(shown.aliasArn) },
    ]);
    expect(Object.values(outputs).map((o) => o.Value)).not.toContainEqual(stack.resolve(quiet.stateMachine.stateMachineArn));
  });

  it('grants delegate to the state machine: start (through the alias live), read, and named execution actions, on its ARN and its executions', () => {
    const machine = stack.resolve(shown.stateMachine.stateMachineArn);
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [stack.resolve(operator.roleName)],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'states:StartExecution', Resource: machine, Condition: { StringEquals: { 'states:StateMachineQualifier': 'live' } } }),
          Match.objectLike({ Action: Match.arrayWith(['states:ListExecutions']), Resource: machine }),
          Match.objectLike({ Action: 'states:StopExecution' }),
        ]),
      },
    });
  });

  it('metrics are the state machine metrics (AWS/States, by state machine ARN)', () => {
    for (const metric of [shown.metricFailed(), shown.metricSucceeded(), shown.metricStarted(), shown.metricTimedOut(), shown.metricAborted(), shown.metricTime(), shown.metric('ExecutionThrottled')]) {
      expect(metric.namespace).toBe('AWS/States');
      expect(stack.resolve(metric.dimensions)).toEqual({ StateMachineArn: stack.resolve(shown.stateMachine.stateMachineArn) });
    }
    expect(shown.metricFailed().metricName).toBe('ExecutionsFailed');
  });

  it('bundles the RE2 engine only into functions whose steps have a regex criterion', () => {
    const bundleOf = (workflow: ArazzoWorkflow, functionKey: string) => {
      const logicalId = stack.getLogicalId(workflow.functions[functionKey].node.defaultChild as CfnResource);
      const path = template.findResources('AWS::Lambda::Function')[logicalId].Metadata['aws:asset:path'] as string;
      return readFileSync(join(app.outdir, path, 'index.mjs'), 'utf8');
    };
    // re2js's own error type: in the bundle only when the engine is.
    expect(bundleOf(tier, 'members.getMember')).toContain('RE2JSSyntaxException');
    for (const key of ['loyalty.getMember', 'loyalty.grantReward', 'welcomeReward.workflow']) expect(bundleOf(shown, key)).not.toContain('RE2JSSyntaxException');
    expect(bundleOf(tier, 'tier.workflow')).not.toContain('RE2JSSyntaxException');
  });

  it('finds its Lambda entries in its own package: from the sources, functions/handlers/*.ts of this checkout', () => {
    expect(packageRoot().replace(/\/$/, '')).toBe(ROOT.replace(/\/$/, ''));
    for (const kind of ['operation', 'workflow', 'webhook'] as const) {
      expect(handlerEntry(kind)).toBe(join(ROOT, 'functions/handlers', `${kind}.ts`));
      expect(existsSync(handlerEntry(kind))).toBe(true);
    }
  });
});
