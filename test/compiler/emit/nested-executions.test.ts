import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileFileOrThrow, type CompiledWorkflow } from '../../../compiler/index.js';

const ROOT = join(import.meta.dirname, '../../..');
const STARTED_BY = 'AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID';

/** The Parameters CDK's StepFunctionsStartExecution renders with associateWithParent, read from aws-cdk-lib itself. */
function cdkStartExecution(): Record<string, unknown> {
  const stack = new Stack(new App(), 'S');
  const child = sfn.StateMachine.fromStateMachineArn(stack, 'C', 'arn:aws:states:us-east-1:000000000000:stateMachine:child');
  const task = new tasks.StepFunctionsStartExecution(stack, 'Start', {
    stateMachine: child,
    integrationPattern: sfn.IntegrationPattern.RUN_JOB,
    input: sfn.TaskInput.fromObject({ 'a.$': '$.a' }),
    associateWithParent: true,
  });
  return task.toStateJson() as Record<string, unknown>;
}

describe('nested executions (issue 16.10)', () => {
  let workflows: readonly CompiledWorkflow[];
  beforeAll(async () => {
    ({ workflows } = await compileFileOrThrow(join(ROOT, 'test/fixtures/nested/onboarding.arazzo.yml')));
  });
  const nestedTasks = () =>
    workflows.flatMap((w) => Object.entries(w.tasks).filter(([, b]) => b.kind === 'startExecution').map(([name]) => ({ w, name, state: w.definition.States[name] as Record<string, any> })));

  it('every nested execution carries the parent execution id under the key CDK associateWithParent sets', () => {
    const cdk = cdkStartExecution() as { Resource: string; Parameters: { Input: Record<string, string> } };
    expect(cdk.Parameters.Input[`${STARTED_BY}.$`]).toBe('$$.Execution.Id');
    const found = nestedTasks();
    // The fixture has all three kinds: a workflow step (`.run`), dependsOn, and goto a workflow.
    expect(found.map((t) => t.name)).toEqual(expect.arrayContaining([expect.stringMatching(/\.run$/), expect.stringMatching(/^dependsOn\./), expect.stringMatching(/\.goto\./)]));
    for (const { w, state } of found) {
      // CDK's partition token aside, the same integration: startExecution.sync:2.
      expect(state.Resource).toBe(cdk.Resource.replace(/^arn:[^:]+:/, 'arn:aws:'));
      const input = state.Parameters['Input.$'] as string;
      if (input === 'States.JsonMerge($.inputs, $.startedBy, false)') {
        // `$.startedBy` comes from Validate inputs, which then gets the execution id.
        expect(w.definition.States['Validate inputs']).toMatchObject({ Parameters: { 'executionId.$': '$$.Execution.Id' } });
      } else {
        // A workflow step's input is prepared by the workflow function, which adds the key (given the execution id).
        expect(input).toMatch(/^\$\.nested/);
        const prepare = Object.values(w.definition.States).find((s) => (s as Record<string, any>).Next && (s as Record<string, any>).Parameters?.phase === 'input') as Record<string, any>;
        expect(prepare.Parameters['executionId.$']).toBe('$$.Execution.Id');
      }
    }
  });

  it('keeps only what is read of the child DescribeExecution: never its input', () => {
    for (const { name, state } of nestedTasks()) {
      expect(state.ResultSelector, name).toBeDefined();
      const picked = Object.values(state.ResultSelector as Record<string, string>);
      expect(picked, name).not.toContain('$.Input');
      expect(picked.every((p) => ['$.Status', '$.ExecutionArn', '$.Output'].includes(p)), name).toBe(true);
    }
  });
});
