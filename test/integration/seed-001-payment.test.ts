import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEALED_PREFIX } from '../../functions/runtime/secrets/index.js';
import { createWireTap, SEED_001, seed001Input, startSeedHarness, type SeedHarness, type WireTap } from './support/seed-harness.js';

describe('seed 001 token-then-payment on the engine against the sandbox', () => {
  let harness: SeedHarness;
  let tap: WireTap;

  beforeAll(async () => {
    harness = await startSeedHarness();
    tap = createWireTap();
  });
  afterAll(async () => {
    await tap.close();
    await harness.close();
  });

  it('mints a token with a form body, creates the payment with bearer + x-request-id, reads its status, and outputs the token sealed', async () => {
    const requestId = randomUUID();
    const tokensBefore = harness.sandbox.stats.tokensIssued;
    const run = await harness.run(SEED_001, seed001Input(requestId), { dispatcher: tap.dispatcher });

    expect(run.execution.status).toBe('SUCCEEDED');
    expect(run.requests.map((r) => [r.method, r.operationId, r.status])).toEqual([
      ['POST', 'createAccessToken', 200],
      ['POST', 'createPisV2Connect', 200],
      ['GET', 'getPaymentSession', 200],
    ]);

    // The sandbox issued exactly one token, and created exactly one payment for this x-request-id.
    const stats = harness.sandbox.stats;
    expect(stats.tokensIssued - tokensBefore).toBe(1);
    expect(stats.paymentCreationsByRequestId).toEqual({ [requestId]: 1 });

    const output = run.execution.output as Record<string, unknown>;
    expect(Object.keys(output).sort()).toEqual(['accessToken', 'connectUrl', 'sessionId', 'status']);
    expect(output.sessionId).toMatch(/^[0-9a-f]{32}$/);
    expect(output.connectUrl).toBe(`${harness.sandbox.url}/connect/${output.sessionId}`);
    expect(output.status).toBe('payment_created');
    expect(run.requests[2].path).toBe(`/pis/v2/payments/${output.sessionId}`);

    // The token leaves the workflow sealed; it opens with the run's sealer to the token the payment was made with.
    expect(typeof output.accessToken).toBe('string');
    expect(output.accessToken as string).toMatch(new RegExp(`^${SEALED_PREFIX}`));
    const token = JSON.parse(await harness.sealer.unseal(output.accessToken as string, 'arazzo-sfn')) as string;
    expect(token).toMatch(/^\S{16,}$/);
    expect(JSON.stringify(output)).not.toContain(token);

    // What went over the wire (the sandbox keeps no headers or bodies, so a tap on the real client reads them).
    const [mint, create, read] = tap.requests.slice(-3);
    expect(mint).toMatchObject({ method: 'POST', path: '/oauth/accesstoken' });
    expect(mint.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded\b/);
    expect(Object.fromEntries(new URLSearchParams(mint.body))).toEqual({
      grant_type: 'client_credentials',
      scope: 'PIS',
      client_id: harness.clientId,
      client_secret: harness.clientSecret,
    });
    expect(create).toMatchObject({ method: 'POST', path: '/pis/v2/connect' });
    expect(create.headers.authorization).toBe(`Bearer ${token}`);
    expect(create.headers['x-request-id']).toBe(requestId);
    expect(create.headers['content-type']).toMatch(/^application\/json\b/);
    expect(JSON.parse(create.body!)).toEqual({
      meta: {},
      data: { type: 'PIS', attributes: { amount: '149.99', currency: 'EUR', communication: 'Order 1042', payment_method: 'immediate_transfer' } },
    });
    expect(read).toMatchObject({ method: 'GET', path: `/pis/v2/payments/${output.sessionId}` });
    expect(read.headers.authorization).toBe(`Bearer ${token}`);
  });

  it('a payment creation whose answer is lost (503 after the payment exists) is retried with the same x-request-id and creates one payment', async () => {
    const requestId = randomUUID();
    const replaysBefore = harness.sandbox.stats.idempotentReplays;
    const run = await harness.run(SEED_001, seed001Input(requestId), {
      faults: [{ operationId: 'createPisV2Connect', status: 503, when: 'after', times: 1 }],
    });

    expect(run.execution.status).toBe('SUCCEEDED');
    expect(run.requests.map((r) => [r.operationId, r.status])).toEqual([
      ['createAccessToken', 200],
      ['createPisV2Connect', 503],
      ['createPisV2Connect', 200],
      ['getPaymentSession', 200],
    ]);
    expect(harness.sandbox.stats.paymentCreationsByRequestId[requestId]).toBe(1);
    expect(harness.sandbox.stats.idempotentReplays - replaysBefore).toBe(1);
    expect((run.execution.output as Record<string, unknown>).status).toBe('payment_created');
  });

  it('fails at mintToken with Arazzo.StepFailed when the client secret is wrong, making no payment', async () => {
    harness.secrets.set('wrongApp', JSON.stringify({ id: harness.clientId, secret: 'not-the-secret' }));
    const run = await harness.run(SEED_001, seed001Input(randomUUID(), { clientId: 'secret:wrongApp#id', clientSecret: 'secret:wrongApp#secret' }));

    expect(run.execution.status).toBe('FAILED');
    expect(run.execution.error).toBe('Arazzo.StepFailed');
    expect(run.execution.cause).toContain('step mintToken');
    expect(run.execution.cause).toContain('401');
    expect(run.statesEntered).toContain('mintToken.failed');
    expect(run.requests.map((r) => [r.operationId, r.status])).toEqual([['createAccessToken', 401]]);
  });
});
