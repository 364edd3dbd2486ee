import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFintectureSandbox, type FintectureSandbox } from '../../sandbox/index.js';
import { call, mintToken } from './sandbox-client.js';

describe('Fintecture sandbox: Customers API', () => {
  let sandbox: FintectureSandbox;
  let token: string;
  beforeAll(async () => {
    sandbox = await startFintectureSandbox();
  });
  afterAll(() => sandbox.close());
  beforeEach(async () => {
    sandbox.reset();
    sandbox.setScenario({});
    token = await mintToken(sandbox, 'customer');
  });

  async function createCustomer(email = 'jane@example.com') {
    const res = await call(sandbox, 'POST', '/v1/customers', { json: { first_name: 'Jane', last_name: 'Doe', email }, token });
    expect(res.status).toBe(201);
    return res.body.id as string;
  }

  async function startVerification(customerId: string) {
    const res = await call(sandbox, 'POST', `/v1/customers/${customerId}/verification`, {
      json: { provider_id: 'provider-fr-1', expected_name: 'Jane Doe' },
      token,
    });
    expect(res.status).toBe(201);
    expect(res.body.status).toBe('pending');
    return res.body.id as string;
  }

  async function poll(customerId: string, verificationId: string, times: number) {
    const statuses: string[] = [];
    for (let i = 0; i < times; i++) {
      const res = await call(sandbox, 'GET', `/v1/customers/${customerId}/verification/${verificationId}`, { token });
      expect(res.status).toBe(200);
      statuses.push(res.body.status);
    }
    return statuses;
  }

  it('creates a customer (201, cus_ id) and reads it back', async () => {
    const res = await call(sandbox, 'POST', '/v1/customers', {
      json: { first_name: 'Jane', last_name: 'Doe', email: 'jane@example.com', phone: '+33600000000' },
      token,
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ first_name: 'Jane', last_name: 'Doe', email: 'jane@example.com', phone: '+33600000000' });
    expect(res.body.id).toMatch(/^cus_[A-Za-z0-9]{24}$/);
    expect(Date.parse(res.body.created_at)).not.toBeNaN();

    const got = await call(sandbox, 'GET', `/v1/customers/${res.body.id}`, { token });
    expect(got.status).toBe(200);
    expect(got.body).toEqual(res.body);
    expect(sandbox.stats.customersCreated).toBe(1);
  });

  it('answers 400 listing the problem when the required email is missing', async () => {
    const res = await call(sandbox, 'POST', '/v1/customers', { json: { first_name: 'Jane', last_name: 'Doe' }, token });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: 400, code: 'invalid_request' });
    expect(res.body.log_id).toEqual(expect.any(String));
    expect(res.body.errors).toEqual([expect.objectContaining({ code: 'missing_field', source: { pointer: '/email' } })]);
    expect(sandbox.stats.customersCreated).toBe(0);
  });

  it('answers 400 for a malformed email, a wrong type and broken JSON', async () => {
    const badEmail = await call(sandbox, 'POST', '/v1/customers', { json: { first_name: 'J', last_name: 'D', email: 'not-an-email' }, token });
    expect(badEmail.status).toBe(400);
    expect(badEmail.body.errors[0]).toMatchObject({ code: 'invalid_field', source: { pointer: '/email' } });

    const wrongType = await call(sandbox, 'POST', '/v1/customers', { json: { first_name: 1, last_name: 'D', email: 'j@example.com' }, token });
    expect(wrongType.body.errors[0].source).toEqual({ pointer: '/first_name' });

    const broken = await call(sandbox, 'POST', '/v1/customers', {
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      form: { not: 'json' },
    });
    expect(broken.status).toBe(400);
    expect(broken.body.errors[0].code).toBe('invalid_json');
  });

  it('answers 415 for a form body on a JSON operation', async () => {
    const res = await call(sandbox, 'POST', '/v1/customers', { form: { first_name: 'J', last_name: 'D', email: 'j@example.com' }, token });
    expect(res.status).toBe(415);
  });

  it('answers 404 for an unknown customer and hides other applications\' customers', async () => {
    const missing = await call(sandbox, 'GET', '/v1/customers/cus_nope', { token });
    expect([missing.status, missing.body.code]).toEqual([404, 'customer_not_found']);

    const other = await startFintectureSandbox({ clients: { a: 'sa', b: 'sb' } });
    try {
      const mint = async (id: string, secret: string) =>
        (await call(other, 'POST', '/oauth/accesstoken', { form: { grant_type: 'client_credentials', scope: 'customer', client_id: id, client_secret: secret } })).body
          .access_token as string;
      const [ta, tb] = [await mint('a', 'sa'), await mint('b', 'sb')];
      const created = await call(other, 'POST', '/v1/customers', { json: { first_name: 'A', last_name: 'A', email: 'a@example.com' }, token: ta });
      expect((await call(other, 'GET', `/v1/customers/${created.body.id}`, { token: ta })).status).toBe(200);
      expect((await call(other, 'GET', `/v1/customers/${created.body.id}`, { token: tb })).status).toBe(404);
    } finally {
      await other.close();
    }
  });

  it('keeps a verification pending for 2 reads, then settles verified with a match_score (default scenario)', async () => {
    const customerId = await createCustomer();
    const verificationId = await startVerification(customerId);
    expect(verificationId).toMatch(/^ver_/);
    expect(await poll(customerId, verificationId, 4)).toEqual(['pending', 'pending', 'verified', 'verified']);

    const settled = await call(sandbox, 'GET', `/v1/customers/${customerId}/verification/${verificationId}`, { token });
    expect(settled.body).toMatchObject({ id: verificationId, status: 'verified', provider_id: 'provider-fr-1', match_score: 0.97 });
    expect(Date.parse(settled.body.verified_at)).not.toBeNaN();
  });

  it('omits match_score while pending', async () => {
    const customerId = await createCustomer();
    const verificationId = await startVerification(customerId);
    const res = await call(sandbox, 'GET', `/v1/customers/${customerId}/verification/${verificationId}`, { token });
    expect(res.body.status).toBe('pending');
    expect(res.body).not.toHaveProperty('match_score');
  });

  it('follows the sandbox scenario: pendingPolls and outcome', async () => {
    sandbox.setScenario({ verification: { pendingPolls: 0, outcome: 'unverified' } });
    const customerId = await createCustomer();
    const verificationId = await startVerification(customerId);
    expect(await poll(customerId, verificationId, 2)).toEqual(['unverified', 'unverified']);
  });

  it('fixes the plan when the verification starts: a later scenario change does not move it', async () => {
    const customerId = await createCustomer();
    const verificationId = await startVerification(customerId);
    sandbox.setScenario({ verification: { pendingPolls: 0, outcome: 'failed' } });
    expect(await poll(customerId, verificationId, 3)).toEqual(['pending', 'pending', 'verified']);
  });

  it('lets a magic e-mail tag choose the outcome per customer: +pending3+failed', async () => {
    const customerId = await createCustomer('jane+pending3+failed@example.com');
    const verificationId = await startVerification(customerId);
    const statuses = await poll(customerId, verificationId, 5);
    expect(statuses).toEqual(['pending', 'pending', 'pending', 'failed', 'failed']);
    const last = await call(sandbox, 'GET', `/v1/customers/${customerId}/verification/${verificationId}`, { token });
    expect(last.body).not.toHaveProperty('match_score');
    expect(last.body).not.toHaveProperty('verified_at');
  });

  it('runs concurrent customers with different tags against one sandbox independently', async () => {
    const [a, b, c] = await Promise.all([
      createCustomer('a+pending0+unverified+score40@example.com'),
      createCustomer('b+pending1+verified+score88@example.com'),
      createCustomer('c@example.com'),
    ]);
    const [va, vb, vc] = await Promise.all([startVerification(a), startVerification(b), startVerification(c)]);
    const [sa, sb, sc] = await Promise.all([poll(a, va, 3), poll(b, vb, 3), poll(c, vc, 3)]);
    expect(sa).toEqual(['unverified', 'unverified', 'unverified']);
    expect(sb).toEqual(['pending', 'verified', 'verified']);
    expect(sc).toEqual(['pending', 'pending', 'verified']);
    const scoreA = await call(sandbox, 'GET', `/v1/customers/${a}/verification/${va}`, { token });
    const scoreB = await call(sandbox, 'GET', `/v1/customers/${b}/verification/${vb}`, { token });
    expect([scoreA.body.match_score, scoreB.body.match_score]).toEqual([0.4, 0.88]);
  });

  it('never settles with +never (or pendingPolls: Infinity)', async () => {
    const tagged = await createCustomer('jane+never@example.com');
    const vt = await startVerification(tagged);
    expect(new Set(await poll(tagged, vt, 25))).toEqual(new Set(['pending']));

    sandbox.setScenario({ verification: { pendingPolls: Infinity } });
    const plain = await createCustomer();
    const vp = await startVerification(plain);
    expect(new Set(await poll(plain, vp, 10))).toEqual(new Set(['pending']));
  });

  it('answers 404 for a verification of another customer', async () => {
    const one = await createCustomer();
    const two = await createCustomer('two@example.com');
    const verificationId = await startVerification(one);
    const res = await call(sandbox, 'GET', `/v1/customers/${two}/verification/${verificationId}`, { token });
    expect([res.status, res.body.code]).toEqual([404, 'verification_not_found']);
  });

  it('lists customers and verifications without counting list reads as polls', async () => {
    const customerId = await createCustomer();
    const verificationId = await startVerification(customerId);
    for (let i = 0; i < 3; i++) {
      const list = await call(sandbox, 'GET', `/v1/customers/${customerId}/verifications`, { token });
      expect(list.body.data).toEqual([expect.objectContaining({ id: verificationId, status: 'pending' })]);
    }
    expect(await poll(customerId, verificationId, 1)).toEqual(['pending']);
    const customers = await call(sandbox, 'GET', '/v1/customers?page[size]=10&page[number]=1', { token });
    expect(customers.body.meta.count).toBe(1);
    const badPage = await call(sandbox, 'GET', '/v1/customers?page[size]=ten', { token });
    expect(badPage.status).toBe(400);
    expect(badPage.body.errors[0]).toMatchObject({ code: 'invalid_parameter', source: { parameter: 'page[size]' } });
  });

  it('stores bank accounts per customer', async () => {
    const customerId = await createCustomer();
    const created = await call(sandbox, 'POST', `/v1/customers/${customerId}/bank-accounts`, {
      json: { iban: 'FR7630006000011234567890189', holder_name: 'Jane Doe' },
      token,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ iban: 'FR7630006000011234567890189', verified: false });
    const got = await call(sandbox, 'GET', `/v1/customers/${customerId}/bank-accounts/${created.body.id}`, { token });
    expect(got.body).toEqual(created.body);
    const missing = await call(sandbox, 'POST', `/v1/customers/${customerId}/bank-accounts`, { json: { iban: 'FR76' }, token });
    expect(missing.status).toBe(400);
  });
});
