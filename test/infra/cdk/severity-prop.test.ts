import { App, Stack } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { describe, expect, it } from 'vitest';
import { isWorkflowStep, type StepPlan } from '../../../core/plan.js';
import { ArazzoWorkflow } from '../../../infra/cdk/arazzo-workflow.js';
import { SEED_001 } from './support/synth-seeds.js';

describe('ArazzoWorkflow: severity prop', () => {
  it('GIVEN severity WHEN constructed THEN the compiled plan of every operation step carries it', () => {
    // GIVEN
    const stack = new Stack(new App(), 'Test');
    const app = new secretsmanager.Secret(stack, 'App');
    // WHEN
    const workflow = new ArazzoWorkflow(stack, 'Workflow', {
      arazzoFile: SEED_001,
      workflowId: 'token-then-payment',
      secrets: { clientId: { secret: app, jsonKey: 'clientId' }, clientSecret: { secret: app, jsonKey: 'clientSecret' } },
      severity: { CONTENT_TYPE_CHECK: 'error', SCHEMA_CHECK: 'off' },
    });
    // THEN
    const steps = workflow.compiled.plan.steps.filter((s): s is StepPlan => !isWorkflowStep(s));
    expect(steps.map((s) => s.checks)).toEqual(steps.map(() => ({ CONTENT_TYPE_CHECK: 'error', SCHEMA_CHECK: 'off' })));
    expect(steps).toHaveLength(3);
  }, 120_000);
});
