import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ArazzoWorkflow } from '../../../infra/cdk/arazzo-workflow.js';
import { oaiExample } from '../../integration/support/oai-harness.js';
import { functionKeysByLogicalId } from './support/synth-seeds.js';

/** One Petstore lookup with an Arazzo 1.1 step timeout of 1.5 s. */
const DOCUMENT = `arazzo: 1.1.0
info: { title: step timeout, version: '1' }
sourceDescriptions:
- { name: pets, url: ./petstore.openapi.yaml, type: openapi }
workflows:
- workflowId: find
  inputs:
    type: object
    properties:
      status: { type: string }
  steps:
  - stepId: find
    operationId: findPetsByStatus
    timeout: 1500
    parameters:
    - { name: status, in: query, value: $inputs.status }
    successCriteria: [{ condition: $statusCode == 200 }]
`;

describe('ArazzoWorkflow: an operation step with a timeout (Arazzo 1.1), as EXPRESS', () => {
  let stack: Stack;
  let template: Template;
  beforeAll(() => {
    // GIVEN the document beside its OpenAPI description, deployed as an EXPRESS state machine (5 minutes)
    const dir = mkdtempSync(join(tmpdir(), 'step-timeout-cdk-'));
    writeFileSync(join(dir, 'doc.arazzo.yml'), DOCUMENT);
    copyFileSync(oaiExample('swagger-petstore.openapi.yaml'), join(dir, 'petstore.openapi.yaml'));
    stack = new Stack(new App(), 'Timeout');
    new ArazzoWorkflow(stack, 'Workflow', { arazzoFile: join(dir, 'doc.arazzo.yml'), workflowId: 'find', stateMachineType: sfn.StateMachineType.EXPRESS, timeout: Duration.minutes(5) });
    template = Template.fromStack(stack);
  }, 180_000);

  it('deploys the Pass that stamps the step start before the Task, which carries it to the operation function', () => {
    const [machine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
    const definition = JSON.parse(machine.Properties.DefinitionString as string) as { States: Record<string, any> };
    expect(definition.States.find).toMatchObject({ Type: 'Pass', Parameters: { 'at.$': '$$.State.EnteredTime' }, ResultPath: '$.stepStarted', Next: 'find.call' });
    const task = definition.States['find.call'];
    expect(task).toMatchObject({ Type: 'Task', TimeoutSeconds: 3, Parameters: { step: 'find', 'startedAt.$': '$.stepStarted.at' } });
    // Its Resource is the placeholder of the operation's own function.
    const substitutions = machine.Properties.DefinitionSubstitutions as Record<string, { Ref: string }>;
    const versions = template.findResources('AWS::Lambda::Version');
    const placeholder = /^\$\{(.+)\}$/.exec(task.Resource as string)![1];
    expect(functionKeysByLogicalId(template)[versions[substitutions[placeholder].Ref].Properties.FunctionName.Ref].functionKey).toBe('pets.findPetsByStatus');
  });

  it("warns that the throttle's Retry-After waits (5 × 60 s by default) can outlast the EXPRESS execution, with the numbers; the synth goes on", () => {
    const warnings = Annotations.fromStack(stack).findWarning(
      '/Timeout/Workflow',
      Match.stringLikeRegexp('step "find": a provider.s Retry-After can hold it for up to 5 × 60 s = 300 s \\(throttle option\\), not less than the execution.s own bound of 300 s \\(an EXPRESS execution lasts at most 5 minutes\\)'),
    );
    expect(warnings).toHaveLength(1);
  });
});
