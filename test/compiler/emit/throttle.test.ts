import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../../core/errors.js';
import { estimateCost } from '../../../compiler/cost/estimate-cost.js';
import { formatCostReport } from '../../../compiler/cost/format-cost.js';
import { resolveThrottle } from '../../../compiler/plan/compile-options.js';
import { compileSeed, SEED_000, SEED_001 } from '../../integration/support/seed-harness.js';

type State = Record<string, unknown> & { Retry?: { ErrorEquals: string[] }[]; Catch?: { ErrorEquals: string[]; Next: string; ResultPath?: string }[] };

/** A 429 with Retry-After to a retry-safe call goes through a Catch into `<state>.throttled`, on by default (issue 14). */
describe('the throttled Wait (compile option throttle, on by default)', () => {
  it('adds no state to the path without a 429: seed 001 has no route Choice, and its Tasks go straight on', async () => {
    const { definition } = await compileSeed(SEED_001);
    expect(Object.entries(definition.States).map(([name, s]) => [name, s.Type, s.Next ?? (s.End ? '(end)' : undefined)])).toEqual([
      ['Validate inputs', 'Task', 'mintToken'],
      ['Validate inputs.failed', 'Fail', undefined],
      ['mintToken', 'Task', 'createPayment'],
      ['mintToken.throttled.cause', 'Pass', 'mintToken.throttled.delay'],
      ['mintToken.throttled.delay', 'Pass', 'mintToken.throttled'],
      ['mintToken.throttled', 'Wait', 'mintToken'],
      ['mintToken.failed', 'Fail', undefined],
      ['createPayment', 'Task', 'getPayment'],
      ['createPayment.throttled.cause', 'Pass', 'createPayment.throttled.delay'],
      ['createPayment.throttled.delay', 'Pass', 'createPayment.throttled'],
      ['createPayment.throttled', 'Wait', 'createPayment'],
      ['createPayment.failed', 'Fail', undefined],
      ['getPayment', 'Task', '(end)'],
      ['getPayment.throttled.cause', 'Pass', 'getPayment.throttled.delay'],
      ['getPayment.throttled.delay', 'Pass', 'getPayment.throttled'],
      ['getPayment.throttled', 'Wait', 'getPayment'],
      ['getPayment.failed', 'Fail', undefined],
    ]);
  });

  it('catches Arazzo.RetryAfter first, beside the step result, and no Retry of the Task repeats it', async () => {
    const { definition } = await compileSeed(SEED_001);
    const task = definition.States.createPayment as State;
    expect(task.Catch).toEqual([
      { ErrorEquals: [ErrorCodes.RetryAfter], ResultPath: '$.steps.createPayment.throttle', Next: 'createPayment.throttled.cause' },
      { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'createPayment.failed' },
    ]);
    for (const retrier of task.Retry!) expect(retrier.ErrorEquals.filter((e) => e === ErrorCodes.RetryAfter || e === 'States.ALL' || e === 'States.TaskFailed')).toEqual([]);
    expect(definition.States['createPayment.throttled.cause']).toMatchObject({ InputPath: '$.steps.createPayment.throttle', Parameters: { 'cause.$': 'States.StringToJson($.Cause)' }, ResultPath: '$.steps.createPayment.throttle' });
    expect(definition.States['createPayment.throttled.delay']).toMatchObject({ InputPath: '$.steps.createPayment.throttle.cause', Parameters: { 'wait.$': 'States.StringToJson($.errorMessage)' }, ResultPath: '$.steps.createPayment.throttle' });
    expect(definition.States['createPayment.throttled']).toMatchObject({ Type: 'Wait', SecondsPath: '$.steps.createPayment.throttle.wait.seconds', Next: 'createPayment' });
  });

  it('leaves a step with actions its own route, and POSTs without an idempotency key alone', async () => {
    const { definition, plan } = await compileSeed(SEED_000, { throttle: { maxWaitSeconds: 30, maxWaits: 2 } });
    const route = definition.States['pollVerification.route'] as { Choices: { Next: string }[] };
    expect(route.Choices.map((c) => c.Next)).not.toContain('pollVerification.throttled');
    expect((definition.States.pollVerification as State).Catch![0].Next).toBe('pollVerification.throttled.cause');
    expect(definition.States['createCustomer.throttled']).toBeUndefined();
    expect((definition.States.createCustomer as State).Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'createCustomer.failed' }]);
    const poll = plan.steps.find((s) => s.stepId === 'pollVerification')!;
    expect('transport' in poll && poll.transport.throttle).toEqual({ maxWaitSeconds: 30, maxWaits: 2 });
  });

  it('throttle: false emits none of it', async () => {
    const { definition, plan } = await compileSeed(SEED_001, { throttle: false });
    expect(Object.keys(definition.States).filter((n) => n.includes('.throttled') || n.endsWith('.route'))).toEqual([]);
    expect(plan.steps.every((s) => !('transport' in s) || s.transport.throttle === undefined)).toBe(true);
  });

  it('keeps seed 001 at 4 transitions, and the cost report prices each wait apart', async () => {
    const on = estimateCost(await compileSeed(SEED_001));
    const off = estimateCost(await compileSeed(SEED_001, { throttle: false }));
    expect(on.path).toMatchObject({ transitions: 4, lambdaInvocations: 4 });
    expect(on.path).toEqual(off.path);
    expect(on.per1000.path).toBe(off.per1000.path);
    expect(on.loops).toEqual([]);
    expect(on.throttles.map((t) => [t.state, t.states, t.transitions, t.lambdaInvocations, t.maxTurns])).toEqual(
      ['mintToken', 'createPayment', 'getPayment'].map((s) => [s, [s, `${s}.throttled.cause`, `${s}.throttled.delay`, `${s}.throttled`], 4, 1, 5]),
    );
    expect(off.throttles).toEqual([]);
    expect(formatCostReport(on)).toMatch(/^cost of token-then-payment: 4 state transitions, 4 Lambda invocations per execution$/m);
    expect(formatCostReport(on)).toMatch(/each wait on a provider's 429 with Retry-After \(mintToken, createPayment, getPayment; at most 5 in a row\): \+ 4 transitions, \+ 1 Lambda invocation/);
    const poll = estimateCost(await compileSeed(SEED_000));
    expect(poll.loops.map((l) => l.states)).toEqual([['pollVerification', 'pollVerification.route', 'pollVerification.wait']]);
  });

  it('refuses bounds that are not whole numbers within limits, naming the field', () => {
    expect(resolveThrottle(undefined)).toEqual({ maxWaitSeconds: 60, maxWaits: 5 });
    expect(resolveThrottle({ maxWaits: 2 })).toEqual({ maxWaitSeconds: 60, maxWaits: 2 });
    expect(resolveThrottle(false)).toBeUndefined();
    expect(() => resolveThrottle({ maxWaitSeconds: 0.5 })).toThrow('throttle.maxWaitSeconds must be a whole number from 1 to 86400, got 0.5');
    expect(() => resolveThrottle({ maxWaits: 0 })).toThrow('throttle.maxWaits must be a whole number from 1 to 100, got 0');
    expect(() => resolveThrottle({ maxWait: 5 } as never)).toThrow('throttle: unknown field "maxWait"');
  });
});
