import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFintectureSandbox, type FintectureSandbox } from '../../sandbox/index.js';
import { call, CLIENT_ID, CLIENT_SECRET, connectBody, mintToken, newRequestId, SIGNATURE_KEYS } from './sandbox-client.js';

describe('Fintecture sandbox: routing, log and lifecycle', () => {
  let sandbox: FintectureSandbox;
  beforeAll(async () => {
    sandbox = await startFintectureSandbox({ signatureKeys: SIGNATURE_KEYS });
  });
  afterAll(() => sandbox.close());

  it('serves on 127.0.0.1 with an ephemeral port', () => {
    expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('answers 404 in the Fintecture envelope for an unknown route', async () => {
    const res = await call(sandbox, 'GET', '/v2/does-not-exist');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ status: 404, code: 'not_found', errors: [expect.objectContaining({ code: 'not_found' })] });
    expect((await call(sandbox, 'GET', '/connect/0123456789abcdef0123456789abcdef')).status).toBe(404);
  });

  it('answers 405 with Allow for a known path and a wrong method', async () => {
    const res = await call(sandbox, 'DELETE', '/v1/customers');
    expect(res.status).toBe(405);
    expect(String(res.headers.allow).split(', ').sort()).toEqual(['GET', 'POST']);
  });

  it('logs method, path, operation, status and duration, and never a secret', async () => {
    sandbox.reset();
    const token = await mintToken(sandbox, 'PIS');
    await call(sandbox, 'POST', '/pis/v2/connect', { json: connectBody(), token, headers: { 'x-request-id': newRequestId() } });
    await call(sandbox, 'GET', '/nowhere');
    const log = sandbox.requestLog;
    expect(log.map((e) => [e.method, e.path, e.operationId, e.status])).toEqual([
      ['POST', '/oauth/accesstoken', 'createAccessToken', 200],
      ['POST', '/pis/v2/connect', 'createPisV2Connect', 200],
      ['GET', '/nowhere', undefined, 404],
    ]);
    for (const entry of log) expect(Object.keys(entry).sort()).toEqual(expect.arrayContaining(['durationMs', 'method', 'path', 'status']));
    const dump = JSON.stringify({ log, stats: sandbox.stats });
    expect(dump).not.toContain(CLIENT_SECRET);
    expect(dump).not.toContain(token);
    expect(sandbox.stats.byOperation).toMatchObject({ createAccessToken: 1, createPisV2Connect: 1, '(unrouted)': 1 });
  });

  it('forgets everything on reset()', async () => {
    const token = await mintToken(sandbox, 'PIS');
    sandbox.reset();
    expect(sandbox.stats.requests).toBe(0);
    expect(sandbox.requestLog).toEqual([]);
    expect((await call(sandbox, 'GET', '/pis/v2/payments', { token })).status).toBe(401);
  });

  it('stops serving after close()', async () => {
    const temp = await startFintectureSandbox({ signatureKeys: SIGNATURE_KEYS });
    const url = temp.url;
    await temp.close();
    await expect(call({ ...temp, url } as FintectureSandbox, 'POST', '/oauth/accesstoken', { form: { grant_type: 'client_credentials', client_id: CLIENT_ID } })).rejects.toThrow();
  });
});
