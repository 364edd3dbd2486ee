import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import type { WorkflowPlan } from '../../core/plan.js';
import { startMbanqSandbox, startSandboxes, type MbanqSandbox } from '../../sandbox/index.js';

const TENANT = 'acme-bank';
const OTHER_TENANT = 'other-bank';
const USER = 'onboarding-bot';
const PASSWORD = 'correct horse battery staple';
const APP = 'onboarding-app';
const APP_SECRET = 'app-secret-7f3a';
const TODAY = Date.UTC(2025, 2, 10, 12); // 10 March 2025, the sandbox clock

interface Result {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: any;
}

interface CallOptions {
  readonly tenant?: string | null;
  readonly token?: string;
  readonly json?: unknown;
  readonly form?: Record<string, string>;
  readonly headers?: Record<string, string>;
}

describe('Mbanq sandbox over HTTP', () => {
  let sandbox: MbanqSandbox;
  let clock = TODAY;

  /** One real HTTP exchange over loopback; `tenant: null` sends no tenantId header. */
  async function call(method: string, path: string, options: CallOptions = {}): Promise<Result> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.tenant !== null) headers.tenantid = options.tenant ?? TENANT;
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['content-type'] ??= 'application/json';
    } else if (options.form) {
      body = new URLSearchParams(options.form).toString();
      headers['content-type'] ??= 'application/x-www-form-urlencoded';
    }
    const res = await request(`${sandbox.url}${path}`, { method: method as 'GET', headers, body });
    const text = await res.body.text();
    return { status: res.statusCode, headers: res.headers, body: text && String(res.headers['content-type']).includes('json') ? JSON.parse(text) : text };
  }

  const tokenForm = (overrides: Record<string, string> = {}) => ({
    grant_type: 'password',
    username: USER,
    password: PASSWORD,
    client_id: APP,
    client_secret: APP_SECRET,
    ...overrides,
  });

  async function token(tenant = TENANT): Promise<string> {
    const res = await call('POST', '/oauth/token', { tenant, form: tokenForm() });
    expect(res.status).toBe(200);
    return res.body.access_token;
  }

  const person = (overrides: Record<string, unknown> = {}) => ({
    officeId: 1,
    firstname: 'Maria',
    lastname: 'Lopez',
    emailAddress: 'maria@example.com',
    mobileNo: '+1 415 555 0134',
    address: [{ addressLine1: '500 Market Street', city: 'San Francisco', postalCode: '94105', countryCode: 'US' }],
    submittedOnDate: '03 March 2025',
    dateFormat: 'dd MMMM yyyy',
    locale: 'en',
    ...overrides,
  });

  async function createClient(bearer: string, overrides: Record<string, unknown> = {}, tenant = TENANT): Promise<number> {
    const res = await call('POST', '/v1/clients', { tenant, token: bearer, json: person(overrides) });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.clientId;
  }

  const verify = (bearer: string, id: number, kycVerificationType = 'FULL') =>
    call('POST', `/v1/clients/${id}?command=verify`, { token: bearer, json: { kycVerificationType } });
  const activate = (bearer: string, id: number, activationDate = '05 March 2025') =>
    call('POST', `/v1/clients/${id}?command=activate`, { token: bearer, json: { activationDate, dateFormat: 'dd MMMM yyyy', locale: 'en' } });
  const addPassport = (bearer: string, id: number, documentKey = `P-${id}`) =>
    call('POST', `/v1/clients/${id}/identifiers`, { token: bearer, json: { documentTypeId: 1, documentKey } });

  beforeAll(async () => {
    sandbox = await startMbanqSandbox({
      tenants: {
        [TENANT]: { users: { [USER]: PASSWORD }, oauthClients: { [APP]: APP_SECRET } },
        [OTHER_TENANT]: { users: { [USER]: PASSWORD }, oauthClients: { [APP]: APP_SECRET } },
      },
      now: () => clock,
    });
  });
  afterAll(() => sandbox.close());
  beforeEach(() => {
    clock = TODAY;
    sandbox.setScenario({});
    sandbox.reset();
  });

  describe('POST /oauth/token (password grant)', () => {
    it('issues an opaque bearer token that must not be cached', async () => {
      const res = await call('POST', '/oauth/token', { form: tokenForm() });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ access_token: expect.stringMatching(/^[A-Za-z0-9_-]{40,}$/), token_type: 'bearer', expires_in: 3600, scope: 'all' });
      expect(res.headers['cache-control']).toBe('no-store');
      expect(sandbox.stats.tokensIssued).toBe(1);
    });

    it('answers RFC 6749 errors: 400 invalid_grant for a wrong password, 401 invalid_client for a wrong client secret or an unknown tenant', async () => {
      const wrongPassword = await call('POST', '/oauth/token', { form: tokenForm({ password: 'nope' }) });
      const unknownUser = await call('POST', '/oauth/token', { form: tokenForm({ username: 'nobody' }) });
      const wrongSecret = await call('POST', '/oauth/token', { form: tokenForm({ client_secret: 'nope' }) });
      const unknownTenant = await call('POST', '/oauth/token', { tenant: 'no-such-bank', form: tokenForm() });
      expect(wrongPassword).toMatchObject({ status: 400, body: { error: 'invalid_grant', error_description: 'Bad credentials' } });
      expect(unknownUser).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
      expect(wrongSecret).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
      expect(wrongSecret.headers['www-authenticate']).toMatch(/^Basic/);
      expect(unknownTenant).toMatchObject({ status: 401, body: { error: 'invalid_client', error_description: 'unknown tenant "no-such-bank"' } });
      expect(sandbox.stats.tokensIssued).toBe(0);
    });

    it('refuses other grant types and incomplete requests', async () => {
      const grant = await call('POST', '/oauth/token', { form: tokenForm({ grant_type: 'client_credentials' }) });
      expect(grant).toMatchObject({ status: 400, body: { error: 'unsupported_grant_type' } });
      const { client_secret: _omitted, ...withoutSecret } = tokenForm();
      const missing = await call('POST', '/oauth/token', { form: withoutSecret });
      expect(missing.status).toBe(400);
      expect(missing.body.error).toBe('invalid_request');
      expect(missing.body.error_description).toContain('client_secret');
      const noTenant = await call('POST', '/oauth/token', { tenant: null, form: tokenForm() });
      expect(noTenant.status).toBe(400);
      expect(noTenant.body.error_description).toContain('tenantId');
    });

    it('a token expires after expires_in seconds of the sandbox clock', async () => {
      sandbox.setScenario({ tokens: { expiresInSeconds: 60 } });
      const bearer = await token();
      const id = await createClient(bearer);
      clock += 59_000;
      expect((await call('GET', `/v1/clients/${id}`, { token: bearer })).status).toBe(200);
      clock += 1_000;
      const expired = await call('GET', `/v1/clients/${id}`, { token: bearer });
      expect(expired.status).toBe(401);
      expect(expired.body).toMatchObject({ httpStatusCode: '401', userMessageGlobalisationCode: 'error.msg.not.authenticated', errors: [] });
      expect(expired.body.developerMessage).toContain('expired');
    });
  });

  describe('tenant and authentication on /v1', () => {
    it('answers 400 invalid tenant identifier for a missing or unknown tenantId, before authentication', async () => {
      const missing = await call('GET', '/v1/clients/1', { tenant: null });
      const unknown = await call('GET', '/v1/clients/1', { tenant: 'no-such-bank' });
      for (const res of [missing, unknown]) {
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({ httpStatusCode: '400', userMessageGlobalisationCode: 'error.msg.invalid.tenant.identifier', errors: [] });
      }
      expect(unknown.body.developerMessage).toBe('The tenant identifier: no-such-bank is invalid.');
    });

    it('answers 401 without a token, with an unknown token, or with a token of another tenant', async () => {
      const otherTenantToken = await token(OTHER_TENANT);
      const none = await call('GET', '/v1/clients/1');
      const unknown = await call('GET', '/v1/clients/1', { token: 'not-a-token' });
      const foreign = await call('GET', '/v1/clients/1', { token: otherTenantToken });
      expect([none.status, unknown.status, foreign.status]).toEqual([401, 401, 401]);
      expect(foreign.body.developerMessage).toContain('another tenant');
      expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
    });

    it('keeps each tenant\'s clients apart: ids restart per tenant and another tenant gets 404', async () => {
      const a = await token(TENANT);
      const b = await token(OTHER_TENANT);
      const inA = await createClient(a, {}, TENANT);
      const inB = await createClient(b, { firstname: 'Bob' }, OTHER_TENANT);
      expect([inA, inB]).toEqual([1, 1]);
      const second = await createClient(a, {}, TENANT);
      expect(second).toBe(2);
      const fromB = await call('GET', `/v1/clients/${second}`, { tenant: OTHER_TENANT, token: b });
      expect(fromB.status).toBe(404);
      expect(fromB.body.errors[0]).toMatchObject({ userMessageGlobalisationCode: 'error.msg.client.id.invalid', developerMessage: 'Client with identifier 2 does not exist' });
    });
  });

  describe('client lifecycle Pending → Verified → Active', () => {
    it('creates a Pending client, answering Fineract\'s command result', async () => {
      const bearer = await token();
      const res = await call('POST', '/v1/clients', { token: bearer, json: person() });
      expect(res).toMatchObject({ status: 200, body: { officeId: 1, clientId: 1, resourceId: 1 } });
      const read = await call('GET', '/v1/clients/1', { token: bearer });
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({
        id: 1,
        accountNo: '000000001',
        officeId: 1,
        officeName: 'Head Office',
        status: { id: 100, code: 'clientStatusType.pending', value: 'Pending' },
        subStatus: null,
        active: false,
        displayName: 'Maria Lopez',
        emailAddress: 'maria@example.com',
        legalForm: { id: 1, value: 'PERSON' },
        timeline: { submittedOnDate: [2025, 3, 3] },
      });
      expect(read.body).not.toHaveProperty('kycVerificationType');
    });

    it('identifier, verify FULL, activate: status moves Pending → Verified → Active', async () => {
      const bearer = await token();
      const id = await createClient(bearer);
      const identifier = await addPassport(bearer, id);
      expect(identifier).toMatchObject({ status: 200, body: { officeId: 1, clientId: id, resourceId: 1 } });

      const verified = await verify(bearer, id);
      expect(verified.status).toBe(200);
      expect(verified.body).toMatchObject({ clientId: id, resourceId: id, changes: { status: { value: 'Verified' }, kycVerificationType: 'FULL' } });
      const afterVerify = (await call('GET', `/v1/clients/${id}`, { token: bearer })).body;
      expect(afterVerify).toMatchObject({ status: { id: 200, value: 'Verified' }, subStatus: { value: 'Verified' }, kycVerificationType: 'FULL', active: false });

      const activated = await activate(bearer, id);
      expect(activated).toMatchObject({ status: 200, body: { clientId: id, changes: { status: { value: 'Active' }, activationDate: '05 March 2025' } } });
      const afterActivate = (await call('GET', `/v1/clients/${id}`, { token: bearer })).body;
      expect(afterActivate).toMatchObject({
        status: { id: 300, code: 'clientStatusType.active', value: 'Active' },
        subStatus: { value: 'Verified' },
        active: true,
        timeline: { submittedOnDate: [2025, 3, 3], activatedOnDate: [2025, 3, 5] },
      });
      expect(sandbox.stats).toMatchObject({ clientsCreated: 1, identifiersCreated: 1, verifications: 1, verificationsRefused: 0, activations: 1 });
    });

    it('FULL verification without an identity document is a 403 domain rule violation naming it, and the client stays Pending', async () => {
      const bearer = await token();
      const id = await createClient(bearer);
      const res = await verify(bearer, id, 'FULL');
      expect(res.status).toBe(403);
      expect(res.body).toEqual({
        developerMessage: 'Request was understood but caused a domain rule violation.',
        httpStatusCode: '403',
        defaultUserMessage: 'Errors contain reason for domain rule violation.',
        userMessageGlobalisationCode: 'validation.msg.domain.rule.violation',
        errors: [
          {
            developerMessage: `Client ${id} has no identity document; FULL KYC verification needs one (Passport, SSN, ITIN, Driver's license, National ID card).`,
            defaultUserMessage: `Client ${id} has no identity document; FULL KYC verification needs one (Passport, SSN, ITIN, Driver's license, National ID card).`,
            userMessageGlobalisationCode: 'error.msg.clients.kyc.verification.identifier.missing',
            parameterName: 'id',
            value: null,
            args: [{ value: id }, { value: 'FULL' }],
          },
        ],
      });
      const read = (await call('GET', `/v1/clients/${id}`, { token: bearer })).body;
      expect(read.status.value).toBe('Pending');
      expect(read.subStatus).toBeNull();
      expect(sandbox.stats).toMatchObject({ verifications: 0, verificationsRefused: 1 });
    });

    it('lists every missing requirement: identifier, primary address, e-mail, mobile; PARTIAL needs contact details only', async () => {
      const bearer = await token();
      const bare = await createClient(bearer, { emailAddress: undefined, mobileNo: undefined, address: undefined });
      const full = await verify(bearer, bare, 'FULL');
      expect(full.status).toBe(403);
      expect(full.body.errors.map((e: any) => e.userMessageGlobalisationCode)).toEqual([
        'error.msg.clients.kyc.verification.identifier.missing',
        'error.msg.clients.kyc.verification.primary.address.missing',
        'error.msg.clients.kyc.verification.email.missing',
        'error.msg.clients.kyc.verification.mobile.missing',
      ]);
      const partial = await verify(bearer, bare, 'PARTIAL');
      expect(partial.body.errors.map((e: any) => e.userMessageGlobalisationCode)).toEqual([
        'error.msg.clients.kyc.verification.email.missing',
        'error.msg.clients.kyc.verification.mobile.missing',
      ]);

      const contactable = await createClient(bearer);
      const ok = await verify(bearer, contactable, 'PARTIAL');
      expect(ok.status).toBe(200);
      expect((await call('GET', `/v1/clients/${contactable}`, { token: bearer })).body.kycVerificationType).toBe('PARTIAL');
    });

    it('activate before verify, activate twice and verify after activation are 403 domain rule violations', async () => {
      const bearer = await token();
      const id = await createClient(bearer);
      const early = await activate(bearer, id);
      expect(early.status).toBe(403);
      expect(early.body.userMessageGlobalisationCode).toBe('validation.msg.domain.rule.violation');
      expect(early.body.errors[0].userMessageGlobalisationCode).toBe('error.msg.clients.activation.requires.verification');
      expect((await call('GET', `/v1/clients/${id}`, { token: bearer })).body.status.value).toBe('Pending');

      await addPassport(bearer, id);
      expect((await verify(bearer, id)).status).toBe(200);
      const again = await verify(bearer, id);
      expect(again.body.errors[0].userMessageGlobalisationCode).toBe('error.msg.clients.already.verified');
      expect((await activate(bearer, id)).status).toBe(200);
      const twice = await activate(bearer, id);
      expect(twice.status).toBe(403);
      expect(twice.body.errors[0]).toMatchObject({ userMessageGlobalisationCode: 'error.msg.clients.already.active', developerMessage: `Client with identifier ${id} is already active.` });
      expect((await verify(bearer, id)).body.errors[0].userMessageGlobalisationCode).toBe('error.msg.clients.already.active');
      expect(sandbox.stats.activations).toBe(1);
    });

    it('activation dates: in the future 400, before submission 403, in another format read with dateFormat', async () => {
      const bearer = await token();
      const id = await createClient(bearer);
      await addPassport(bearer, id);
      await verify(bearer, id);
      const future = await activate(bearer, id, '11 March 2025');
      expect(future.status).toBe(400);
      expect(future.body.errors[0]).toMatchObject({ parameterName: 'activationDate', userMessageGlobalisationCode: 'validation.msg.client.activationDate.is.greater.than.date' });
      const beforeSubmission = await activate(bearer, id, '02 March 2025');
      expect(beforeSubmission.status).toBe(403);
      expect(beforeSubmission.body.errors[0].userMessageGlobalisationCode).toBe('error.msg.clients.submittedOnDate.after.activation.date');
      const garbled = await activate(bearer, id, '2025-03-05');
      expect(garbled.status).toBe(400);
      expect(garbled.body.errors[0]).toMatchObject({ parameterName: 'activationDate', userMessageGlobalisationCode: 'validation.msg.client.activationDate.is.invalid' });
      const iso = await call('POST', `/v1/clients/${id}?command=activate`, { token: bearer, json: { activationDate: '2025-03-05', dateFormat: 'yyyy-MM-dd', locale: 'en' } });
      expect(iso.status).toBe(200);
      expect((await call('GET', `/v1/clients/${id}`, { token: bearer })).body.timeline.activatedOnDate).toEqual([2025, 3, 5]);
    });
  });

  describe('validation against the OpenAPI description, in Fineract\'s envelope', () => {
    it('a create without firstname and with an unknown member: 400 listing both', async () => {
      const bearer = await token();
      const res = await call('POST', '/v1/clients', { token: bearer, json: { ...person({ firstname: undefined }), nickname: 'Mary' } });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({
        httpStatusCode: '400',
        developerMessage: 'The request was invalid. This typically will happen due to validation errors which are provided.',
        defaultUserMessage: 'Validation errors exist.',
        userMessageGlobalisationCode: 'validation.msg.validation.errors.exist',
      });
      expect(res.body.errors).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ parameterName: 'firstname', userMessageGlobalisationCode: 'validation.msg.client.firstname.cannot.be.blank' }),
          expect.objectContaining({ parameterName: 'nickname', userMessageGlobalisationCode: 'error.msg.parameter.unsupported' }),
        ]),
      );
      expect(sandbox.stats.clientsCreated).toBe(0);
    });

    it('a command other than verify/activate, or a body of the other command, is a 400', async () => {
      const bearer = await token();
      const id = await createClient(bearer);
      const reject = await call('POST', `/v1/clients/${id}?command=reject`, { token: bearer, json: { kycVerificationType: 'FULL' } });
      expect(reject.status).toBe(400);
      expect(reject.body.errors[0].parameterName).toBe('command');
      const mixed = await call('POST', `/v1/clients/${id}?command=verify`, { token: bearer, json: { activationDate: '05 March 2025', dateFormat: 'dd MMMM yyyy', locale: 'en' } });
      expect(mixed.status).toBe(400);
      expect(mixed.body.errors.map((e: any) => e.parameterName).sort()).toEqual(['activationDate', 'dateFormat', 'kycVerificationType', 'locale']);
      const level = await verify(bearer, id, 'BASIC');
      expect(level.status).toBe(400);
      expect((await call('GET', `/v1/clients/${id}`, { token: bearer })).body.status.value).toBe('Pending');
    });

    it('a client id that is not an integer is a 400; an unknown one a 404', async () => {
      const bearer = await token();
      expect((await call('GET', '/v1/clients/abc', { token: bearer })).status).toBe(400);
      const unknown = await call('GET', '/v1/clients/999', { token: bearer });
      expect(unknown.status).toBe(404);
      expect(unknown.body).toMatchObject({ httpStatusCode: '404', userMessageGlobalisationCode: 'error.msg.resource.not.found' });
    });
  });

  describe('identifiers', () => {
    it('unknown document type 404, a second document of a type 403, a key already used by another client 403', async () => {
      const bearer = await token();
      const id = await createClient(bearer);
      const other = await createClient(bearer);
      const unknownType = await call('POST', `/v1/clients/${id}/identifiers`, { token: bearer, json: { documentTypeId: 99, documentKey: 'X' } });
      expect(unknownType.status).toBe(404);
      expect(unknownType.body.errors[0].userMessageGlobalisationCode).toBe('error.msg.codevalue.id.invalid');
      expect((await addPassport(bearer, id, 'P-1')).status).toBe(200);
      const secondPassport = await addPassport(bearer, id, 'P-2');
      expect(secondPassport.status).toBe(403);
      expect(secondPassport.body.errors[0].userMessageGlobalisationCode).toBe('error.msg.clientIdentifier.type.duplicate');
      const sameKey = await addPassport(bearer, other, 'P-1');
      expect(sameKey.status).toBe(403);
      expect(sameKey.body.errors[0].userMessageGlobalisationCode).toBe('error.msg.clientIdentifier.identityKey.duplicate');
      const ssn = await call('POST', `/v1/clients/${id}/identifiers`, { token: bearer, json: { documentTypeId: 2, documentKey: '123-45-6789', description: 'SSN card' } });
      expect(ssn).toMatchObject({ status: 200, body: { clientId: id, resourceId: 2 } });
      const missingKey = await call('POST', `/v1/clients/${id}/identifiers`, { token: bearer, json: { documentTypeId: 3 } });
      expect(missingKey.body.errors[0]).toMatchObject({ parameterName: 'documentKey', userMessageGlobalisationCode: 'validation.msg.clientIdentifier.documentKey.cannot.be.blank' });
    });
  });

  describe('faults, request log and stats', () => {
    it('injects a 503 in Fineract\'s envelope on /v1 and in RFC 6749\'s on the token endpoint', async () => {
      const bearer = await token();
      const id = await createClient(bearer);
      sandbox.setScenario({ faults: [{ operationId: 'getClient', status: 503, times: 1 }, { operationId: 'requestAccessToken', status: 503, times: 1 }] });
      const read = await call('GET', `/v1/clients/${id}`, { token: bearer });
      expect(read.status).toBe(503);
      expect(read.body).toMatchObject({ httpStatusCode: '503', userMessageGlobalisationCode: 'error.msg.service.unavailable' });
      expect((await call('GET', `/v1/clients/${id}`, { token: bearer })).status).toBe(200);
      const mint = await call('POST', '/oauth/token', { form: tokenForm() });
      expect(mint).toMatchObject({ status: 503, body: { error: 'temporarily_unavailable' } });
      expect(sandbox.stats.faultsInjected).toBe(2);
    });

    it('a fault after the operation (when: after) loses the answer of a verify that did happen', async () => {
      const bearer = await token();
      const id = await createClient(bearer);
      await addPassport(bearer, id);
      sandbox.setScenario({ faults: [{ operationId: 'clientCommand', status: 502, when: 'after', times: 1 }] });
      expect((await verify(bearer, id)).status).toBe(502);
      expect((await call('GET', `/v1/clients/${id}`, { token: bearer })).body.status.value).toBe('Verified');
    });

    it('logs method, path, operation and status, never tokens, passwords or bodies; counts per operation', async () => {
      const bearer = await token();
      const id = await createClient(bearer);
      await verify(bearer, id);
      await call('GET', '/nowhere', { token: bearer });
      expect(sandbox.requestLog.map((e) => [e.method, e.path, e.operationId, e.status])).toEqual([
        ['POST', '/oauth/token', 'requestAccessToken', 200],
        ['POST', '/v1/clients', 'createClient', 200],
        ['POST', `/v1/clients/${id}`, 'clientCommand', 403],
        ['GET', '/nowhere', undefined, 404],
      ]);
      const logged = JSON.stringify(sandbox.requestLog) + JSON.stringify(sandbox.stats);
      for (const secret of [bearer, PASSWORD, APP_SECRET, 'Maria', 'verify']) expect(logged).not.toContain(secret);
      expect(sandbox.stats.byOperation).toEqual({ requestAccessToken: 1, createClient: 1, clientCommand: 1, '(unrouted)': 1 });
      expect(sandbox.stats.byStatus).toEqual({ 200: 2, 403: 1, 404: 1 });
    });

    it('reset forgets tokens and clients but keeps the tenants', async () => {
      const bearer = await token();
      await createClient(bearer);
      sandbox.reset();
      expect((await call('GET', '/v1/clients/1', { token: bearer })).status).toBe(401);
      const fresh = await token();
      expect((await call('GET', '/v1/clients/1', { token: fresh })).status).toBe(404);
      expect(sandbox.stats.requests).toBe(3);
    });

    it('an invalid scenario throws at setup', () => {
      expect(() => sandbox.setScenario({ tokens: { expiresInSeconds: 0 } })).toThrow(RangeError);
      expect(() => sandbox.setScenario({ faults: [{ status: 99 }] })).toThrow(RangeError);
    });
  });

  it('the sandbox set serves descriptions named mbanq-*.yml from the Mbanq simulator, with the default tenant', async () => {
    const set = await startSandboxes();
    try {
      const plan = { sources: [{ name: 'core', url: '../openapi/mbanq-cloud-openapi.yml' }] } as unknown as WorkflowPlan;
      expect(set.serverUrlsFor(plan)).toEqual({ core: set.mbanq.url });
      expect(set.unservedSources(plan)).toEqual([]);
      const res = await request(`${set.mbanq.url}/oauth/token`, {
        method: 'POST',
        headers: { tenantid: 'default', 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'password', username: 'sandbox-user', password: 'sandbox-password', client_id: 'api', client_secret: 'secret' }).toString(),
      });
      expect(res.statusCode).toBe(200);
      await res.body.dump();
    } finally {
      await set.close();
    }
  });
});
