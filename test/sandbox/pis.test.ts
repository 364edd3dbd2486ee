import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFintectureSandbox, type FintectureSandbox } from '../../sandbox/index.js';
import { call, connectBody, fintectureSignatureHeaders, mintToken, newRequestId, SIGNATURE_KEYS, type CallResult } from './sandbox-client.js';

describe('Fintecture sandbox: PIS API', () => {
  let sandbox: FintectureSandbox;
  let token: string;
  beforeAll(async () => {
    sandbox = await startFintectureSandbox({ signatureKeys: SIGNATURE_KEYS });
  });
  afterAll(() => sandbox.close());
  beforeEach(async () => {
    sandbox.reset();
    sandbox.setScenario({});
    token = await mintToken(sandbox, 'PIS');
  });

  const connect = (requestId: string, body: unknown = connectBody(), headers: Record<string, string> = {}) =>
    call(sandbox, 'POST', '/pis/v2/connect', { json: body, token, headers: { 'x-request-id': requestId, ...headers } });

  it('opens a payment session: meta.session_id, meta.url, meta.status', async () => {
    const res = await connect(newRequestId());
    expect(res.status).toBe(200);
    expect(res.body.meta.session_id).toMatch(/^[0-9a-f]{32}$/);
    expect(res.body.meta.status).toBe('payment_created');
    expect(res.body.meta.url).toBe(`${sandbox.url}/connect/${res.body.meta.session_id}`);
    const page = await call(sandbox, 'GET', new URL(res.body.meta.url).pathname);
    expect(page.status).toBe(200);
    expect(page.text).toContain('149.99 EUR');
  });

  it('reads the payment back with its status at both status and meta.status (seed 001 and the real API)', async () => {
    const created = await connect(newRequestId());
    const id = created.body.meta.session_id;
    const res = await call(sandbox, 'GET', `/pis/v2/payments/${id}`, { token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id,
      type: 'PIS',
      status: 'payment_created',
      meta: { session_id: id, status: 'payment_created' },
      attributes: { amount: '149.99', currency: 'EUR', communication: 'Order 1042', payment_method: 'immediate_transfer' },
    });
  });

  it('answers 404 for an unknown payment', async () => {
    const res = await call(sandbox, 'GET', '/pis/v2/payments/0123456789abcdef0123456789abcdef', { token });
    expect([res.status, res.body.code]).toEqual([404, 'payment_not_found']);
  });

  it('is idempotent per x-request-id: the same id twice opens one payment and returns the same session', async () => {
    const requestId = newRequestId();
    const first = await connect(requestId);
    const second = await connect(requestId);
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect(sandbox.stats.paymentsCreated).toBe(1);
    expect(sandbox.stats.paymentCreationsByRequestId).toEqual({ [requestId]: 1 });
    expect(sandbox.stats.idempotentReplays).toBe(1);

    const other = await connect(newRequestId());
    expect(other.body.meta.session_id).not.toBe(first.body.meta.session_id);
    expect(sandbox.stats.paymentsCreated).toBe(2);
  });

  it('answers 409 when an x-request-id is reused for a different payment', async () => {
    const requestId = newRequestId();
    await connect(requestId);
    const res = await connect(requestId, connectBody({ amount: '5.00' }));
    expect([res.status, res.body.code]).toEqual([409, 'idempotency_conflict']);
    expect(sandbox.stats.paymentsCreated).toBe(1);
  });

  it('requires x-request-id as a UUID and validates the body', async () => {
    // The signature covers x-request-id: a request without it cannot be signed, and is refused before its other checks.
    const missing = await call(sandbox, 'POST', '/pis/v2/connect', { json: connectBody(), token });
    expect([missing.status, missing.body.errors[0].detail]).toEqual([401, 'the signed header x-request-id is missing']);

    const notUuid = await connect('req-1');
    expect(notUuid.body.errors[0]).toMatchObject({ code: 'invalid_parameter', source: { parameter: 'x-request-id' } });

    const badBody = await connect(newRequestId(), { meta: {}, data: { type: 'PIS', attributes: { amount: '1.00', currency: 'USD', communication: 'x' } } });
    expect(badBody.status).toBe(400);
    expect(badBody.body.errors[0]).toMatchObject({ source: { pointer: '/data/attributes/currency' } });
    expect(sandbox.stats.paymentsCreated).toBe(0);
  });

  it('verifies the signature as the real API does: unsigned, forged, stale, unknown key or wrong digest get 401 invalid_signature', async () => {
    const body = connectBody();
    const signed = await connect(newRequestId(), body);
    expect(signed.status).toBe(200);
    const refusals: [string, CallResult][] = [
      ['unsigned', await call(sandbox, 'POST', '/pis/v2/connect', { json: body, token, headers: { 'x-request-id': newRequestId() }, sign: false })],
      ['forged', await connect(newRequestId(), body, { signature: fintectureSignatureHeaders('POST', '/pis/v2/connect', '{}', 'other').signature })],
      ['stale', await connect(newRequestId(), body, { date: new Date(Date.now() - 3_600_000).toUTCString() })],
      ['unknown key', await connect(newRequestId(), body, { signature: fintectureSignatureHeaders('POST', '/pis/v2/connect', JSON.stringify(body), 'x', 'other-app').signature })],
      ['wrong digest', await connect(newRequestId(), body, { digest: 'SHA-256=AAAA' })],
    ];
    for (const [what, res] of refusals) {
      expect([what, res.status, res.body.code], JSON.stringify(res.body)).toEqual([what, 401, 'invalid_signature']);
      // Fintecture's error envelope, saying what is wrong without echoing the signature.
      expect(res.body).toMatchObject({ status: 401, code: 'invalid_signature', errors: [expect.objectContaining({ code: 'invalid_signature', title: 'Invalid signature' })] });
    }
    expect(refusals[0][1].body.errors[0].detail).toBe('the request is not signed: the Signature, Digest and Date headers are required');
    expect(sandbox.stats.paymentsCreated).toBe(1);
  });

  it('with verifySignatures false (a runner that cannot sign), takes an unsigned request and still checks a sent Digest', async () => {
    const lenient = await startFintectureSandbox({ verifySignatures: false });
    try {
      const lenientToken = await mintToken(lenient, 'PIS');
      const body = connectBody();
      const unsigned = await call(lenient, 'POST', '/pis/v2/connect', { json: body, token: lenientToken, headers: { 'x-request-id': newRequestId() }, sign: false });
      expect(unsigned.status).toBe(200);
      const digest = `SHA-256=${createHash('sha256').update(JSON.stringify(body)).digest('base64')}`;
      const withDigest = await call(lenient, 'POST', '/pis/v2/connect', { json: body, token: lenientToken, headers: { 'x-request-id': newRequestId(), digest }, sign: false });
      expect(withDigest.status).toBe(200);
      const wrong = await call(lenient, 'POST', '/pis/v2/connect', { json: body, token: lenientToken, headers: { 'x-request-id': newRequestId(), digest: 'SHA-256=AAAA' }, sign: false });
      expect([wrong.status, wrong.body.code]).toEqual([400, 'invalid_digest']);
    } finally {
      await lenient.close();
    }
  });

  it('follows the scenario: pending polls, then the chosen status', async () => {
    sandbox.setScenario({ payment: { pendingPolls: 2, status: 'payment_unsuccessful' } });
    const created = await connect(newRequestId());
    expect(created.body.meta.status).toBe('payment_pending');
    const id = created.body.meta.session_id;
    const statuses: string[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await call(sandbox, 'GET', `/pis/v2/payments/${id}`, { token })).body.status);
    expect(statuses).toEqual(['payment_pending', 'payment_pending', 'payment_unsuccessful']);
  });

  it('lets psu_email tags choose a payment outcome per payment', async () => {
    const created = await connect(newRequestId(), connectBody({ psuEmail: 'payer+pending1+payment_expired@example.com' }));
    const id = created.body.meta.session_id;
    const first = await call(sandbox, 'GET', `/pis/v2/payments/${id}`, { token });
    const second = await call(sandbox, 'GET', `/pis/v2/payments/${id}`, { token });
    expect([first.body.status, second.body.status]).toEqual(['payment_pending', 'payment_expired']);
  });

  it('lists payments with a status filter', async () => {
    await connect(newRequestId());
    await connect(newRequestId(), connectBody({ psuEmail: 'p+never@example.com' }));
    const all = await call(sandbox, 'GET', '/pis/v2/payments', { token });
    const created = await call(sandbox, 'GET', '/pis/v2/payments?filter[status]=payment_created', { token });
    const bogus = await call(sandbox, 'GET', '/pis/v2/payments?filter[status]=done', { token });
    expect([all.body.meta.count, created.body.meta.count, bogus.status]).toEqual([2, 1, 400]);
  });

  it('answers 501 for an operation it does not simulate', async () => {
    const res = await call(sandbox, 'POST', '/pis/v2/refund', { json: { meta: { session_id: 'x' }, data: {} }, token });
    expect([res.status, res.body.code]).toEqual([501, 'not_implemented']);
  });
});
