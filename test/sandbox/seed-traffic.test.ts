import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import formatsModule from 'ajv-formats';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadOpenApi, type OpenApiOperation } from '../../compiler/load/index.js';
import { startFintectureSandbox, type FintectureSandbox } from '../../sandbox/index.js';
import { call, CLIENT_ID, CLIENT_SECRET, mintToken, newRequestId, type CallResult, SIGNATURE_KEYS } from './sandbox-client.js';

const OPENAPI_DIR = join(import.meta.dirname, '../../workflows/openapi');

/**
 * Replays, request by request, what seeds 000 and 001 send, and checks every answer against the
 * response schema its OpenAPI description declares for that status, so the sandbox cannot drift
 * from the descriptions the workflows are compiled against.
 */
describe('Fintecture sandbox: the seed workflows\' traffic', () => {
  let sandbox: FintectureSandbox;
  const operations = new Map<string, OpenApiOperation>();
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  formatsModule.default(ajv);

  beforeAll(async () => {
    for (const file of ['fintecture-oauth-api-openapi.yml', 'fintecture-customers-api-openapi.yml', 'fintecture-pis-api-openapi.yml']) {
      const { openapi } = await loadOpenApi(join(OPENAPI_DIR, file));
      for (const op of openapi!.operations) operations.set(op.operationId!, op);
    }
    sandbox = await startFintectureSandbox({ signatureKeys: SIGNATURE_KEYS });
  });
  afterAll(() => sandbox.close());
  beforeEach(() => sandbox.reset());

  function expectConforms(operationId: string, res: CallResult): void {
    const declared = operations.get(operationId)!.responses[String(res.status)];
    expect(declared, `${operationId} declares no ${res.status} response`).toBeDefined();
    const schema = declared.content?.['application/json']?.schema;
    if (!schema) return;
    const validate = ajv.compile(schema);
    expect(validate(res.body) ? [] : validate.errors).toEqual([]);
  }

  it('seed 000 customer-verification-poll: create, start, poll until verified', async () => {
    const token = await mintToken(sandbox, 'customer');
    const created = await call(sandbox, 'POST', '/v1/customers', { token, json: { first_name: 'Jane', last_name: 'Doe', email: 'jane@example.com' } });
    expect(created.status).toBe(201);
    expectConforms('createCustomer', created);

    const started = await call(sandbox, 'POST', `/v1/customers/${created.body.id}/verification`, {
      token,
      json: { provider_id: 'cmcifrpp', expected_name: 'Jane Doe' },
    });
    expect(started.status).toBe(201);
    expectConforms('initiateCustomerVerification', started);

    const path = `/v1/customers/${created.body.id}/verification/${started.body.id}`;
    let poll: CallResult;
    let polls = 0;
    do {
      poll = await call(sandbox, 'GET', path, { token });
      expect(poll.status).toBe(200);
      expectConforms('getCustomerVerificationById', poll);
      polls += 1;
    } while (poll.body.status === 'pending' && polls < 10);
    expect([poll.body.status, polls]).toEqual(['verified', 3]);
    expect(typeof poll.body.match_score).toBe('number');
  });

  it('seed 000 failure path: the reportFailure re-read sees the settled failure', async () => {
    const token = await mintToken(sandbox, 'customer');
    const created = await call(sandbox, 'POST', '/v1/customers', { token, json: { first_name: 'Jo', last_name: 'Roe', email: 'jo+pending1+unverified@example.com' } });
    const started = await call(sandbox, 'POST', `/v1/customers/${created.body.id}/verification`, { token, json: { provider_id: 'p', expected_name: 'Jo Roe' } });
    const path = `/v1/customers/${created.body.id}/verification/${started.body.id}`;
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await call(sandbox, 'GET', path, { token })).body.status);
    expect(statuses).toEqual(['pending', 'unverified', 'unverified']);
  });

  it('seed 001 token-then-payment: mint, connect, read status', async () => {
    const minted = await call(sandbox, 'POST', '/oauth/accesstoken', {
      form: { grant_type: 'client_credentials', scope: 'PIS', client_id: CLIENT_ID, client_secret: CLIENT_SECRET },
    });
    expect(minted.status).toBe(200);
    expectConforms('createAccessToken', minted);

    const connect = await call(sandbox, 'POST', '/pis/v2/connect', {
      token: minted.body.access_token,
      headers: { 'x-request-id': newRequestId() },
      json: { meta: {}, data: { type: 'PIS', attributes: { amount: '42.00', currency: 'EUR', communication: 'Invoice 42', payment_method: 'immediate_transfer' } } },
    });
    expect(connect.status).toBe(200);
    expectConforms('createPisV2Connect', connect);

    const payment = await call(sandbox, 'GET', `/pis/v2/payments/${connect.body.meta.session_id}`, { token: minted.body.access_token });
    expect(payment.status).toBe(200);
    expectConforms('getPaymentSession', payment);
    expect(payment.body.status).toBe('payment_created');
  });

  it('answers errors in the shape the descriptions declare', async () => {
    const wrongSecret = await call(sandbox, 'POST', '/oauth/accesstoken', {
      form: { grant_type: 'client_credentials', scope: 'PIS', client_id: CLIENT_ID, client_secret: 'nope' },
    });
    expectConforms('createAccessToken', wrongSecret);
    const token = await mintToken(sandbox, 'PIS');
    const invalid = await call(sandbox, 'POST', '/pis/v2/connect', { token, json: { meta: {} }, headers: { 'x-request-id': newRequestId() } });
    expect(invalid.status).toBe(400);
    expectConforms('createPisV2Connect', invalid);
    const unsigned = await call(sandbox, 'POST', '/pis/v2/connect', { token, json: { meta: {} }, sign: false });
    expect(unsigned.status).toBe(401);
    expectConforms('createPisV2Connect', unsigned);
    const unauthorized = await call(sandbox, 'GET', '/pis/v2/payments/x');
    expectConforms('getPaymentSession', unauthorized);
    const notFound = await call(sandbox, 'GET', '/pis/v2/payments/x', { token });
    expectConforms('getPaymentSession', notFound);
  });
});
