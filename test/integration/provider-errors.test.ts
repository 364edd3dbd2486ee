import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../core/errors.js';
import { compileSeed, eventIndexes, SEED_000, seed000Input, startSeedHarness, type SeedHarness, type SeedRun } from './support/seed-harness.js';

const POLL = 'getCustomerVerificationById';

/** Lambda attempt outcomes of one Task state, in order: 'ok' or the error code. */
function attemptsOf(run: SeedRun, state: string): string[] {
  const out: string[] = [];
  let current: string | undefined;
  for (const e of run.history) {
    if (e.stateEnteredEventDetails) current = e.stateEnteredEventDetails.name;
    if (current !== state) continue;
    if (e.type === 'LambdaFunctionSucceeded') out.push('ok');
    if (e.type === 'LambdaFunctionFailed') out.push(e.lambdaFunctionFailedEventDetails!.error!);
  }
  return out;
}

describe('provider errors: retried when safe, failing the step otherwise', () => {
  let harness: SeedHarness;

  beforeAll(async () => {
    harness = await startSeedHarness();
    await harness.mintToken('customer', 'customersToken');
  });
  afterAll(() => harness.close());

  it('the GET poll Task carries a Retry on Arazzo.ProviderUnavailable and Arazzo.UnexpectedContentType with backoff; the POSTs do not', async () => {
    const { definition } = await compileSeed(SEED_000);
    const retryOf = (state: string) => (definition.States[state].Retry as { ErrorEquals: string[] }[]).find((r) => r.ErrorEquals.includes(ErrorCodes.ProviderUnavailable));
    expect(retryOf('pollVerification')).toEqual({
      // One retrier, so both kinds of provider fault share its bound.
      ErrorEquals: [ErrorCodes.ProviderUnavailable, ErrorCodes.UnexpectedContentType],
      IntervalSeconds: 1,
      MaxAttempts: 3,
      BackoffRate: 2,
      MaxDelaySeconds: 10,
      JitterStrategy: 'FULL',
    });
    expect(retryOf('reportFailure')).toBeDefined();
    expect(retryOf('createCustomer')).toBeUndefined();
    expect(retryOf('startVerification')).toBeUndefined();
  });

  it('a 503 twice on the poll is retried and the execution then succeeds', async () => {
    const run = await harness.run(SEED_000, seed000Input('jane+pending0+verified@example.com'), {
      faults: [{ operationId: POLL, status: 503, times: 2 }],
    });

    expect(run.execution.status).toBe('SUCCEEDED');
    expect((run.execution.output as Record<string, unknown>).finalStatus).toBe('verified');
    expect(run.requests.filter((r) => r.operationId === POLL).map((r) => r.status)).toEqual([503, 503, 200]);
    expect(attemptsOf(run, 'pollVerification')).toEqual([ErrorCodes.ProviderUnavailable, ErrorCodes.ProviderUnavailable, 'ok']);
    // The retries happen inside one visit of the Task state (no Choice/Wait in between).
    expect(eventIndexes(run.history, 'TaskStateEntered', 'pollVerification')).toHaveLength(1);
    const failures = run.history.filter((e) => e.type === 'LambdaFunctionFailed');
    expect(failures.map((e) => e.lambdaFunctionFailedEventDetails!.cause)).toEqual([
      expect.stringMatching(/^step pollVerification: GET \/v1\/customers\/\{customer_id\}\/verification\/\{verification_id\} answered 503$/),
      expect.stringMatching(/answered 503$/),
    ]);
    expect(run.statesEntered).not.toContain('pollVerification.failed');
  });

  it('a poll that keeps answering 503 fails the execution after the Retry budget (1 + 3 attempts)', async () => {
    const run = await harness.run(SEED_000, seed000Input('jane+pending0+verified@example.com'), {
      faults: [{ operationId: POLL, status: 503 }],
    });

    expect(run.execution.status).toBe('FAILED');
    expect(run.execution.error).toBe(ErrorCodes.ProviderUnavailable);
    expect(run.callsTo(POLL)).toBe(4);
    expect(attemptsOf(run, 'pollVerification')).toEqual(Array(4).fill(ErrorCodes.ProviderUnavailable));
    expect(eventIndexes(run.history, 'FailStateEntered', 'pollVerification.failed')).toHaveLength(1);
  });

  it('a connection reset on the poll is a provider fault too: retried, then the execution succeeds', async () => {
    const run = await harness.run(SEED_000, seed000Input('jane+pending0+verified@example.com'), {
      faults: [{ operationId: POLL, resetConnection: true, times: 1 }],
    });

    expect(run.execution.status).toBe('SUCCEEDED');
    expect(run.requests.filter((r) => r.operationId === POLL).map((r) => r.status)).toEqual([0, 200]);
    expect(attemptsOf(run, 'pollVerification')).toEqual([ErrorCodes.ProviderUnavailable, 'ok']);
  });

  /** The delay and count each `<state>` Wait was entered with, read from its input in the history (the handler's signal, parsed by the two Pass states). */
  const throttleWaits = (run: SeedRun, state: string) =>
    run.history
      .filter((e) => e.type === 'WaitStateEntered' && e.stateEnteredEventDetails?.name === state)
      .map((e) => {
        const { seconds, waits } = (JSON.parse(e.stateEnteredEventDetails!.input!) as { steps: Record<string, { throttle: { wait: { seconds: number; waits: number } } }> }).steps.pollVerification.throttle.wait;
        return { seconds, waits };
      });

  it('a 429 with Retry-After: 5 on the poll waits 5 s on the engine clock in pollVerification.throttled, then calls again (issue 14)', async () => {
    // Real waits: the engine's own Wait, not the 1 ms the other runs use.
    const run = await harness.run(SEED_000, seed000Input('jane+pending0+verified@example.com'), {
      faults: [{ operationId: POLL, status: 429, retryAfterSeconds: 5, times: 1 }],
      realWaits: true,
    });

    expect(run.execution.status).toBe('SUCCEEDED');
    expect(run.requests.filter((r) => r.operationId === POLL).map((r) => r.status)).toEqual([429, 200]);
    // Not the Task's Retry: the signal is caught, and the call runs again after the Wait.
    expect(attemptsOf(run, 'pollVerification')).toEqual([ErrorCodes.RetryAfter, 'ok']);
    expect(run.statesEntered.slice(3, 8)).toEqual(['pollVerification', 'pollVerification.throttled.cause', 'pollVerification.throttled.delay', 'pollVerification.throttled', 'pollVerification']);
    expect(throttleWaits(run, 'pollVerification.throttled')).toEqual([{ seconds: 5, waits: 1 }]);
    const entered = run.history.find((e) => e.type === 'WaitStateEntered')!;
    const exited = run.history.find((e) => e.type === 'WaitStateExited')!;
    expect(entered.stateEnteredEventDetails!.name).toBe('pollVerification.throttled');
    expect(exited.timestamp!.getTime() - entered.timestamp!.getTime()).toBeGreaterThanOrEqual(5_000);
    // The Lambda error's Cause has the form AWS gives it, which the first Pass parses.
    const failed = run.history.find((e) => e.type === 'LambdaFunctionFailed')!.lambdaFunctionFailedEventDetails!;
    expect(failed.error).toBe(ErrorCodes.RetryAfter);
    expect(JSON.parse(failed.cause!)).toEqual({ errorType: ErrorCodes.RetryAfter, errorMessage: expect.any(String), trace: [] });
    // The answer after the wait replaces the whole step result, so a later 429 counts from 1 again.
    const exits = run.history.filter((e) => e.type === 'TaskStateExited' && e.stateExitedEventDetails?.name === 'pollVerification');
    expect((JSON.parse(exits.at(-1)!.stateExitedEventDetails!.output!) as { steps: Record<string, object> }).steps.pollVerification).not.toHaveProperty('throttle');
    expect(JSON.parse(JSON.parse(failed.cause!).errorMessage)).toEqual({ seconds: 5, waits: 1, reason: expect.stringMatching(/^step pollVerification: GET \S+ answered 429 with Retry-After 5$/) });
  });

  it('a Retry-After in the HTTP-date form counts from now; a delay past the bound (60 s) fails with Arazzo.Throttled instead of waiting', async () => {
    const inTwentySeconds = new Date(Date.now() + 20_000).toUTCString();
    const soon = await harness.run(SEED_000, seed000Input('jane+pending0+verified@example.com'), {
      faults: [{ operationId: POLL, status: 429, retryAfter: inTwentySeconds, times: 1 }],
    });
    expect(soon.execution.status).toBe('SUCCEEDED');
    const [wait] = throttleWaits(soon, 'pollVerification.throttled');
    expect(wait.waits).toBe(1);
    expect(wait.seconds).toBeGreaterThanOrEqual(15);
    expect(wait.seconds).toBeLessThanOrEqual(20);

    const inAnHour = new Date(Date.now() + 3_600_000).toUTCString();
    const late = await harness.run(SEED_000, seed000Input('jane+pending0+verified@example.com'), {
      faults: [{ operationId: POLL, status: 429, retryAfter: inAnHour, times: 1 }],
    });
    expect(late.execution.status).toBe('FAILED');
    expect(late.execution.error).toBe(ErrorCodes.Throttled);
    expect(late.execution.cause).toMatch(/^step pollVerification: GET \S+ answered 429 with Retry-After 3\d{3} s, past the bound of 60 s$/);
    expect(late.callsTo(POLL)).toBe(1);
    expect(late.statesEntered).not.toContain('pollVerification.throttled');
  });

  it('the bound is the compile option: throttle.maxWaitSeconds 3 refuses a Retry-After of 5', async () => {
    const run = await harness.run(SEED_000, seed000Input('jane+pending0+verified@example.com'), {
      faults: [{ operationId: POLL, status: 429, retryAfterSeconds: 5, times: 1 }],
      compile: { throttle: { maxWaitSeconds: 3 } },
    });
    expect(run.execution.status).toBe('FAILED');
    expect(run.execution.error).toBe(ErrorCodes.Throttled);
    expect(run.execution.cause).toMatch(/past the bound of 3 s$/);
  });

  it('a poll that keeps answering 429 with Retry-After fails with Arazzo.Throttled after 5 waits (6 calls)', async () => {
    const run = await harness.run(SEED_000, seed000Input('jane+pending0+verified@example.com'), {
      faults: [{ operationId: POLL, status: 429, retryAfterSeconds: 2 }],
    });

    expect(run.execution.status).toBe('FAILED');
    expect(run.execution.error).toBe(ErrorCodes.Throttled);
    expect(run.execution.cause).toMatch(/answered 429 with Retry-After 6 times in a row, past the bound of 5 waits/);
    expect(run.callsTo(POLL)).toBe(6);
    expect(throttleWaits(run, 'pollVerification.throttled').map((t) => t.waits)).toEqual([1, 2, 3, 4, 5]);
    expect(eventIndexes(run.history, 'FailStateEntered', 'pollVerification.failed')).toHaveLength(1);
  });

  it('with throttle: false a 429 with Retry-After on the poll is retried by the Task Retry, like a 5xx', async () => {
    const run = await harness.run(SEED_000, seed000Input('jane+pending0+verified@example.com'), {
      faults: [{ operationId: POLL, status: 429, retryAfterSeconds: 1, times: 1 }],
      compile: { throttle: false },
    });

    expect(run.execution.status).toBe('SUCCEEDED');
    expect(run.requests.filter((r) => r.operationId === POLL).map((r) => r.status)).toEqual([429, 200]);
    expect(attemptsOf(run, 'pollVerification')).toEqual([ErrorCodes.ProviderUnavailable, 'ok']);
  });

  it('a 429 without Retry-After keeps the Task Retry, like a 5xx', async () => {
    const run = await harness.run(SEED_000, seed000Input('jane+pending0+verified@example.com'), {
      faults: [{ operationId: POLL, status: 429, retryAfter: false, times: 1 }],
    });

    expect(run.execution.status).toBe('SUCCEEDED');
    expect(run.requests.filter((r) => r.operationId === POLL).map((r) => r.status)).toEqual([429, 200]);
    expect(attemptsOf(run, 'pollVerification')).toEqual([ErrorCodes.ProviderUnavailable, 'ok']);
    expect(run.statesEntered).not.toContain('pollVerification.throttled');
  });

  it('a 429 with Retry-After to createCustomer (a POST without an idempotency key) is not repeated', async () => {
    const run = await harness.run(SEED_000, seed000Input('jane@example.com'), { faults: [{ operationId: 'createCustomer', status: 429, retryAfterSeconds: 1, times: 1 }] });

    expect(run.execution.status).toBe('FAILED');
    expect(run.execution.error).toBe(ErrorCodes.StepFailed);
    expect(run.requests.map((r) => [r.operationId, r.status])).toEqual([['createCustomer', 429]]);
    expect(run.statesEntered).toEqual(['Validate inputs', 'createCustomer', 'createCustomer.failed']);
  });

  it('a 503 on createCustomer (a POST without an idempotency key) is not retried', async () => {
    const run = await harness.run(SEED_000, seed000Input('jane@example.com'), { faults: [{ operationId: 'createCustomer', status: 503, times: 1 }] });

    expect(run.execution.status).toBe('FAILED');
    expect(run.execution.error).toBe(ErrorCodes.StepFailed);
    expect(run.requests.map((r) => [r.operationId, r.status])).toEqual([['createCustomer', 503]]);
    expect(attemptsOf(run, 'createCustomer')).toEqual([ErrorCodes.StepFailed]);
  });

  it('a 400 on createCustomer fails the execution with Arazzo.StepFailed naming the step and status, and nothing is called after it', async () => {
    const run = await harness.run(SEED_000, seed000Input('jane@example.com'), { faults: [{ operationId: 'createCustomer', status: 400 }] });

    expect(run.execution.status).toBe('FAILED');
    expect(run.execution.error).toBe(ErrorCodes.StepFailed);
    expect(run.execution.cause).toMatch(/\bcreateCustomer\b/);
    expect(run.execution.cause).toMatch(/\b400\b/);
    expect(eventIndexes(run.history, 'FailStateEntered', 'createCustomer.failed')).toHaveLength(1);
    expect(run.requests.map((r) => [r.operationId, r.status])).toEqual([['createCustomer', 400]]);
    expect(run.statesEntered).toEqual(['Validate inputs', 'createCustomer', 'createCustomer.failed']);
    expect(run.history.at(-1)!.executionFailedEventDetails).toEqual({ error: ErrorCodes.StepFailed, cause: run.execution.cause });
  });

  it('a 400 the provider itself returns (an e-mail its schema rejects) fails createCustomer the same way', async () => {
    const run = await harness.run(SEED_000, seed000Input('not-an-email'));

    expect(run.execution.status).toBe('FAILED');
    expect(run.execution.error).toBe(ErrorCodes.StepFailed);
    expect(run.execution.cause).toContain('step createCustomer: POST /v1/customers answered 400');
    expect(run.requests).toEqual([expect.objectContaining({ operationId: 'createCustomer', status: 400 })]);
    expect(run.requests[0].fault).toBeUndefined();
    expect(eventIndexes(run.history, 'FailStateEntered', 'createCustomer.failed')).toHaveLength(1);
  });
});
