import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { estimateCost } from '../../../compiler/cost/estimate-cost.js';
import { DEFAULT_PRICES, readPricesFile, withPrices } from '../../../compiler/cost/prices.js';
import { compileSeed, SEED_000, SEED_001, seed000Input, seed001Input, startSeedHarness, type SeedHarness } from '../../integration/support/seed-harness.js';

const ROOT = join(import.meta.dirname, '../../..');
const SEED_003 = join(ROOT, 'workflows/arazzo/connectfi-kyc-callback.arazzo.yml');
const SEED_004 = join(ROOT, 'workflows/arazzo/mbanq-verify-customer.arazzo.yml');

describe('estimateCost: the billed units of the seed workflows, from their ASL', () => {
  it('seed 000 with n extra polls: 6 + 3·n transitions and 4 + n Lambda invocations, the loop bounded at 20 runs', async () => {
    const report = estimateCost(await compileSeed(SEED_000));
    expect(report.path).toMatchObject({
      states: ['Validate inputs', 'createCustomer', 'startVerification', 'pollVerification', 'pollVerification.route', 'pollVerification.end'],
      transitions: 6,
      lambdaInvocations: 4,
    });
    expect(report.loops).toEqual([expect.objectContaining({ state: 'pollVerification', states: ['pollVerification', 'pollVerification.route', 'pollVerification.wait'], transitions: 3, lambdaInvocations: 1, maxTurns: 20 })]);
    // A hand-written machine makes the same calls without the input check: one transition and one Lambda call fewer.
    expect(report.overhead).toEqual(['Validate inputs']);
    expect(report.handWritten).toMatchObject({ transitions: 5, lambdaInvocations: 3 });
  });

  it('seed 001: 4 transitions, 4 Lambda invocations, no loop', async () => {
    const report = estimateCost(await compileSeed(SEED_001));
    expect(report.path).toMatchObject({ transitions: 4, lambdaInvocations: 4 });
    expect(report.loops).toEqual([]);
    expect(report.longestPath).toBeUndefined();
  });

  it('seed 004: the optional steps make a shortest and a longest path', async () => {
    const report = estimateCost(await compileSeed(SEED_004));
    expect(report.path).toMatchObject({ transitions: 7, lambdaInvocations: 5 });
    expect(report.longestPath).toMatchObject({ transitions: 9, lambdaInvocations: 7 });
    expect(report.longestPath!.states).toContain('addIdentifier');
  });

  it('seed 003: a callback step counts its function and the webhook receiver\'s settling call', async () => {
    const report = estimateCost(await compileSeed(SEED_003));
    // Validate inputs, getToken, createCustomer, startKyc (+ the receiver): 5 calls.
    expect(report.path).toMatchObject({ transitions: 6, lambdaInvocations: 5 });
    expect(report.loops.map((l) => [l.state, l.transitions, l.maxTurns])).toEqual([['pollKycStatus', 3, 96]]);
  });

  it('prices the units at the list prices, per 1,000 executions', async () => {
    const report = estimateCost(await compileSeed(SEED_001));
    // 4 transitions × $0.025/1,000 + 4 requests × $0.20/1M + (3 × 0.25 s + 0.02 s) × 0.25 GB × $0.0000133334/GB-s, × 1,000.
    const expected = 1000 * (4 * 0.000025 + 4 * 0.0000002 + (3 * 0.25 + 0.02) * 0.25 * 0.0000133334);
    expect(report.per1000.path).toBeCloseTo(expected, 6);
    expect(report.prices).toBe(DEFAULT_PRICES);
    // Other prices (another region's), memory and durations change the figure accordingly.
    const paris = estimateCost(await compileSeed(SEED_001), withPrices({ region: 'eu-west-3', stateTransitionsPer1000: 0.0297, memoryMb: 512 }));
    expect(paris.per1000.path).toBeCloseTo(1000 * (4 * 0.0000297 + 4 * 0.0000002 + (3 * 0.25 + 0.02) * 0.5 * 0.0000133334), 6);
    expect(paris.prices.source).toBe('overridden (prices file)');
  });
});

describe('prices files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'arazzo-sfn-prices-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };

  it('override the figures they name, and refuse unknown keys, negative figures, non-JSON and a directory', async () => {
    await expect(readPricesFile(write('ok.json', '{"operationMs": 800, "source": "measured on our account"}'))).resolves.toMatchObject({ operationMs: 800, stateTransitionsPer1000: 0.025, source: 'measured on our account' });
    await expect(readPricesFile(write('typo.json', '{"operationMS": 800}'))).rejects.toThrow(/unknown key "operationMS"/);
    await expect(readPricesFile(write('neg.json', '{"lambdaGbSecond": -1}'))).rejects.toThrow(/"lambdaGbSecond" must be a non-negative number/);
    await expect(readPricesFile(write('bad.json', 'not json'))).rejects.toThrow(/is not JSON/);
    await expect(readPricesFile(dir)).rejects.toThrow(/must be a regular file/);
  });
});

describe('estimateCost against real executions on the embedded engine and the sandbox', () => {
  let harness: SeedHarness;
  beforeAll(async () => {
    harness = await startSeedHarness();
    await harness.mintToken('customer', 'customersToken');
  });
  afterAll(() => harness.close());

  const lambdaCalls = (run: { history: readonly { type?: string }[] }) => run.history.filter((e) => e.type === 'LambdaFunctionScheduled').length;

  it('seed 000 polled 4 times (3 extra turns): the execution enters 6 + 3·3 states and calls 4 + 3 functions, as estimated', async () => {
    const report = estimateCost(await compileSeed(SEED_000));
    const run = await harness.run(SEED_000, seed000Input('jane+pending3+verified@example.com'));
    expect(run.execution.status).toBe('SUCCEEDED');
    const [loop] = report.loops;
    expect(run.statesEntered).toHaveLength(report.path.transitions + 3 * loop.transitions);
    expect(lambdaCalls(run)).toBe(report.path.lambdaInvocations + 3 * loop.lambdaInvocations);
  });

  it('seed 001: the execution enters as many states and calls as many functions as estimated', async () => {
    const report = estimateCost(await compileSeed(SEED_001));
    const run = await harness.run(SEED_001, seed001Input(randomUUID()));
    expect(run.execution.status).toBe('SUCCEEDED');
    expect(run.statesEntered).toEqual(report.path.states);
    expect(lambdaCalls(run)).toBe(report.path.lambdaInvocations);
  });
});

describe('estimateCost: nested workflows', () => {
  it('counts the parent\'s own states and calls, and names the child whose cost each run adds', async () => {
    const { compileFileOrThrow } = await import('../../../compiler/index.js');
    const { workflows } = await compileFileOrThrow(join(ROOT, 'test/fixtures/nested/onboarding.arazzo.yml'));
    const parent = workflows.find((w) => w.plan.workflowId === 'verify-customer')!;
    const report = estimateCost(parent);
    expect(report.nested).toEqual(['register-customer']);
    // The workflow step: its input (workflow function), the nested execution (no Lambda), its outcome (workflow function).
    const run = report.path.states.filter((s) => s.startsWith('register'));
    expect(run).toEqual(expect.arrayContaining(['register', 'register.run', 'register.result']));
    const lambdaStates = report.path.states.filter((s) => parent.tasks[s] && parent.tasks[s].kind !== 'startExecution');
    expect(report.path.lambdaInvocations).toBe(lambdaStates.length);
    expect(report.path.transitions).toBe(report.path.states.length);
    // A hand-written machine starts the child from a Task of its own: the workflow function's three Tasks are arazzo-sfn's.
    expect(report.overhead).toEqual(['Validate inputs', 'register', 'register.result']);
    expect(report.handWritten.transitions).toBe(report.path.transitions - 3);
  });
});
