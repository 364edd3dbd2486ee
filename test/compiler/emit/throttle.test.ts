import { describe, expect, it } from 'vitest';
import { estimateCost } from '../../../compiler/cost/estimate-cost.js';
import { formatCostReport } from '../../../compiler/cost/format-cost.js';
import { compileSeed, SEED_000, SEED_001 } from '../../integration/support/seed-harness.js';

/** Compile option `throttle`: a 429 with Retry-After to a retry-safe call goes through `<step>.throttled` (issue 14). */
describe('the throttled Wait (compile option throttle)', () => {
  it('is off by default: no throttled Wait, no route a step did not have', async () => {
    const { definition, plan } = await compileSeed(SEED_001);
    expect(Object.keys(definition.States).filter((n) => n.endsWith('.throttled') || n.endsWith('.route'))).toEqual([]);
    expect(plan.steps.every((s) => !('transport' in s) || s.transport.throttle === undefined)).toBe(true);
  });

  it('routes each retry-safe call of seed 001 (GET, or POST with an idempotency key) past its throttled Wait', async () => {
    const { definition } = await compileSeed(SEED_001, { throttle: true });
    expect(Object.entries(definition.States).map(([name, s]) => [name, s.Type, s.Next ?? (s.End ? '(end)' : undefined)])).toEqual([
      ['Validate inputs', 'Task', 'mintToken'],
      ['Validate inputs.failed', 'Fail', undefined],
      ['mintToken', 'Task', 'mintToken.route'],
      ['mintToken.failed', 'Fail', undefined],
      ['mintToken.throttled', 'Wait', 'mintToken'],
      ['mintToken.route', 'Choice', undefined],
      ['createPayment', 'Task', 'createPayment.route'],
      ['createPayment.failed', 'Fail', undefined],
      ['createPayment.throttled', 'Wait', 'createPayment'],
      ['createPayment.route', 'Choice', undefined],
      ['getPayment', 'Task', 'getPayment.route'],
      ['getPayment.failed', 'Fail', undefined],
      ['getPayment.throttled', 'Wait', 'getPayment'],
      ['getPayment.end', 'Succeed', undefined],
      ['getPayment.route', 'Choice', undefined],
    ]);
    expect(definition.States['createPayment.route']).toEqual({
      Type: 'Choice',
      Choices: [{ Variable: '$.steps.createPayment.throttle', IsPresent: true, Next: 'createPayment.throttled' }],
      Default: 'getPayment',
    });
    expect(definition.States['getPayment.end']).toEqual({ Type: 'Succeed', OutputPath: '$.steps.getPayment.workflowOutputs' });
  });

  it('puts the throttle rule first in a step that has actions, and leaves POSTs without an idempotency key alone', async () => {
    const { definition, plan } = await compileSeed(SEED_000, { throttle: { maxWaitSeconds: 30, maxWaits: 2 } });
    const route = definition.States['pollVerification.route'] as { Choices: Record<string, unknown>[] };
    expect(route.Choices[0]).toEqual({ Variable: '$.steps.pollVerification.throttle', IsPresent: true, Next: 'pollVerification.throttled' });
    expect(definition.States['pollVerification.throttled']).toEqual({
      Type: 'Wait',
      Comment: expect.stringContaining('Retry-After'),
      SecondsPath: '$.steps.pollVerification.throttle.seconds',
      Next: 'pollVerification',
    });
    expect(definition.States['createCustomer.throttled']).toBeUndefined();
    const poll = plan.steps.find((s) => s.stepId === 'pollVerification')!;
    expect('transport' in poll && poll.transport.throttle).toEqual({ maxWaitSeconds: 30, maxWaits: 2 });
  });

  it('costs one Choice per retry-safe step without actions, and the cost report prices each wait apart', async () => {
    const off = estimateCost(await compileSeed(SEED_001));
    const on = estimateCost(await compileSeed(SEED_001, { throttle: true }));
    expect(off.path.transitions).toBe(4);
    // Three routes, and the last step ends at a Succeed after its route instead of on the Task.
    expect(on.path).toMatchObject({ transitions: 8, lambdaInvocations: 4 });
    expect(on.loops).toEqual([]);
    expect(on.throttles.map((t) => [t.state, t.transitions, t.lambdaInvocations, t.maxTurns])).toEqual([
      ['mintToken', 3, 1, 5],
      ['createPayment', 3, 1, 5],
      ['getPayment', 3, 1, 5],
    ]);
    expect(formatCostReport(on)).toMatch(/each wait on a provider's 429 with Retry-After \(mintToken, createPayment, getPayment; at most 5 in a row\): \+ 3 transitions, \+ 1 Lambda invocation/);
    const poll = estimateCost(await compileSeed(SEED_000, { throttle: true }));
    expect(poll.loops.map((l) => l.states)).toEqual([['pollVerification', 'pollVerification.route', 'pollVerification.wait']]);
  });
});
