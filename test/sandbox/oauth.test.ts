import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFintectureSandbox, type FintectureSandbox } from '../../sandbox/index.js';
import { call, CLIENT_ID, CLIENT_SECRET } from './sandbox-client.js';

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

describe('Fintecture sandbox: POST /oauth/accesstoken', () => {
  let sandbox: FintectureSandbox;
  beforeAll(async () => {
    sandbox = await startFintectureSandbox();
  });
  afterAll(() => sandbox.close());
  beforeEach(() => sandbox.reset());

  it('mints a bearer token from client_id/client_secret in the form body (seed 001)', async () => {
    const res = await call(sandbox, 'POST', '/oauth/accesstoken', {
      form: { grant_type: 'client_credentials', scope: 'PIS', client_id: CLIENT_ID, client_secret: CLIENT_SECRET },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'PIS' });
    expect(res.body.access_token).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(sandbox.stats.tokensIssued).toBe(1);
  });

  it('mints a token from HTTP Basic app_id:app_secret with app_id in the body (official SDKs)', async () => {
    const res = await call(sandbox, 'POST', '/oauth/accesstoken', {
      form: { grant_type: 'client_credentials', scope: 'customer', app_id: CLIENT_ID },
      headers: { authorization: basic(CLIENT_ID, CLIENT_SECRET) },
    });
    expect(res.status).toBe(200);
    expect(res.body.scope).toBe('customer');
  });

  it('issues a different token on every request', async () => {
    const form = { grant_type: 'client_credentials', scope: 'PIS', client_id: CLIENT_ID, client_secret: CLIENT_SECRET };
    const [a, b] = await Promise.all([call(sandbox, 'POST', '/oauth/accesstoken', { form }), call(sandbox, 'POST', '/oauth/accesstoken', { form })]);
    expect(a.body.access_token).not.toBe(b.body.access_token);
  });

  it('answers 401 invalid_client for a wrong secret, in both envelopes', async () => {
    const res = await call(sandbox, 'POST', '/oauth/accesstoken', {
      form: { grant_type: 'client_credentials', scope: 'PIS', client_id: CLIENT_ID, client_secret: 'wrong' },
    });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ status: 401, code: 'invalid_client', error: 'invalid_client' });
    expect(res.body.errors[0].code).toBe('invalid_client');
    expect(res.headers['www-authenticate']).toMatch(/^Basic/);
    expect(sandbox.stats.tokensIssued).toBe(0);
  });

  it('answers 401 for an unknown client, a wrong Basic secret, or missing credentials', async () => {
    const form = { grant_type: 'client_credentials', scope: 'PIS' };
    const unknown = await call(sandbox, 'POST', '/oauth/accesstoken', { form: { ...form, client_id: 'nobody', client_secret: CLIENT_SECRET } });
    const badBasic = await call(sandbox, 'POST', '/oauth/accesstoken', { form, headers: { authorization: basic(CLIENT_ID, 'nope') } });
    const none = await call(sandbox, 'POST', '/oauth/accesstoken', { form });
    expect([unknown.status, badBasic.status, none.status]).toEqual([401, 401, 401]);
  });

  it('refuses Basic and body credentials that name different applications', async () => {
    const res = await call(sandbox, 'POST', '/oauth/accesstoken', {
      form: { grant_type: 'client_credentials', scope: 'PIS', client_id: 'other-app' },
      headers: { authorization: basic(CLIENT_ID, CLIENT_SECRET) },
    });
    expect(res.status).toBe(401);
  });

  it('accepts only the clients it was started with', async () => {
    const custom = await startFintectureSandbox({ clients: { 'acme-app': 's3cret' } });
    try {
      const ok = await call(custom, 'POST', '/oauth/accesstoken', {
        form: { grant_type: 'client_credentials', scope: 'PIS', client_id: 'acme-app', client_secret: 's3cret' },
      });
      const defaults = await call(custom, 'POST', '/oauth/accesstoken', {
        form: { grant_type: 'client_credentials', scope: 'PIS', client_id: CLIENT_ID, client_secret: CLIENT_SECRET },
      });
      expect([ok.status, defaults.status]).toEqual([200, 401]);
    } finally {
      await custom.close();
    }
  });

  it('validates the form against the description: grant_type is required and enumerated', async () => {
    const missing = await call(sandbox, 'POST', '/oauth/accesstoken', { form: { scope: 'PIS', client_id: CLIENT_ID, client_secret: CLIENT_SECRET } });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ code: 'invalid_request', error: 'invalid_request' });
    expect(missing.body.errors).toContainEqual(expect.objectContaining({ code: 'missing_field', source: { pointer: '/grant_type' } }));

    const bogus = await call(sandbox, 'POST', '/oauth/accesstoken', { form: { grant_type: 'password', client_id: CLIENT_ID, client_secret: CLIENT_SECRET } });
    expect(bogus.status).toBe(400);
    expect(bogus.body.errors[0]).toMatchObject({ code: 'invalid_field', source: { pointer: '/grant_type' } });
  });

  it('answers authorization_code with unsupported_grant_type and a missing or unknown scope with invalid_scope', async () => {
    const creds = { client_id: CLIENT_ID, client_secret: CLIENT_SECRET };
    const code = await call(sandbox, 'POST', '/oauth/accesstoken', { form: { grant_type: 'authorization_code', code: 'abc', ...creds } });
    const noScope = await call(sandbox, 'POST', '/oauth/accesstoken', { form: { grant_type: 'client_credentials', ...creds } });
    const badScope = await call(sandbox, 'POST', '/oauth/accesstoken', { form: { grant_type: 'client_credentials', scope: 'payments', ...creds } });
    expect([code.status, code.body.error]).toEqual([400, 'unsupported_grant_type']);
    expect([noScope.status, noScope.body.error]).toEqual([400, 'invalid_scope']);
    expect([badScope.status, badScope.body.error]).toEqual([400, 'invalid_scope']);
  });

  it('answers 415 when the body is JSON instead of form-urlencoded', async () => {
    const res = await call(sandbox, 'POST', '/oauth/accesstoken', {
      json: { grant_type: 'client_credentials', scope: 'PIS', client_id: CLIENT_ID, client_secret: CLIENT_SECRET },
    });
    expect(res.status).toBe(415);
    expect(res.body.code).toBe('unsupported_media_type');
  });

  it('has no refresh tokens to exchange', async () => {
    const res = await call(sandbox, 'POST', '/oauth/refreshtoken', {
      form: { grant_type: 'refresh_token', refresh_token: 'r1', client_id: CLIENT_ID, client_secret: CLIENT_SECRET },
    });
    expect([res.status, res.body.error]).toEqual([400, 'invalid_grant']);
  });
});
