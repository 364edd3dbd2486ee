import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { afterAll, describe, expect, it } from 'vitest';
import { compileFileOrThrow } from '../../../compiler/index.js';
import { ArazzoWorkflow } from '../../../infra/cdk/arazzo-workflow.js';
import { planHash, shapeChanges, shapeHash, stateShape, STATE_SHAPE_METADATA } from '../../../infra/cdk/versions.js';
import { asArray, statementsOfRole } from './support/synth-seeds.js';

// Issue 19 §1: every deploy publishes a state machine version and moves the alias `live` to it; the version's Tasks
// call qualified Lambda versions, so an execution in flight keeps its definition and code. The stacks skip asset
// bundling: these tests read the template (arazzo-workflow.test.ts covers the bundles).
const FIXTURES = join(import.meta.dirname, 'fixtures/callback');
const CALLBACK = join(FIXTURES, 'kyc.arazzo.yml');
const scratch: string[] = [];
afterAll(() => scratch.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function synth(arazzoFile: string, outdir?: string) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, ...(outdir ? { outdir } : {}) });
  const stack = new Stack(app, 'Test');
  const workflow = new ArazzoWorkflow(stack, 'Workflow', {
    arazzoFile,
    workflowId: 'kyc-callback',
    trigger: { eventPattern: { source: ['merchant.app'], detailType: ['KycRequested'] } },
  });
  const template = Template.fromStack(stack);
  if (outdir) app.synth();
  return { app, stack, workflow, template };
}

describe('ArazzoWorkflow: versions and the alias (issue 19 §1)', () => {
  const { stack, workflow, template } = synth(CALLBACK);
  const machineId = stack.getLogicalId(workflow.stateMachine.node.defaultChild as never);
  const versionId = stack.getLogicalId(workflow.version);
  const aliasId = stack.getLogicalId(workflow.alias);

  it('publishes one retained version of this revision of the state machine, described by the plan hash and the state-shape hash', () => {
    expect(workflow.planHash).toBe(planHash(workflow.compiled));
    expect(workflow.planHash).toMatch(/^[0-9a-f]{16}$/);
    // The hash is of the definition and plans: another synth of the same document has the same one.
    expect(synth(CALLBACK).workflow.planHash).toBe(workflow.planHash);
    const versions = template.findResources('AWS::StepFunctions::StateMachineVersion');
    expect(Object.keys(versions)).toEqual([versionId]);
    const version = versions[versionId];
    expect(version.DeletionPolicy).toBe('Retain');
    expect(version.UpdateReplacePolicy).toBe('Retain');
    const shape = stateShape(workflow.compiled, Object.keys(workflow.functions));
    expect(version.Properties).toEqual({
      StateMachineArn: { Ref: machineId },
      StateMachineRevisionId: { 'Fn::GetAtt': [machineId, 'StateMachineRevisionId'] },
      Description: `arazzo-sfn kyc-callback: plan ${workflow.planHash}, state shape ${shapeHash(shape)}`,
    });
    expect(version.Metadata[STATE_SHAPE_METADATA]).toEqual({ path: 'Test/Workflow', shape });
    expect(shape.callbacks).toHaveProperty('startKyc');
    expect(shape.states).toMatchObject({ startKyc: 'Task' });
  }, 90_000);

  it('moves the alias live to that version, all traffic', () => {
    template.resourceCountIs('AWS::StepFunctions::StateMachineAlias', 1);
    template.hasResourceProperties('AWS::StepFunctions::StateMachineAlias', {
      Name: 'live',
      RoutingConfiguration: [{ StateMachineVersionArn: { 'Fn::GetAtt': [versionId, 'Arn'] }, Weight: 100 }],
    });
    expect(stack.resolve(workflow.aliasArn)).toEqual({ 'Fn::GetAtt': [aliasId, 'Arn'] });
    template.hasOutput('*', { Value: { 'Fn::GetAtt': [aliasId, 'Arn'] } });
  });

  it('calls qualified Lambda versions from every Task, retains them, and lets the state machine invoke every version of its own functions only', () => {
    const machine = template.findResources('AWS::StepFunctions::StateMachine')[machineId];
    const lambdaVersions = template.findResources('AWS::Lambda::Version');
    const functions = template.findResources('AWS::Lambda::Function');
    const substitutions = Object.values(machine.Properties.DefinitionSubstitutions as Record<string, { Ref: string }>);
    expect(substitutions.length).toBe(Object.keys(workflow.functions).length);
    const called = substitutions.map((s) => lambdaVersions[s.Ref].Properties.FunctionName.Ref as string).sort();
    const own = Object.values(workflow.functions).map((f) => stack.getLogicalId(f.node.defaultChild as never)).sort();
    expect(called).toEqual(own);
    for (const s of substitutions) {
      expect(lambdaVersions[s.Ref].DeletionPolicy).toBe('Retain');
      expect(lambdaVersions[s.Ref].UpdateReplacePolicy).toBe('Retain');
    }
    // The webhook receiver is behind its Function URL (unqualified), never called from a Task.
    expect(Object.keys(functions).length).toBe(own.length + 1);
    const invoke = statementsOfRole(template, machine.Properties.RoleArn['Fn::GetAtt'][0]).filter((s) => asArray(s.Action).includes('lambda:InvokeFunction'));
    const resources = invoke.flatMap((s) => asArray(s.Resource));
    for (const r of resources) expect(r).toEqual({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.any(String), 'Arn'] }, ':*']] });
    expect(resources.map((r: { 'Fn::Join': [string, [{ 'Fn::GetAtt': [string] }]] }) => r['Fn::Join'][1][0]['Fn::GetAtt'][0]).sort()).toEqual(own);
  });

  it('starts executions from the trigger and grantStartExecution through the alias', () => {
    const [rule] = Object.values(template.findResources('AWS::Events::Rule'));
    const [target] = rule.Properties.Targets;
    expect(target.Arn).toEqual({ 'Fn::GetAtt': [aliasId, 'Arn'] });
    // Step Functions authorizes a start on the alias against the unqualified ARN; the qualifier condition pins the alias.
    expect(statementsOfRole(template, target.RoleArn['Fn::GetAtt'][0])).toEqual([{ Action: 'states:StartExecution', Effect: 'Allow', Resource: { Ref: machineId }, Condition: { StringEquals: { 'states:StateMachineQualifier': 'live' } } }]);
    // A caller granted by the construct may start executions through the alias, not of the state machine's latest revision.
    const other = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Test');
    const granted = new ArazzoWorkflow(other, 'Workflow', { arazzoFile: CALLBACK, workflowId: 'kyc-callback' });
    const role = new iam.Role(other, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
    granted.grantStartExecution(role);
    expect(statementsOfRole(Template.fromStack(other), other.getLogicalId(role.node.defaultChild as never))).toEqual([
      { Action: 'states:StartExecution', Effect: 'Allow', Resource: { Ref: other.getLogicalId(granted.stateMachine.node.defaultChild as never) }, Condition: { StringEquals: { 'states:StateMachineQualifier': 'live' } } },
    ]);
  }, 90_000);
});

describe('ArazzoWorkflow: synth reports a change of the execution-state shape (issue 19 §1)', () => {
  /** The callback fixture in a scratch directory, to edit between two synths into the same outdir. */
  function scratchCopy() {
    const dir = mkdtempSync(join(tmpdir(), 'arazzo-sfn-versions-'));
    scratch.push(dir);
    copyFileSync(join(FIXTURES, 'kyc.openapi.yml'), join(dir, 'kyc.openapi.yml'));
    copyFileSync(CALLBACK, join(dir, 'kyc.arazzo.yml'));
    return { arazzo: join(dir, 'kyc.arazzo.yml'), outdir: join(dir, 'cdk.out') };
  }
  const shapeWarnings = (stack: Stack) => Annotations.fromStack(stack).findWarning('/Test/Workflow', Match.stringLikeRegexp('execution-state shape'));

  it('says nothing on a first synth, nor when a second one changes nothing', () => {
    const { arazzo, outdir } = scratchCopy();
    expect(shapeWarnings(synth(arazzo, outdir).stack)).toEqual([]);
    expect(shapeWarnings(synth(arazzo, outdir).stack)).toEqual([]);
  }, 90_000);

  it('warns that running executions may fail when a callback step their executions wait on changes', () => {
    // GIVEN a synth of the callback workflow, then the same workflow with another pending status
    const { arazzo, outdir } = scratchCopy();
    synth(arazzo, outdir);
    writeFileSync(arazzo, readFileSync(arazzo, 'utf8').replace('pending: [PENDING]', 'pending: [PENDING, IN_REVIEW]'));
    // WHEN it is synthesized again into the same outdir
    const warnings = shapeWarnings(synth(arazzo, outdir).stack);
    // THEN synth says the webhook receiver judges the running executions' callbacks with the new step
    expect(warnings).toHaveLength(1);
    expect(String(warnings[0].entry.data)).toMatch(
      /execution-state shape of workflow kyc-callback changed since the last synth, and executions already running may fail on it: callback step startKyc changed/,
    );
  }, 90_000);

  it('lists removed and added states, which running executions do not see', async () => {
    const [before] = (await compileFileOrThrow(CALLBACK)).workflows;
    const a = stateShape(before, ['kyc.initKyc', 'kyc-callback.workflow']);
    const b = { ...a, states: { ...Object.fromEntries(Object.entries(a.states).filter(([name]) => name !== 'startKyc')), checkKyc: 'Task' } };
    const { lines, breaking } = shapeChanges(a, b);
    expect(breaking).toBe(false);
    expect(lines).toEqual(["the definition removes startKyc; adds checkKyc (running executions keep their version's states)"]);
    const dropped = shapeChanges(a, { ...a, functions: ['kyc-callback.workflow'], callbacks: {} });
    expect(dropped.breaking).toBe(true);
    expect(dropped.lines).toEqual([
      'callback step startKyc is gone: the webhook receiver rejects the callbacks its running executions still wait for',
      'function kyc.initKyc removed: deleted with all its versions, which running executions may still call',
    ]);
  });
});
