import { join } from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { describe, expect, it } from 'vitest';
import { compileFileOrThrow } from '../../../compiler/index.js';
import { ArazzoWorkflow } from '../../../infra/cdk/arazzo-workflow.js';
import { ROOT } from './support/synth-seeds.js';

const KYC_ASYNC = join(ROOT, 'workflows/arazzo/connectfi-kyc-async.arazzo.yml');

/** connectfi-kyc-async deployed as a user would: its credential and its webhook key from secrets, `timeout` as given. */
function deploy(timeout?: Duration): { stack: Stack; template: Template } {
  const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Kyc');
  new ArazzoWorkflow(stack, 'Workflow', {
    arazzoFile: KYC_ASYNC,
    workflowId: 'connectfi-kyc-async',
    secrets: { password: new secretsmanager.Secret(stack, 'Password') },
    webhookKeys: { 'connectfi/webhook-key': new secretsmanager.Secret(stack, 'WebhookKey') },
    ...(timeout ? { timeout } : {}),
  });
  return { stack, template: Template.fromStack(stack) };
}
const timeoutOf = (template: Template) => JSON.parse(Object.values(template.findResources('AWS::StepFunctions::StateMachine'))[0].Properties.DefinitionString as string).TimeoutSeconds as number;
const outlived = (stack: Stack) => [
  ...Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('ASFN2171')),
  ...Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('ends after')),
];

describe('ArazzoWorkflow: the execution bound when no timeout is given (docs/execution-bound.md)', () => {
  it('covers connectfi-kyc-async\'s 2-day receive (re-armed up to 20 times) and its poll: the synth has no ASFN2171, no CallbackOutlivesExecution', async () => {
    // GIVEN connectfi-kyc-async with no timeout
    const { stack, template } = deploy();
    // THEN the state machine's bound is the compiler's, over 40 days and under a year, and no step is warned to outlive it
    const [local] = (await compileFileOrThrow(KYC_ASYNC)).workflows;
    expect(timeoutOf(template)).toBe(local.definition.TimeoutSeconds);
    expect(timeoutOf(template)).toBeGreaterThan(40 * 86_400);
    expect(timeoutOf(template)).toBeLessThan(365 * 86_400);
    expect(outlived(stack)).toEqual([]);
  }, 180_000);

  it('a timeout given wins: one day cuts the 2-day receive, and the synth warns so', () => {
    const { stack, template } = deploy(Duration.days(1));
    expect(timeoutOf(template)).toBe(86_400);
    expect(outlived(stack).map((w) => String(w.entry.data))).toEqual(
      expect.arrayContaining([expect.stringContaining('step "awaitKycStatus": timeout 172800000 ms is not shorter than the execution\'s own bound of 86400 s')]),
    );
  }, 180_000);
});
