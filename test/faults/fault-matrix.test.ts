import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../core/errors.js';
import type { CompileOptions } from '../../compiler/plan/compile-options.js';
import type { FaultRule } from '../../sandbox/index.js';
import { scanForSecrets, SEED_000, SEED_001, seed000Input, seed001Input, startSeedHarness, type SeedHarness, type SeedRun } from '../integration/support/seed-harness.js';

/**
 * undici's headers and body timers tick about twice a second, so a 400 ms requestTimeoutMs fires
 * anywhere up to ~1.5 s; the handler's overall deadline (connect + request, a native timer) is
 * exact. With connect 100 ms + request 400 ms every attempt gives up at 500 ms, and a server that
 * holds its answer 1.5 s is well past that however loaded the machine.
 */
const SHORT_TIMEOUTS: CompileOptions = { connectTimeoutMs: 100, requestTimeoutMs: 400 };
const HELD_MS = 1_500;
/** The content-type check as it was before it had a severity: a mislabelled answer is a contract fault. */
const CONTENT_TYPE_ERROR: CompileOptions = { checks: { CONTENT_TYPE_CHECK: 'error' } };

const STEP_OF: Record<string, string> = { createAccessToken: 'mintToken', createPisV2Connect: 'createPayment', getPaymentSession: 'getPayment' };

interface Row {
  readonly kind: string;
  readonly operationId: keyof typeof STEP_OF;
  /** `once`: the fault answers one request; `always`: every request. */
  readonly persistence: 'once' | 'always';
  readonly rule: Omit<FaultRule, 'operationId' | 'times'>;
  readonly compile?: CompileOptions;
  readonly expected: {
    readonly status: 'SUCCEEDED' | 'FAILED';
    readonly error?: string;
    /** Requests the runtime sent for the faulted step: 1 + the Task Retry's attempts. */
    readonly attempts: number;
    /** Payments the sandbox holds for the run's x-request-id once every request, late ones included, was processed. */
    readonly payments: 0 | 1;
    /** The workflow outputs present when it succeeded. */
    readonly outputs?: readonly string[];
  };
}

const ALL_OUTPUTS = ['accessToken', 'connectUrl', 'sessionId', 'status'];
const STATUS_FAULTS: readonly [string, Row['rule']][] = [
  ['500', { status: 500 }],
  ['502', { status: 502 }],
  ['503', { status: 503 }],
  ['429 with Retry-After', { status: 429, retryAfterSeconds: 2 }],
  ['connection reset', { resetConnection: true }],
];

/**
 * Seed 001's three calls are all retry-safe (a token request, a POST with x-request-id, a GET):
 * a transport fault or a 5xx is retried by the Task (3 more attempts), then fails the execution
 * with Arazzo.ProviderUnavailable; a 429 with Retry-After waits its delay (up to 5 times in a row),
 * then fails with Arazzo.Throttled. `when: 'after'` makes the sandbox create the payment and lose
 * the answer, which is what the retry with the same x-request-id has to survive.
 */
/** A fault that never stops: the Task Retry's 4 attempts, or for a 429 with Retry-After the throttled Wait's 1 + 5 calls, then a named error. */
const exhausted = (rule: Row['rule']) =>
  rule.status === 429 ? { error: ErrorCodes.Throttled, attempts: 6 } : { error: ErrorCodes.ProviderUnavailable, attempts: 4 };

const ROWS: readonly Row[] = [
  ...STATUS_FAULTS.flatMap(([kind, rule]): Row[] => [
    { kind, operationId: 'createPisV2Connect', persistence: 'once', rule, expected: { status: 'SUCCEEDED', attempts: 2, payments: 1, outputs: ALL_OUTPUTS } },
    { kind: `${kind} after creating`, operationId: 'createPisV2Connect', persistence: 'once', rule: { ...rule, when: 'after' }, expected: { status: 'SUCCEEDED', attempts: 2, payments: 1, outputs: ALL_OUTPUTS } },
    { kind: `${kind} after creating`, operationId: 'createPisV2Connect', persistence: 'always', rule: { ...rule, when: 'after' }, expected: { status: 'FAILED', ...exhausted(rule), payments: 1 } },
    { kind, operationId: 'createAccessToken', persistence: 'always', rule, expected: { status: 'FAILED', ...exhausted(rule), payments: 0 } },
    { kind, operationId: 'getPaymentSession', persistence: 'once', rule, expected: { status: 'SUCCEEDED', attempts: 2, payments: 1, outputs: ALL_OUTPUTS } },
  ]),
  // Held past the deadline: the client gives up, the sandbox still processes the request later.
  { kind: 'timeout', operationId: 'createPisV2Connect', persistence: 'once', rule: { delayMs: HELD_MS }, compile: SHORT_TIMEOUTS, expected: { status: 'SUCCEEDED', attempts: 2, payments: 1, outputs: ALL_OUTPUTS } },
  { kind: 'timeout', operationId: 'getPaymentSession', persistence: 'always', rule: { delayMs: HELD_MS }, compile: SHORT_TIMEOUTS, expected: { status: 'FAILED', error: ErrorCodes.ProviderUnavailable, attempts: 4, payments: 1 } },
  // Headers on time, body held: the payment exists before the answer stalls.
  { kind: 'stalled body', operationId: 'createPisV2Connect', persistence: 'once', rule: { bodyDelayMs: HELD_MS }, compile: SHORT_TIMEOUTS, expected: { status: 'SUCCEEDED', attempts: 2, payments: 1, outputs: ALL_OUTPUTS } },
  { kind: 'stalled body', operationId: 'createAccessToken', persistence: 'always', rule: { bodyDelayMs: HELD_MS }, compile: SHORT_TIMEOUTS, expected: { status: 'FAILED', error: ErrorCodes.ProviderUnavailable, attempts: 4, payments: 0 } },
  // Slow but inside the deadline: answered normally, nothing retried.
  { kind: 'slow response', operationId: 'createPisV2Connect', persistence: 'always', rule: { delayMs: 150 }, expected: { status: 'SUCCEEDED', attempts: 1, payments: 1, outputs: ALL_OUTPUTS } },
  { kind: 'slow body', operationId: 'getPaymentSession', persistence: 'always', rule: { bodyDelayMs: 150 }, expected: { status: 'SUCCEEDED', attempts: 1, payments: 1, outputs: ALL_OUTPUTS } },
  // A body that cannot be read is the provider's answer, not a transport fault: not retried.
  { kind: 'malformed JSON', operationId: 'createAccessToken', persistence: 'once', rule: { malformedJson: true }, expected: { status: 'FAILED', error: ErrorCodes.InvalidResponse, attempts: 1, payments: 0 } },
  { kind: 'malformed JSON after creating', operationId: 'createPisV2Connect', persistence: 'once', rule: { malformedJson: true, when: 'after' }, expected: { status: 'FAILED', error: ErrorCodes.InvalidResponse, attempts: 1, payments: 1 } },
  { kind: 'malformed JSON', operationId: 'getPaymentSession', persistence: 'once', rule: { malformedJson: true }, expected: { status: 'FAILED', error: ErrorCodes.InvalidResponse, attempts: 1, payments: 1 } },
  // JSON labelled text/html, which the operations do not declare for 200 (application/json).
  // With CONTENT_TYPE_CHECK at error, a contract fault, not a body to read as text: retried like
  // a 5xx (all three calls are retry-safe), then Arazzo.UnexpectedContentType; the request itself
  // was processed each time, so the payment is still created once per x-request-id.
  ...(['createAccessToken', 'createPisV2Connect', 'getPaymentSession'] as const).flatMap((operationId): Row[] => [
    { kind: 'wrong content type (check at error)', operationId, persistence: 'once', rule: { contentType: 'text/html; charset=utf-8' }, compile: CONTENT_TYPE_ERROR, expected: { status: 'SUCCEEDED', attempts: 2, payments: 1, outputs: ALL_OUTPUTS } },
    {
      kind: 'wrong content type (check at error)',
      operationId,
      persistence: 'always',
      rule: { contentType: 'text/html; charset=utf-8' },
      compile: CONTENT_TYPE_ERROR,
      expected: { status: 'FAILED', error: ErrorCodes.UnexpectedContentType, attempts: 4, payments: operationId === 'createAccessToken' ? 0 : 1 },
    },
    // At the default (warn) the body parses as the JSON the operation declares: read as such, nothing retried.
    { kind: 'wrong content type (check at warn)', operationId, persistence: 'always', rule: { contentType: 'text/html; charset=utf-8' }, expected: { status: 'SUCCEEDED', attempts: 1, payments: 1, outputs: ALL_OUTPUTS } },
  ]),
  // A gateway's HTML error page with a 502: still a 5xx, still retried.
  { kind: '502 as an HTML page', operationId: 'getPaymentSession', persistence: 'once', rule: { status: 502, contentType: 'text/html' }, expected: { status: 'SUCCEEDED', attempts: 2, payments: 1, outputs: ALL_OUTPUTS } },
];

function expectEnded(run: SeedRun): void {
  expect(['SUCCEEDED', 'FAILED']).toContain(run.execution.status);
  expect(run.history.at(-1)?.type).toBe(run.execution.status === 'SUCCEEDED' ? 'ExecutionSucceeded' : 'ExecutionFailed');
}

/** Requests of the run the runtime sent, per step (one log line per attempt, answered or not). */
function attemptsOf(run: SeedRun, stepId: string): number {
  return run.logLines.map((line) => JSON.parse(line) as { stepId: string }).filter((e) => e.stepId === stepId).length;
}

describe('fault matrix: every injected fault ends in success after bounded retries or a named error', () => {
  let harness: SeedHarness;
  let customersToken: string;

  beforeAll(async () => {
    harness = await startSeedHarness();
    customersToken = await harness.mintToken('customer', 'customersToken');
  });
  afterAll(() => harness.close());

  /** A request the client gave up on is still processed (and logged) when the sandbox lets go of it. */
  async function settle(requestsBefore: number, sent: number): Promise<void> {
    const deadline = Date.now() + HELD_MS * 3;
    while (harness.sandbox.stats.requests - requestsBefore < sent && Date.now() < deadline) await sleep(20);
    expect(harness.sandbox.stats.requests - requestsBefore).toBe(sent);
  }

  it.each(ROWS.map((row) => [`${row.kind} on ${row.operationId} (${row.persistence})`, row] as const))('%s', async (_, row) => {
    const requestId = randomUUID();
    const before = harness.sandbox.stats.requests;
    const fault: FaultRule = { operationId: row.operationId, ...row.rule, ...(row.persistence === 'once' ? { times: 1 } : {}) };
    const run = await harness.run(SEED_001, seed001Input(requestId), { faults: [fault], ...(row.compile ? { compile: row.compile } : {}) });
    await settle(before, run.logLines.length);

    expectEnded(run);
    expect({ status: run.execution.status, error: run.execution.error }).toEqual({ status: row.expected.status, error: row.expected.error });
    expect(attemptsOf(run, STEP_OF[row.operationId])).toBe(row.expected.attempts);
    if (row.expected.outputs) expect(Object.keys(run.execution.output as object).sort()).toEqual(row.expected.outputs);
    // However often it was sent, and whatever happened to the answers: at most one payment per x-request-id.
    expect(harness.sandbox.stats.paymentCreationsByRequestId[requestId] ?? 0).toBe(row.expected.payments);
    expect(Object.values(harness.sandbox.stats.paymentCreationsByRequestId).filter((n) => n > 1)).toEqual([]);
    expect(scanForSecrets(`${run.historyJson}\n${run.execution.cause ?? ''}\n${run.logLines.join('\n')}`, [harness.clientSecret])).toEqual([]);
  });

  // Read as text, the poll's JSON labelled text/plain would match no onSuccess criterion, and
  // Arazzo's default (the next step) would take the execution to reportFailure, which succeeds with
  // failedStatus "pending": a silent wrong route. The operation declares application/json for 200,
  // so the label is a contract fault, retried on the GET like a 5xx.
  it('a mislabelled poll answer on seed 000 (once, check at error) is retried, and the execution ends verified', async () => {
    const run = await harness.run(SEED_000, seed000Input('jane+pending2+verified@example.com'), {
      faults: [{ operationId: 'getCustomerVerificationById', contentType: 'text/plain', times: 1 }],
      compile: CONTENT_TYPE_ERROR,
    });

    expectEnded(run);
    expect({ status: run.execution.status, error: run.execution.error }).toEqual({ status: 'SUCCEEDED', error: undefined });
    expect(run.execution.output).toMatchObject({ finalStatus: 'verified' });
    expect(run.execution.output).not.toHaveProperty('failedStatus');
    expect(run.statesEntered).not.toContain('reportFailure');
    // The sandbox answers two polls pending, then verified. The first (pending, mislabelled) is
    // refused and the Task's Retry asks again at once (the second pending); the loop then polls once more.
    const polls = run.logLines.map((line) => JSON.parse(line) as { stepId: string; error?: string; outcome?: string }).filter((e) => e.stepId === 'pollVerification');
    expect(polls.map((e) => e.error ?? e.outcome)).toEqual([ErrorCodes.UnexpectedContentType, 'onSuccess.pending', 'onSuccess.verified']);
    expect(run.requests.filter((r) => r.operationId === 'getCustomerVerificationById').map((r) => r.fault ?? false)).toEqual([true, false, false]);
  });

  it('at the default (warn), a poll answer that stays mislabelled is read as the JSON it is: the execution ends verified, and the history names the check', async () => {
    const run = await harness.run(SEED_000, seed000Input('jane+pending2+verified@example.com'), {
      faults: [{ operationId: 'getCustomerVerificationById', contentType: 'text/plain' }],
    });

    expectEnded(run);
    expect({ status: run.execution.status, error: run.execution.error }).toEqual({ status: 'SUCCEEDED', error: undefined });
    expect(run.execution.output).toMatchObject({ finalStatus: 'verified' });
    expect(run.statesEntered).not.toContain('reportFailure');
    const polls = run.logLines.map((line) => JSON.parse(line) as { stepId: string; outcome?: string; checks?: string[] }).filter((e) => e.stepId === 'pollVerification');
    expect(polls.map((e) => [e.outcome, e.checks])).toEqual([
      ['onSuccess.pending', ['CONTENT_TYPE_CHECK']],
      ['onSuccess.pending', ['CONTENT_TYPE_CHECK']],
      ['onSuccess.verified', ['CONTENT_TYPE_CHECK']],
    ]);
    expect(run.historyJson).toContain('read as application/json, as the operation declares');
  });

  it('a poll answer that stays mislabelled (check at error) fails the execution with Arazzo.UnexpectedContentType after the Retry budget, and no further step runs', async () => {
    const run = await harness.run(SEED_000, seed000Input('jane+pending2+verified@example.com'), {
      faults: [{ operationId: 'getCustomerVerificationById', contentType: 'text/plain' }],
      compile: CONTENT_TYPE_ERROR,
    });

    expectEnded(run);
    expect({ status: run.execution.status, error: run.execution.error }).toEqual({ status: 'FAILED', error: ErrorCodes.UnexpectedContentType });
    expect(run.execution.cause).toBe(
      'step pollVerification: GET /v1/customers/{customer_id}/verification/{verification_id} (getCustomerVerificationById) answered 200 with Content-Type "text/plain", which the operation does not declare for 200: it declares application/json',
    );
    expect(attemptsOf(run, 'pollVerification')).toBe(4);
    expect(run.callsTo('getCustomerVerificationById')).toBe(4);
    expect(run.statesEntered.slice(-2)).toEqual(['pollVerification', 'pollVerification.failed']);
    expect(run.statesEntered).not.toContain('reportFailure');
    expect(run.requests.at(-1)).toMatchObject({ operationId: 'getCustomerVerificationById' });
    // The cause names media types, never the body (the verification's JSON) or a header value other than Content-Type.
    expect(run.execution.cause).not.toMatch(/pending|verified"|Bearer/);
    expect(scanForSecrets(`${run.historyJson}\n${run.execution.cause ?? ''}\n${run.logLines.join('\n')}`, [harness.clientSecret, customersToken])).toEqual([]);
  });

  // Seed 000's POSTs carry no idempotency key: a fault there is never retried, so it cannot create twice.
  it.each([
    ['503', { status: 503 }, ErrorCodes.StepFailed, 0],
    ['connection reset after creating', { resetConnection: true, when: 'after' }, ErrorCodes.ProviderUnavailable, 1],
    ['timeout', { delayMs: HELD_MS }, ErrorCodes.ProviderUnavailable, 1],
  ] as const)('%s on createCustomer (a POST without an idempotency key) fails at once, creating at most one customer', async (_, rule, error, customers) => {
    const before = harness.sandbox.stats.requests;
    const created = harness.sandbox.stats.customersCreated;
    const run = await harness.run(SEED_000, seed000Input('jane+pending0@example.com'), {
      faults: [{ operationId: 'createCustomer', ...rule, times: 1 }],
      ...('delayMs' in rule ? { compile: SHORT_TIMEOUTS } : {}),
    });
    await settle(before, run.logLines.length);

    expectEnded(run);
    expect({ status: run.execution.status, error: run.execution.error }).toEqual({ status: 'FAILED', error });
    expect(attemptsOf(run, 'createCustomer')).toBe(1);
    expect(harness.sandbox.stats.customersCreated - created).toBe(customers);
  });
});
