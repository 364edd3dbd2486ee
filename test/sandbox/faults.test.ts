import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFintectureSandbox, type FintectureSandbox } from '../../sandbox/index.js';
import { call, CLIENT_ID, CLIENT_SECRET, connectBody, mintToken, newRequestId, SIGNATURE_KEYS } from './sandbox-client.js';

const tokenForm = { grant_type: 'client_credentials', scope: 'PIS', client_id: CLIENT_ID, client_secret: CLIENT_SECRET };

describe('Fintecture sandbox: fault injection', () => {
  let sandbox: FintectureSandbox;
  beforeAll(async () => {
    sandbox = await startFintectureSandbox({ signatureKeys: SIGNATURE_KEYS });
  });
  afterAll(() => sandbox.close());
  beforeEach(() => {
    sandbox.setScenario({});
    sandbox.reset();
  });

  it('fails a matching operation `times` times with 503, then passes', async () => {
    sandbox.setScenario({ faults: [{ operationId: 'createAccessToken', status: 503, times: 2 }] });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await call(sandbox, 'POST', '/oauth/accesstoken', { form: tokenForm })).status);
    expect(statuses).toEqual([503, 503, 200]);
    expect(sandbox.stats.faultsInjected).toBe(2);
    expect(sandbox.stats.tokensIssued).toBe(1);
    expect(sandbox.requestLog.map((e) => [e.status, e.fault ?? false])).toEqual([
      [503, true],
      [503, true],
      [200, false],
    ]);
  });

  it('answers 429 with Retry-After and a Fintecture envelope', async () => {
    sandbox.setScenario({ faults: [{ path: '/pis/v2/connect', status: 429, retryAfterSeconds: 7, times: 1 }] });
    const token = await mintToken(sandbox, 'PIS');
    const limited = await call(sandbox, 'POST', '/pis/v2/connect', { json: connectBody(), token, headers: { 'x-request-id': newRequestId() } });
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('7');
    expect(limited.body).toMatchObject({ status: 429, code: 'too_many_requests' });
    expect(sandbox.stats.paymentsCreated).toBe(0);
  });

  it('defaults Retry-After to 1 second on a 429', async () => {
    sandbox.setScenario({ faults: [{ method: 'post', status: 429 }] });
    const res = await call(sandbox, 'POST', '/oauth/accesstoken', { form: tokenForm });
    expect(res.headers['retry-after']).toBe('1');
  });

  it('matches by path template, RegExp and method, and leaves other requests alone', async () => {
    sandbox.setScenario({
      faults: [
        { path: '/pis/v2/payments/{payment_id}', status: 502 },
        { path: /^\/v1\/customers$/, method: 'GET', status: 500 },
      ],
    });
    const pis = await mintToken(sandbox, 'PIS');
    const cust = await mintToken(sandbox, 'customer');
    expect((await call(sandbox, 'GET', '/pis/v2/payments/abc', { token: pis })).status).toBe(502);
    expect((await call(sandbox, 'GET', '/pis/v2/payments', { token: pis })).status).toBe(200);
    expect((await call(sandbox, 'GET', '/v1/customers', { token: cust })).status).toBe(500);
    expect((await call(sandbox, 'POST', '/v1/customers', { token: cust, json: { first_name: 'a', last_name: 'b', email: 'a@example.com' } })).status).toBe(201);
  });

  it('sends a truncated JSON body with malformedJson', async () => {
    sandbox.setScenario({ faults: [{ operationId: 'createAccessToken', malformedJson: true, times: 1 }] });
    const res = await call(sandbox, 'POST', '/oauth/accesstoken', { form: tokenForm });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(() => JSON.parse(res.text)).toThrow();
    expect(sandbox.stats.tokensIssued).toBe(0);
  });

  it('resets the connection with resetConnection', async () => {
    sandbox.setScenario({ faults: [{ operationId: 'createAccessToken', resetConnection: true, times: 1 }] });
    await expect(call(sandbox, 'POST', '/oauth/accesstoken', { form: tokenForm })).rejects.toThrow();
    expect((await call(sandbox, 'POST', '/oauth/accesstoken', { form: tokenForm })).status).toBe(200);
    expect(sandbox.requestLog[0]).toMatchObject({ status: 0, fault: true, operationId: 'createAccessToken' });
  });

  it('delays an answer with delayMs', async () => {
    sandbox.setScenario({ faults: [{ operationId: 'createAccessToken', delayMs: 150, times: 1 }] });
    const started = performance.now();
    const res = await call(sandbox, 'POST', '/oauth/accesstoken', { form: tokenForm });
    expect(res.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it("with when: 'after', creates the payment and loses the answer; a retry with the same x-request-id gets the same session", async () => {
    const token = await mintToken(sandbox, 'PIS');
    sandbox.setScenario({ faults: [{ operationId: 'createPisV2Connect', status: 503, when: 'after', times: 1 }] });
    const requestId = newRequestId();
    const send = () => call(sandbox, 'POST', '/pis/v2/connect', { json: connectBody(), token, headers: { 'x-request-id': requestId } });
    const lost = await send();
    expect(lost.status).toBe(503);
    expect(sandbox.stats.paymentsCreated).toBe(1);
    const retried = await send();
    expect(retried.status).toBe(200);
    expect(sandbox.stats.paymentCreationsByRequestId).toEqual({ [requestId]: 1 });
    expect(sandbox.stats.idempotentReplays).toBe(1);
  });

  it('restarts fault budgets when the scenario is set again', async () => {
    const faults = [{ operationId: 'createAccessToken', status: 500, times: 1 }];
    sandbox.setScenario({ faults });
    expect((await call(sandbox, 'POST', '/oauth/accesstoken', { form: tokenForm })).status).toBe(500);
    expect((await call(sandbox, 'POST', '/oauth/accesstoken', { form: tokenForm })).status).toBe(200);
    sandbox.setScenario({ faults });
    expect((await call(sandbox, 'POST', '/oauth/accesstoken', { form: tokenForm })).status).toBe(500);
  });

  it('refuses an invalid scenario at setup', () => {
    expect(() => sandbox.setScenario({ faults: [{ status: 42 }] })).toThrow(RangeError);
    expect(() => sandbox.setScenario({ verification: { outcome: 'maybe' as never } })).toThrow(/outcome/);
    expect(() => sandbox.setScenario({ payment: { pendingPolls: -1 } })).toThrow(/pendingPolls/);
  });

  it('takes its scenario from the start options', async () => {
    const flaky = await startFintectureSandbox({ signatureKeys: SIGNATURE_KEYS, scenario: { faults: [{ status: 503, times: 1 }] } });
    try {
      expect((await call(flaky, 'POST', '/oauth/accesstoken', { form: tokenForm })).status).toBe(503);
      expect((await call(flaky, 'POST', '/oauth/accesstoken', { form: tokenForm })).status).toBe(200);
    } finally {
      await flaky.close();
    }
  });
});
