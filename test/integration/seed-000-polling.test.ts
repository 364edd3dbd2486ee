import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../core/errors.js';
import { eventIndexes, SEED_000, seed000Input, startSeedHarness, type SeedHarness, type SeedRun } from './support/seed-harness.js';

const POLL = 'getCustomerVerificationById';

/** Ids the sandbox handed out, read back from the path of the run's poll requests. */
function idsFromPolls(run: SeedRun): { customerId: string; verificationId: string } {
  const poll = run.requests.find((r) => r.operationId === POLL);
  const match = /^\/v1\/customers\/(cus_[^/]+)\/verification\/(ver_[^/]+)$/.exec(poll?.path ?? '');
  expect(match, `poll path ${poll?.path}`).not.toBeNull();
  return { customerId: match![1], verificationId: match![2] };
}

/** The raw results the pollVerification handler returned, in order (from the Lambda events of the history). */
function pollResults(run: SeedRun, state = 'pollVerification'): { outcome: string; visits: number; delaySeconds?: number; outputs: Record<string, unknown> }[] {
  const results: any[] = [];
  run.history.forEach((event, i) => {
    if (event.type !== 'LambdaFunctionSucceeded') return;
    // Walk back to the TaskStateEntered this attempt belongs to.
    let j = i;
    while (j >= 0 && !run.history[j].stateEnteredEventDetails) j--;
    if (run.history[j].stateEnteredEventDetails!.name === state) results.push(JSON.parse(event.lambdaFunctionSucceededEventDetails!.output!));
  });
  return results;
}

describe('seed 000 customer-verification-poll on the engine against the sandbox', () => {
  let harness: SeedHarness;

  beforeAll(async () => {
    harness = await startSeedHarness();
    await harness.mintToken('customer', 'customersToken');
  });
  afterAll(() => harness.close());

  it('polls pending ×3 then verified: 4 GETs, a Wait between consecutive polls, outputs exactly customerId/verificationId/finalStatus', async () => {
    const run = await harness.run(SEED_000, seed000Input('jane+pending3+verified@example.com'));

    expect(run.execution.status).toBe('SUCCEEDED');
    expect(run.callsTo(POLL)).toBe(4);
    expect(run.requests.map((r) => [r.operationId, r.status])).toEqual([
      ['createCustomer', 201],
      ['initiateCustomerVerification', 201],
      [POLL, 200],
      [POLL, 200],
      [POLL, 200],
      [POLL, 200],
    ]);

    const { customerId, verificationId } = idsFromPolls(run);
    expect(run.execution.output).toStrictEqual({ customerId, verificationId, finalStatus: 'verified' });
    expect(run.execution.output).not.toHaveProperty('failedStatus');

    // Exactly one Wait between each two consecutive polls, none after the last.
    const polls = eventIndexes(run.history, 'TaskStateEntered', 'pollVerification');
    const waits = eventIndexes(run.history, 'WaitStateEntered', 'pollVerification.wait');
    expect(polls).toHaveLength(4);
    expect(waits).toHaveLength(3);
    for (let k = 0; k < polls.length - 1; k++) {
      expect(waits.filter((w) => w > polls[k] && w < polls[k + 1])).toHaveLength(1);
    }
    expect(waits.every((w) => w < polls[3])).toBe(true);

    // What each poll decided, and the loop pacing handed to the Wait (5 s ×1.5, rounded up).
    const results = pollResults(run);
    expect(results.map((r) => r.outcome)).toEqual(['onSuccess.pending', 'onSuccess.pending', 'onSuccess.pending', 'onSuccess.verified']);
    expect(results.map((r) => r.visits)).toEqual([1, 2, 3, 4]);
    expect(results.map((r) => r.delaySeconds)).toEqual([5, 8, 12, undefined]);
    expect(results[3].outputs).toEqual({ status: 'verified', matchScore: 0.97 });

    expect(run.statesEntered).not.toContain('reportFailure');
    expect(run.statesEntered.at(-1)).toBe('pollVerification.end');
    expect(run.history.at(-1)!.type).toBe('ExecutionSucceeded');
    expect(JSON.parse(run.history.at(-1)!.executionSucceededEventDetails!.output!)).toEqual(run.execution.output);
  });

  it.each(['failed', 'unverified'] as const)('routes a %s verification to reportFailure and outputs failedStatus', async (outcome) => {
    const run = await harness.run(SEED_000, seed000Input(`jane+pending1+${outcome}@example.com`));

    expect(run.execution.status).toBe('SUCCEEDED');
    expect(eventIndexes(run.history, 'TaskStateEntered', 'reportFailure')).toHaveLength(1);
    expect(run.statesEntered).not.toContain('pollVerification.end');
    // Two polls (pending, then the outcome) and reportFailure's own re-read.
    expect(run.callsTo(POLL)).toBe(3);
    expect(pollResults(run).map((r) => r.outcome)).toEqual(['onSuccess.pending', 'onSuccess.notVerified']);

    const { customerId, verificationId } = idsFromPolls(run);
    expect(run.execution.output).toStrictEqual({ customerId, verificationId, finalStatus: outcome, failedStatus: outcome });
  });

  it('stops a verification that never settles at the loop bound set by defaultLoop.maxAttempts (5)', async () => {
    const run = await harness.run(SEED_000, seed000Input('jane+never@example.com'), { compile: { defaultLoop: { maxAttempts: 5 } } });

    expect(run.execution.status).toBe('FAILED');
    expect(run.execution.error).toBe(ErrorCodes.RetryLimitExceeded);
    expect(run.execution.cause).toContain('pollVerification ran 5 times');
    expect(eventIndexes(run.history, 'FailStateEntered', 'pollVerification.limit')).toHaveLength(1);
    expect(run.callsTo(POLL)).toBe(5);
    expect(eventIndexes(run.history, 'TaskStateEntered', 'pollVerification')).toHaveLength(5);
    expect(eventIndexes(run.history, 'WaitStateEntered', 'pollVerification.wait')).toHaveLength(4);
    expect(pollResults(run).every((r) => r.outcome === 'onSuccess.pending')).toBe(true);
    expect(run.statesEntered).not.toContain('reportFailure');
    expect(run.history.at(-1)!.type).toBe('ExecutionFailed');
    expect(run.history.at(-1)!.executionFailedEventDetails).toMatchObject({ error: ErrorCodes.RetryLimitExceeded });
  });

  it('a verification that settles on the last allowed poll still succeeds (the bound applies to pending answers only)', async () => {
    const run = await harness.run(SEED_000, seed000Input('jane+pending4+verified@example.com'), { compile: { defaultLoop: { maxAttempts: 5 } } });

    expect(run.execution.status).toBe('SUCCEEDED');
    expect(run.callsTo(POLL)).toBe(5);
    expect(run.statesEntered).not.toContain('pollVerification.limit');
    expect((run.execution.output as Record<string, unknown>).finalStatus).toBe('verified');
  });

  it('stops a verification that never settles after the default bound of 20 polls', async () => {
    const run = await harness.run(SEED_000, seed000Input('jane+never@example.com'));

    expect(run.execution.status).toBe('FAILED');
    expect(run.execution.error).toBe(ErrorCodes.RetryLimitExceeded);
    expect(run.callsTo(POLL)).toBe(20);
    expect(eventIndexes(run.history, 'WaitStateEntered', 'pollVerification.wait')).toHaveLength(19);
    expect(eventIndexes(run.history, 'FailStateEntered', 'pollVerification.limit')).toHaveLength(1);
    // The pacing grows ×1.5 from 5 s and is capped at 60 s.
    const delays = pollResults(run).map((r) => r.delaySeconds);
    expect(delays.slice(0, 7)).toEqual([5, 8, 12, 17, 26, 38, 57]);
    expect(delays.slice(7).every((d) => d === 60)).toBe(true);
  });
});
