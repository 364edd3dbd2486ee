import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { describe, expect, it } from 'vitest';
import { LAMBDA_SERVICE_RETRY } from '../../../compiler/emit/index.js';

/** The Retry CDK's LambdaInvoke renders by default (retryOnServiceExceptions), read from aws-cdk-lib itself. */
function cdkLambdaInvokeRetry(): Record<string, unknown> {
  const stack = new Stack(new App(), 'S');
  const fn = lambda.Function.fromFunctionArn(stack, 'F', 'arn:aws:lambda:us-east-1:000000000000:function:f');
  const state = new tasks.LambdaInvoke(stack, 'Invoke', { lambdaFunction: fn }).toStateJson() as { Retry: Record<string, unknown>[] };
  expect(state.Retry).toHaveLength(1);
  return state.Retry[0];
}

describe('the Lambda service Retry of every Lambda Task', () => {
  it('retries every error CDK LambdaInvoke retries, with its interval, attempts and backoff (issue 16.2)', () => {
    const cdk = cdkLambdaInvokeRetry();
    expect(LAMBDA_SERVICE_RETRY.ErrorEquals).toEqual(expect.arrayContaining(cdk.ErrorEquals as string[]));
    expect(LAMBDA_SERVICE_RETRY.ErrorEquals).toContain('Lambda.ClientExecutionTimeoutException');
    expect({ IntervalSeconds: LAMBDA_SERVICE_RETRY.IntervalSeconds, MaxAttempts: LAMBDA_SERVICE_RETRY.MaxAttempts, BackoffRate: LAMBDA_SERVICE_RETRY.BackoffRate }).toEqual({
      IntervalSeconds: cdk.IntervalSeconds,
      MaxAttempts: cdk.MaxAttempts,
      BackoffRate: cdk.BackoffRate,
    });
  });

  it('adds only the throttling error of the Lambda service (the invocation did not run)', () => {
    const extra = LAMBDA_SERVICE_RETRY.ErrorEquals.filter((e) => !(cdkLambdaInvokeRetry().ErrorEquals as string[]).includes(e));
    expect(extra).toEqual(['Lambda.TooManyRequestsException']);
  });
});
