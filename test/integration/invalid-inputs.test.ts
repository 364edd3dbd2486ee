import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../core/errors.js';
import { eventIndexes, SEED_000, SEED_001, seed000Input, seed001Input, startSeedHarness, type SeedHarness, type SeedRun } from './support/seed-harness.js';

function expectRejectedBeforeAnyCall(run: SeedRun) {
  expect(run.execution.status).toBe('FAILED');
  expect(run.execution.error).toBe(ErrorCodes.InvalidInputs);
  expect(run.requests).toEqual([]);
  expect(run.statesEntered).toEqual(['Validate inputs', 'Validate inputs.failed']);
  expect(eventIndexes(run.history, 'FailStateEntered', 'Validate inputs.failed')).toHaveLength(1);
}

describe('invalid execution inputs are refused before any HTTP call', () => {
  let harness: SeedHarness;

  beforeAll(async () => {
    harness = await startSeedHarness();
    await harness.mintToken('customer', 'customersToken');
  });
  afterAll(() => harness.close());

  it('lists every problem: a missing required email and a wrongly typed firstName', async () => {
    const input = seed000Input('unused@example.com', { firstName: 42 });
    delete input.email;
    const run = await harness.run(SEED_000, input);

    expectRejectedBeforeAnyCall(run);
    expect(run.execution.cause).toBe(
      'workflow customer-verification-poll: 2 problems with the inputs: inputs: missing required input "email"; inputs.firstName: must be string',
    );
  });

  it('lists several missing inputs at once', async () => {
    const run = await harness.run(SEED_000, { accessToken: 'secret:customersToken', firstName: 'Jane' });

    expectRejectedBeforeAnyCall(run);
    for (const name of ['lastName', 'email', 'providerId', 'expectedName']) expect(run.execution.cause).toContain(`missing required input "${name}"`);
    expect(run.execution.cause).toContain('4 problems');
  });

  it('refuses an execution input that is not an object', async () => {
    const run = await harness.run(SEED_000, ['jane@example.com'] as unknown as Record<string, unknown>);
    expectRejectedBeforeAnyCall(run);
    expect(run.execution.cause).toContain('must be a JSON object');
  });

  it('refuses a raw access token instead of a secret: reference, without echoing it', async () => {
    const raw = `raw-token-${randomBytes(12).toString('hex')}`;
    const run = await harness.run(SEED_000, seed000Input('jane@example.com', { accessToken: raw }));

    expectRejectedBeforeAnyCall(run);
    expect(run.execution.cause).toContain('inputs.accessToken');
    expect(run.execution.cause).toContain('secret:<name>');
    expect(run.execution.cause).not.toContain(raw);
    // The failure events carry the same cause; none of them echo the value.
    const failureEvents = run.history.filter((e) => /Failed$/.test(e.type ?? ''));
    expect(failureEvents.length).toBeGreaterThan(0);
    expect(JSON.stringify(failureEvents)).not.toContain(raw);
  });

  it('refuses raw client credentials for seed 001, naming both, echoing neither', async () => {
    const id = `raw-id-${randomBytes(8).toString('hex')}`;
    const secret = `raw-secret-${randomBytes(8).toString('hex')}`;
    const run = await harness.run(SEED_001, seed001Input(randomUUID(), { clientId: id, clientSecret: secret }));

    expectRejectedBeforeAnyCall(run);
    expect(run.execution.cause).toContain('inputs.clientId');
    expect(run.execution.cause).toContain('inputs.clientSecret');
    expect(run.execution.cause).not.toContain(id);
    expect(run.execution.cause).not.toContain(secret);
  });
});
