import { performance } from 'node:perf_hooks';
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFaultInjector } from '../../sandbox/http/index.js';
import { startFintectureSandbox, type FintectureSandbox } from '../../sandbox/index.js';
import { call, CLIENT_ID, CLIENT_SECRET, connectBody, mintToken, newRequestId, SIGNATURE_KEYS } from '../sandbox/sandbox-client.js';

const tokenForm = { grant_type: 'client_credentials', scope: 'PIS', client_id: CLIENT_ID, client_secret: CLIENT_SECRET };

describe('sandbox fault kinds: wrong content type, slow body, per-request selection by header', () => {
  let sandbox: FintectureSandbox;
  beforeAll(async () => {
    sandbox = await startFintectureSandbox({ signatureKeys: SIGNATURE_KEYS });
  });
  afterAll(() => sandbox.close());
  beforeEach(() => {
    sandbox.setScenario({});
    sandbox.reset();
  });

  it('contentType relabels the simulator answer and leaves status and body as they were', async () => {
    sandbox.setScenario({ faults: [{ operationId: 'createAccessToken', contentType: 'text/html; charset=utf-8', times: 1 }] });
    const relabelled = await call(sandbox, 'POST', '/oauth/accesstoken', { form: tokenForm });
    expect(relabelled.status).toBe(200);
    expect(relabelled.headers['content-type']).toBe('text/html; charset=utf-8');
    // The text is the real JSON answer: the request was processed, only its label is wrong.
    expect(JSON.parse(relabelled.text)).toMatchObject({ token_type: 'Bearer' });
    expect(sandbox.stats.tokensIssued).toBe(1);
    expect(sandbox.requestLog[0]).toMatchObject({ status: 200, fault: true });

    const next = await call(sandbox, 'POST', '/oauth/accesstoken', { form: tokenForm });
    expect(next.headers['content-type']).toMatch(/^application\/json/);
  });

  it('contentType with a status labels the injected envelope, as a gateway HTML error page would arrive', async () => {
    sandbox.setScenario({ faults: [{ operationId: 'createAccessToken', status: 502, contentType: 'text/html' }] });
    const res = await call(sandbox, 'POST', '/oauth/accesstoken', { form: tokenForm });
    expect(res.status).toBe(502);
    expect(res.headers['content-type']).toBe('text/html');
    expect(sandbox.stats.tokensIssued).toBe(0);
  });

  it('bodyDelayMs sends the headers at once and the body later', async () => {
    sandbox.setScenario({ faults: [{ operationId: 'createAccessToken', bodyDelayMs: 300, times: 1 }] });
    const started = performance.now();
    const res = await request(`${sandbox.url}/oauth/accesstoken`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(tokenForm).toString(),
    });
    const headersAfter = performance.now() - started;
    const body = (await res.body.json()) as { access_token?: string };
    const bodyAfter = performance.now() - started;
    expect(res.statusCode).toBe(200);
    expect(body.access_token).toBeTypeOf('string');
    expect(headersAfter).toBeLessThan(250);
    expect(bodyAfter).toBeGreaterThanOrEqual(290);
  });

  it('a stalled body trips a client body timeout, not its headers timeout', async () => {
    sandbox.setScenario({ faults: [{ operationId: 'createAccessToken', bodyDelayMs: 2_000, times: 1 }] });
    const res = await request(`${sandbox.url}/oauth/accesstoken`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(tokenForm).toString(),
      headersTimeout: 200,
      bodyTimeout: 200,
    });
    expect(res.statusCode).toBe(200);
    await expect(res.body.text()).rejects.toMatchObject({ code: 'UND_ERR_BODY_TIMEOUT' });
  });

  it('headers selects the requests of one caller: a string is compared exactly, a RegExp tested', async () => {
    const first = await mintToken(sandbox, 'PIS');
    const second = await mintToken(sandbox, 'PIS');
    sandbox.setScenario({
      faults: [
        { operationId: 'createPisV2Connect', headers: { authorization: `Bearer ${first}` }, status: 503 },
        { operationId: 'createPisV2Connect', headers: { 'X-Request-Id': /^00000000-/ }, status: 500 },
      ],
    });
    const connect = (token: string, requestId = newRequestId()) =>
      call(sandbox, 'POST', '/pis/v2/connect', { json: connectBody(), token, headers: { 'x-request-id': requestId } });
    expect((await connect(first)).status).toBe(503);
    expect((await connect(second)).status).toBe(200);
    expect((await connect(second, '00000000-0000-4000-8000-000000000000')).status).toBe(500);
    expect(sandbox.stats.paymentsCreated).toBe(1);
  });

  it('a header selector never matches a request without that header', () => {
    const injector = createFaultInjector([{ headers: { 'x-request-id': /.*/ }, status: 503 }]);
    expect(injector.take({ method: 'GET', path: '/x', headers: {} })).toBeUndefined();
    expect(injector.take({ method: 'GET', path: '/x' })).toBeUndefined();
    expect(injector.take({ method: 'GET', path: '/x', headers: { 'x-request-id': 'a' } })).toMatchObject({ status: 503 });
  });

  it('refuses a negative bodyDelayMs and a multi-line contentType at setup', () => {
    expect(() => sandbox.setScenario({ faults: [{ bodyDelayMs: -1 }] })).toThrow(/bodyDelayMs/);
    expect(() => sandbox.setScenario({ faults: [{ contentType: 'text/html\r\nx-evil: 1' }] })).toThrow(/contentType/);
  });
});
