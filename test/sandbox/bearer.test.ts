import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFintectureSandbox, type FintectureSandbox } from '../../sandbox/index.js';
import { call, mintToken } from './sandbox-client.js';

const customer = { first_name: 'Jane', last_name: 'Doe', email: 'jane@example.com' };

describe('Fintecture sandbox: bearer tokens on Customers and PIS', () => {
  let clock = Date.parse('2025-03-01T09:00:00Z');
  let sandbox: FintectureSandbox;
  beforeAll(async () => {
    sandbox = await startFintectureSandbox({ now: () => clock });
  });
  afterAll(() => sandbox.close());
  beforeEach(() => {
    clock = Date.parse('2025-03-01T09:00:00Z');
    sandbox.reset();
  });

  it('answers 401 with WWW-Authenticate when the token is missing', async () => {
    const res = await call(sandbox, 'POST', '/v1/customers', { json: customer });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ status: 401, code: 'unauthorized' });
    expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="fintecture"/);
    expect(sandbox.stats.customersCreated).toBe(0);
  });

  it('answers 401 invalid_token for a token it never issued', async () => {
    const res = await call(sandbox, 'GET', '/pis/v2/payments', { token: 'made-up-token' });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('invalid_token');
    expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
  });

  it('expires tokens after expires_in seconds by the injected clock', async () => {
    const token = await mintToken(sandbox, 'customer');
    clock += 3599_000;
    expect((await call(sandbox, 'POST', '/v1/customers', { json: customer, token })).status).toBe(201);
    clock += 1_000;
    const expired = await call(sandbox, 'POST', '/v1/customers', { json: customer, token });
    expect(expired.status).toBe(401);
    expect(expired.body.errors[0].detail).toMatch(/expired/);
  });

  it('honours a scenario token lifetime', async () => {
    sandbox.setScenario({ tokens: { expiresInSeconds: 60 } });
    try {
      const res = await call(sandbox, 'POST', '/oauth/accesstoken', {
        form: { grant_type: 'client_credentials', scope: 'PIS', client_id: 'sandbox-app-id', client_secret: 'sandbox-app-secret' },
      });
      expect(res.body.expires_in).toBe(60);
      clock += 60_000;
      expect((await call(sandbox, 'GET', '/pis/v2/payments', { token: res.body.access_token })).status).toBe(401);
    } finally {
      sandbox.setScenario({});
    }
  });

  it('answers 403 insufficient_scope when a PIS token calls Customers and the reverse', async () => {
    const pis = await mintToken(sandbox, 'PIS');
    const cust = await mintToken(sandbox, 'customer');
    const a = await call(sandbox, 'POST', '/v1/customers', { json: customer, token: pis });
    const b = await call(sandbox, 'GET', '/pis/v2/payments', { token: cust });
    expect([a.status, b.status]).toEqual([403, 403]);
    expect(a.body.code).toBe('insufficient_scope');
    expect(a.headers['www-authenticate']).toContain('scope="customer"');
  });

  it('compares scopes without case', async () => {
    const upper = await mintToken(sandbox, 'CUSTOMER');
    const lower = await mintToken(sandbox, 'pis');
    expect((await call(sandbox, 'POST', '/v1/customers', { json: customer, token: upper })).status).toBe(201);
    expect((await call(sandbox, 'GET', '/pis/v2/payments', { token: lower })).status).toBe(200);
  });

  it('checks the token before validating the body', async () => {
    const res = await call(sandbox, 'POST', '/v1/customers', { json: {} });
    expect(res.status).toBe(401);
  });
});
