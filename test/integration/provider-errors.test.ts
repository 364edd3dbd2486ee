import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../core/errors.js';
import { compileSeed, eventIndexes, SEED_000, seed000Input, startSeedHarness, type SeedHarness, type SeedRun } from './support/seed-harness.js';

const POLL = 'getCustomerVerificationById';
/** The compile option that routes a 429 with Retry-After through a Wait (off by default). */
const THROTTLE = { throttle: true } as const;

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

  /** The `throttle` each `<state>` Wait was entered with, read from its input in the history (the wait itself is shortened locally). */
  const throttleWaits = (run: SeedRun, state: string) =>
    run.history
      .filter((e) => e.type === 'WaitStateEntered' && e.stateEnteredEventDetails?.name === state)
      .map((e) => (JSON.parse(e.stateEnteredEventDetails!.input!) as { steps: Record<string, { throttle?: unknown }> }).steps.pollVerification.throttle);

  it('a 429 with Retry-After: 5 on the poll goes through pollVerification.throttled, a Wait of 5 s, and the call again (issue 14)', async () => {
    const run = await harness.run(SEED_000, seed000Input('jane+pending0+verified@example.com'), {
      faults: [{ operationId: POLL, status: 429, retryAfterSeconds: 5, times: 1 }],
      compile: THROTTLE,
    });

    expect(run.execution.status).toBe('SUCCEEDED');
    expect(run.requests.filter((r) => r.operationId === POLL).map((r) => r.status)).toEqual([429, 200]);
    // Not the Task's Retry: two visits of the Task, each a successful Lambda call, with the Wait between them.
    expect(attemptsOf(run, 'pollVerification')).toEqual(['ok', 'ok']);
    expect(run.statesEntered.slice(3, 7)).toEqual(['pollVerification', 'pollVerification.route', 'pollVerification.throttled', 'pollVerification']);
    expect(throttleWaits(run, 'pollVerification.throttled')).toEqual([{ seconds: 5, waits: 1 }]);
    const wait = run.history.find((e) => e.type === 'WaitStateEntered')!;
    expect(wait.stateEnteredEventDetails!.name).toBe('pollVerification.throttled');
  });

  it('a Retry-After in the HTTP-date form counts from now, and a delay past the bound waits the bound (60 s)', async () => {
    const inAnHour = new Date(Date.now() + 3_600_000).toUTCString();
    const run = await harness.run(SEED_000, seed000Input('jane+pending0+verified@example.com'), {
      faults: [{ operationId: POLL, status: 429, retryAfter: inAnHour, times: 2 }],
      compile: THROTTLE,
    });

    expect(run.execution.status).toBe('SUCCEEDED');
    expect(throttleWaits(run, 'pollVerification.throttled')).toEqual([
      { seconds: 60, waits: 1 },
      { seconds: 60, waits: 2 },
    ]);
  });

  it('a poll that keeps answering 429 with Retry-After fails with Arazzo.Throttled after 5 waits (6 calls)', async () => {
    const run = await harness.run(SEED_000, seed000Input('jane+pending0+verified@example.com'), {
      faults: [{ operationId: POLL, status: 429, retryAfterSeconds: 2 }],
      compile: THROTTLE,
    });

    expect(run.execution.status).toBe('FAILED');
    expect(run.execution.error).toBe(ErrorCodes.Throttled);
    expect(run.execution.cause).toMatch(/answered 429 with Retry-After 6 times in a row, past the bound of 5 waits/);
    expect(run.callsTo(POLL)).toBe(6);
    expect(throttleWaits(run, 'pollVerification.throttled').map((t) => (t as { waits: number }).waits)).toEqual([1, 2, 3, 4, 5]);
    expect(eventIndexes(run.history, 'FailStateEntered', 'pollVerification.failed')).toHaveLength(1);
  });

  it('by default (throttle off) a 429 with Retry-After on the poll is retried by the Task Retry, like a 5xx', async () => {
    const run = await harness.run(SEED_000, seed000Input('jane+pending0+verified@example.com'), {
      faults: [{ operationId: POLL, status: 429, retryAfterSeconds: 1, times: 1 }],
    });

    expect(run.execution.status).toBe('SUCCEEDED');
    expect(run.requests.filter((r) => r.operationId === POLL).map((r) => r.status)).toEqual([429, 200]);
    expect(attemptsOf(run, 'pollVerification')).toEqual([ErrorCodes.ProviderUnavailable, 'ok']);
  });

  it('a 429 without Retry-After keeps the Task Retry, like a 5xx', async () => {
    const run = await harness.run(SEED_000, seed000Input('jane+pending0+verified@example.com'), {
      faults: [{ operationId: POLL, status: 429, retryAfter: false, times: 1 }],
      compile: THROTTLE,
    });

    expect(run.execution.status).toBe('SUCCEEDED');
    expect(run.requests.filter((r) => r.operationId === POLL).map((r) => r.status)).toEqual([429, 200]);
    expect(attemptsOf(run, 'pollVerification')).toEqual([ErrorCodes.ProviderUnavailable, 'ok']);
    expect(run.statesEntered).not.toContain('pollVerification.throttled');
  });

  it('a 429 with Retry-After to createCustomer (a POST without an idempotency key) is not repeated', async () => {
    const run = await harness.run(SEED_000, seed000Input('jane@example.com'), { faults: [{ operationId: 'createCustomer', status: 429, retryAfterSeconds: 1, times: 1 }], compile: THROTTLE });

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
