import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { ArazzoWorkflow } from '../../../infra/cdk/arazzo-workflow.js';
import { acknowledgeArazzoWorkflowFindings } from '../../../infra/cdk/nag-suppressions.js';
import { functionKeysByLogicalId, ROOT } from './support/synth-seeds.js';

const FIXTURE = join(ROOT, 'test/fixtures/parallel/two-lookups-then-login.arazzo.yml');

describe('ArazzoWorkflow: a workflow with a Parallel state (Arazzo 1.1 step dependsOn)', () => {
  let app: App;
  let template: Template;
  beforeAll(() => {
    // GIVEN the fixture's workflow, its credential input from an existing secret
    app = new App();
    const stack = new Stack(app, 'Parallel');
    const pin = secretsmanager.Secret.fromSecretNameV2(stack, 'Pin', 'petstore/pin');
    const workflow = new ArazzoWorkflow(stack, 'Workflow', { arazzoFile: FIXTURE, workflowId: 'lookupsThenLogin', secrets: { pin } });
    acknowledgeArazzoWorkflowFindings(workflow);
    template = Template.fromStack(stack);
  }, 120_000);

  it('deploys the Parallel state, each branch Task invoking its operation function', () => {
    const [machine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
    const definition = JSON.parse(machine.Properties.DefinitionString as string) as { States: Record<string, any> };
    const parallel = definition.States['parallel(seller, buyer)'];
    expect(parallel).toMatchObject({ Type: 'Parallel', ResultPath: '$.steps', Next: 'login' });
    // Every Resource placeholder, the branches' included, is a substitution of one of this workflow's functions.
    const substitutions = machine.Properties.DefinitionSubstitutions as Record<string, { Ref: string }>;
    const resources = [parallel.Branches[0].States.seller.Resource, parallel.Branches[1].States.buyer.Resource];
    const keys = functionKeysByLogicalId(template);
    const versions = template.findResources('AWS::Lambda::Version');
    const functionKeyOf = (resource: string) => {
      const placeholder = /^\$\{(.+)\}$/.exec(resource)![1];
      return keys[versions[substitutions[placeholder].Ref].Properties.FunctionName.Ref].functionKey;
    };
    expect(resources.map(functionKeyOf)).toEqual(['petstore.getUserByName', 'petstore.getUserByName']);
    expect(functionKeyOf(definition.States.login.Resource)).toBe('petstore.loginUser');
  });

  it('passes cdk-nag AwsSolutions, with only the findings every ArazzoWorkflow acknowledges', () => {
    const report = new AwsSolutionsChecks(app).validateScope(app);
    expect(report.violations).toEqual([]);
  });
});
