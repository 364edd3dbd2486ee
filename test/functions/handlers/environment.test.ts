import { afterEach, describe, expect, it, vi } from 'vitest';
import type { StepPlan } from '../../../core/plan.js';
import { callbacksFromEnvironment } from '../../../functions/handlers/environment.js';

// The operation function's wiring as Lambda builds it from its environment (no AWS call is made:
// the DynamoDB and Step Functions clients are only constructed).
const receivePlan = { workflowId: 'payWithWebhook', stepId: 'awaitStatus', receive: { timeoutSeconds: 3600 } } as unknown as StepPlan;
const env = { ARAZZO_CALLBACK_TABLE: 'Callbacks', AWS_REGION: 'eu-west-1' };

describe('callbacksFromEnvironment', () => {
  afterEach(() => vi.restoreAllMocks());

  it('gives a receive step a forged count: a replay found when it takes a kept message is one ForgedCallbacks EMF line, as the receiver writes', () => {
    const callbacks = callbacksFromEnvironment(env, [receivePlan]);
    expect(callbacks?.onForged).toBeTypeOf('function');
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    callbacks!.onForged!('replayed', { workflowId: 'payWithWebhook' });
    expect(log).toHaveBeenCalledTimes(1);
    const line = JSON.parse(String(log.mock.calls[0]![0])) as Record<string, unknown>;
    expect(line).toMatchObject({
      _aws: { CloudWatchMetrics: [{ Namespace: 'ArazzoSfn', Dimensions: [['WorkflowId']], Metrics: [{ Name: 'ForgedCallbacks', Unit: 'Count' }] }] },
      WorkflowId: 'payWithWebhook',
      ForgedCallbacks: 1,
      reason: 'replayed',
    });
  });

  it('a function with callback steps only has no forged count of its own (the receiver counts those)', () => {
    const callbackPlan = { workflowId: 'kyc', stepId: 'startKyc', callback: { timeoutSeconds: 3600 } } as unknown as StepPlan;
    const callbacks = callbacksFromEnvironment({ ...env, ARAZZO_CALLBACK_BASE_URL: 'https://example.invalid/' }, [callbackPlan]);
    expect(callbacks).toBeDefined();
    expect(callbacks!.onForged).toBeUndefined();
  });
});
