import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Ajv2020 } from 'ajv/dist/2020.js';
import formatsModule from 'ajv-formats';
import { request } from 'undici';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadOpenApi, type LoadedOpenApi } from '../../compiler/load/index.js';
import { verifyCallbackSignature } from '../../functions/runtime/callbacks/index.js';
import { startConnectFiSandbox, type ConnectFiSandbox } from '../../sandbox/connectfi/index.js';

const LOGIN = 'sandbox_user';
const PASSWORD = 'sandbox-password';
const REQUEST_ID = /^[0-9a-f]{32}$/;
const OPENAPI = join(import.meta.dirname, '../../workflows/openapi/connectfi-kyc-openapi.yml');

interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: any;
}

/** One real HTTP exchange with the sandbox over loopback. */
async function cf(
  sandbox: ConnectFiSandbox,
  method: 'GET' | 'POST',
  path: string,
  options: { json?: unknown; raw?: string; token?: string; contentType?: string } = {},
): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (options.token !== undefined) headers['x-connectfi-token'] = options.token;
  const body = options.raw ?? (options.json === undefined ? undefined : JSON.stringify(options.json));
  if (body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
  const res = await request(`${sandbox.url}${path}`, { method, headers, body });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

async function getToken(sandbox: ConnectFiSandbox, login = LOGIN, password = PASSWORD): Promise<string> {
  const res = await cf(sandbox, 'POST', '/auth/get-token', { json: { user: { login, password } } });
  expect(res.status).toBe(200);
  return res.body.data.token as string;
}

function customerBody(email = 'jane@example.com', reference = `ref-${Math.random().toString(36).slice(2, 10)}`) {
  return {
    reference,
    customerType: 'individual',
    customer: { firstName: 'Jane', lastName: 'Testman', gender: 'F', dateOfBirth: '1978-10-15', email, citizenshipCountryCodeA3: 'USA' },
  };
}

async function createCustomer(sandbox: ConnectFiSandbox, token: string, email?: string): Promise<string> {
  const res = await cf(sandbox, 'POST', '/customer/init', { json: customerBody(email), token });
  expect(res.status).toBe(200);
  return res.body.data.customer.customerId as string;
}

interface ReceivedCallback {
  readonly path: string;
  readonly search: string;
  readonly body: any;
  readonly raw: string;
  readonly headers: Readonly<Record<string, string>>;
  /** What GET /customer/kyc/status said while the callback was being received. */
  readonly statusAtDelivery?: string;
}

/** A webhook receiver on loopback that records what it is sent and answers `answer()`. */
interface Receiver {
  readonly url: string;
  readonly received: ReceivedCallback[];
  answer: () => number;
  /** Runs before answering; the sandbox waits for the answer before its next step. */
  inspect?: (body: any) => Promise<string | undefined>;
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const received: ReceivedCallback[] = [];
  const receiver: Omit<Receiver, 'url' | 'close'> & { answer: () => number } = { received, answer: () => 200 };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://receiver.invalid');
      const body = JSON.parse(raw);
      const statusAtDelivery = await receiver.inspect?.(body);
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      received.push({ path: url.pathname, search: url.search, body, raw, headers, ...(statusAtDelivery ? { statusAtDelivery } : {}) });
      res.writeHead(receiver.answer()).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  }) as Receiver;
}

describe('connectFi sandbox', () => {
  let sandbox: ConnectFiSandbox;
  let receiver: Receiver;
  let openapi: LoadedOpenApi;
  let ajv: Ajv2020;
  let token: string;

  /** Asserts `body` against a schema of the description, by JSON pointer. */
  function expectSchema(pointer: string, body: unknown): void {
    const schema = pointer.split('/').slice(1).reduce<any>((node, key) => node[key.replace(/~1/g, '/').replace(/~0/g, '~')], openapi.document);
    const validate = ajv.compile(schema);
    expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
  }

  const CALLBACK_SCHEMA = '/webhooks/kycStatusChanged/post/requestBody/content/application~1json/schema';

  beforeAll(async () => {
    sandbox = await startConnectFiSandbox({ users: { [LOGIN]: PASSWORD, other_user: 'other-password' } });
    receiver = await startReceiver();
    openapi = (await loadOpenApi(OPENAPI)).openapi!;
    ajv = new Ajv2020({ allErrors: true, strict: false });
    formatsModule.default(ajv);
  });
  afterAll(async () => {
    await sandbox.close();
    await receiver.close();
  });
  beforeEach(async () => {
    sandbox.setScenario({});
    sandbox.reset();
    receiver.received.length = 0;
    receiver.answer = () => 200;
    receiver.inspect = undefined;
    token = await getToken(sandbox);
  });
  afterEach(() => sandbox.callbacksSettled());

  async function initKyc(customerId: string, webhookURL?: string): Promise<Reply> {
    return cf(sandbox, 'POST', '/customer/kyc/init', { json: { customerId, ...(webhookURL ? { webhookURL } : {}) }, token });
  }

  async function kycStatus(customerId: string): Promise<string> {
    const res = await cf(sandbox, 'GET', `/customer/kyc/status/${customerId}`, { token });
    expect(res.status).toBe(200);
    return res.body.data.kyc.status as string;
  }

  const receivedStatuses = () => receiver.received.map((c) => c.body.data.kycStatus as string);

  describe('tokens', () => {
    it('issues a token with its expiry in connectFi envelope', async () => {
      const res = await cf(sandbox, 'POST', '/auth/get-token', { json: { user: { login: LOGIN, password: PASSWORD } } });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ code: '0', data: { token: expect.stringMatching(/^[0-9A-Za-z]{66}$/), dtsExpireAt: expect.any(String) }, requestId: expect.stringMatching(REQUEST_ID) });
      expect(Date.parse(res.body.data.dtsExpireAt) - Date.now()).toBeGreaterThan(3590_000);
      expect(res.headers['cache-control']).toBe('no-store');
      expectSchema('/paths/~1auth~1get-token/post/responses/200/content/application~1json/schema', res.body);
      expect(sandbox.stats.tokensIssued).toBe(2);
    });

    it('answers 401 unauthorized to a wrong password or an unknown login', async () => {
      for (const [login, password] of [[LOGIN, 'wrong'], ['nobody', PASSWORD]]) {
        const res = await cf(sandbox, 'POST', '/auth/get-token', { json: { user: { login, password } } });
        expect(res.status).toBe(401);
        expect(res.body).toEqual({ requestId: expect.stringMatching(REQUEST_ID), code: 'unauthorized', message: 'Authentication error' });
      }
      expect(sandbox.stats.tokensIssued).toBe(1);
    });

    it('answers 401 to a missing, unknown or expired x-connectfi-token and does nothing', async () => {
      let clock = Date.now();
      const timed = await startConnectFiSandbox({ now: () => clock, scenario: { tokens: { expiresInSeconds: 60 } } });
      try {
        const fresh = await getToken(timed);
        expect((await cf(timed, 'POST', '/customer/init', { json: customerBody(), token: fresh })).status).toBe(200);
        clock += 60_000;
        for (const t of [undefined, 'not-a-token', fresh]) {
          const res = await cf(timed, 'POST', '/customer/init', { json: customerBody(), token: t });
          expect(res.status).toBe(401);
          expect(res.body).toEqual({ requestId: expect.stringMatching(REQUEST_ID), code: 'unauthorized', message: 'Authentication error' });
        }
        expect(timed.stats.customersCreated).toBe(1);
      } finally {
        await timed.close();
      }
    });

    it('never puts a token or a password in the request log or the stats', async () => {
      await createCustomer(sandbox, token);
      const shown = JSON.stringify([sandbox.requestLog, sandbox.stats]);
      expect(shown).not.toContain(token);
      expect(shown).not.toContain(PASSWORD);
    });
  });

  describe('customers', () => {
    it('creates an individual customer with a csta- id', async () => {
      const body = customerBody('jane@example.com', 'ExtRef-22223');
      const res = await cf(sandbox, 'POST', '/customer/init', { json: body, token });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        code: '0',
        data: {
          customer: {
            reference: 'ExtRef-22223',
            customerId: expect.stringMatching(/^csta-[0-9A-Za-z]{22}$/),
            customerType: 'individual',
            customer: { businessAddresses: [], businessPhones: [], ...body.customer, addresses: [], phones: [], identificationDocuments: [] },
            boises: [],
            dtsCreatedAt: expect.any(String),
          },
        },
        requestId: expect.stringMatching(REQUEST_ID),
      });
      expectSchema('/paths/~1customer~1init/post/responses/200/content/application~1json/schema', res.body);
      expect(sandbox.stats.customersCreated).toBe(1);
    });

    it('refuses a reference already used with referenceExists naming the existing customer', async () => {
      const body = customerBody('jane@example.com', 'dup-ref');
      const first = await cf(sandbox, 'POST', '/customer/init', { json: body, token });
      const again = await cf(sandbox, 'POST', '/customer/init', { json: body, token });
      expect(again.status).toBe(400);
      expect(again.body).toEqual({
        requestId: expect.stringMatching(REQUEST_ID),
        code: 'referenceExists',
        context: { reference: 'dup-ref', entityId: first.body.data.customer.customerId },
        message: expect.any(String),
      });
      expect(sandbox.stats.customersCreated).toBe(1);
    });

    it("keeps one user's customers from another user", async () => {
      const customerId = await createCustomer(sandbox, token);
      const otherToken = await getToken(sandbox, 'other_user', 'other-password');
      const res = await cf(sandbox, 'POST', '/customer/kyc/init', { json: { customerId }, token: otherToken });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ requestId: expect.stringMatching(REQUEST_ID), code: 'customerNotFound', context: { customerId }, message: 'Customer not found.' });
    });
  });

  describe('request validation', () => {
    it('answers a kyc/init without customerId exactly as connectFi does (seed 003)', async () => {
      const res = await cf(sandbox, 'POST', '/customer/kyc/init', { json: { webhookURL: 'http://sample.com/mywebhook?ref=123something' }, token });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        requestId: expect.stringMatching(REQUEST_ID),
        code: 'requestValidateError',
        context: [
          {
            instancePath: '',
            schemaPath: '#/required',
            keyword: 'required',
            params: { missingProperty: 'customerId' },
            message: "must have required property 'customerId'",
          },
        ],
      });
      expect(sandbox.stats.kycProcessesStarted).toBe(0);
    });

    it('reads an empty body as {} and lists nested and type problems AJV-style', async () => {
      const empty = await cf(sandbox, 'POST', '/customer/kyc/init', { raw: '', token });
      expect(empty.body.context).toEqual([expect.objectContaining({ instancePath: '', keyword: 'required', params: { missingProperty: 'customerId' } })]);

      const login = await cf(sandbox, 'POST', '/auth/get-token', { json: { user: { login: LOGIN } } });
      expect(login.status).toBe(400);
      expect(login.body.context).toEqual([
        { instancePath: '/user', schemaPath: '#/properties/user/required', keyword: 'required', params: { missingProperty: 'password' }, message: "must have required property 'password'" },
      ]);

      const typed = await cf(sandbox, 'POST', '/customer/kyc/init', { json: { customerId: 42, webhookURL: 'ftp://example.com/x' }, token });
      expect(typed.body.context.map((p: any) => [p.instancePath, p.keyword])).toEqual([
        ['/customerId', 'type'],
        ['/webhookURL', 'pattern'],
      ]);
    });

    it('answers broken JSON with requestValidateError and a non-JSON body with 415', async () => {
      const broken = await cf(sandbox, 'POST', '/customer/kyc/init', { raw: '{"customerId":', token });
      expect(broken.status).toBe(400);
      expect(broken.body).toMatchObject({ code: 'requestValidateError', context: [{ instancePath: '', keyword: 'invalid_json' }] });

      const form = await cf(sandbox, 'POST', '/customer/kyc/init', { raw: 'customerId=x', contentType: 'application/x-www-form-urlencoded', token });
      expect(form.status).toBe(415);
      expect(form.body).toMatchObject({ requestId: expect.stringMatching(REQUEST_ID), code: 'unsupportedMediaType' });
    });

    it('answers unknown paths and injected faults in the same envelope', async () => {
      const unknown = await cf(sandbox, 'GET', '/customer/nothing', { token });
      expect(unknown.status).toBe(404);
      expect(unknown.body).toEqual({ requestId: expect.stringMatching(REQUEST_ID), code: 'notFound', message: expect.any(String) });

      sandbox.setScenario({ faults: [{ operationId: 'initCustomerKyc', status: 503, times: 1 }] });
      const customerId = await createCustomer(sandbox, token);
      const faulted = await initKyc(customerId, `${receiver.url}/kyc`);
      expect(faulted.status).toBe(503);
      expect(faulted.body).toMatchObject({ requestId: expect.stringMatching(REQUEST_ID), code: 'serviceUnavailable' });
      expect(sandbox.stats).toMatchObject({ kycProcessesStarted: 0, faultsInjected: 1 });
      expect((await initKyc(customerId)).status).toBe(200);
    });
  });

  describe('KYC', () => {
    it('answers kyc/init in the shape of seed 003, status WAITING_DATA and the licence to upload', async () => {
      const customerId = await createCustomer(sandbox, token);
      const res = await initKyc(customerId);
      expect(res.status).toBe(200);
      const doc = (label: string, documentSide: string) => ({ id: expect.stringMatching(/^doc-[0-9A-Za-z]{22}$/), label, type: 'LICENSE', documentSide, uploadStatus: false });
      expect(res.body).toEqual({
        code: '0',
        data: {
          customer: expect.objectContaining({ customerId, customerType: 'individual', kycStatus: 'WAITING_DATA', boises: [] }),
          kyc: { attributeCodes: [], system: 'condor', mode: 'licenseUSACondor', status: 'WAITING_DATA' },
          kycDocumentList: [doc('LICENSE FRONT', 'FRONT'), doc('LICENSE BACK', 'BACK')],
        },
        requestId: expect.stringMatching(REQUEST_ID),
      });
      expect(Object.keys(res.body.data.customer)).toEqual(['reference', 'customerId', 'customerType', 'customer', 'kycStatus', 'boises', 'dtsCreatedAt']);
      expectSchema('/paths/~1customer~1kyc~1init/post/responses/200/content/application~1json/schema', res.body);
    });

    it('moves the status along the sequence even with no webhookURL, and calls nobody', async () => {
      const customerId = await createCustomer(sandbox, token);
      await initKyc(customerId);
      await sandbox.callbacksSettled();
      const res = await cf(sandbox, 'GET', `/customer/kyc/status/${customerId}`, { token });
      expect(res.body.data.kyc.status).toBe('APPROVED');
      expect(res.body.data.customer.kycStatus).toBe('APPROVED');
      expect(res.body.data.kycDocumentList.map((d: any) => [d.uploadStatus, d.extension])).toEqual([
        [true, 'png'],
        [true, 'png'],
      ]);
      expectSchema('/paths/~1customer~1kyc~1status~1{customerId}/get/responses/200/content/application~1json/schema', res.body);
      expect(sandbox.callbacks).toEqual([]);
    });

    it('answers kycNotFound before KYC starts and customerNotFound for an unknown id', async () => {
      const customerId = await createCustomer(sandbox, token);
      const before = await cf(sandbox, 'GET', `/customer/kyc/status/${customerId}`, { token });
      expect(before.status).toBe(400);
      expect(before.body).toMatchObject({ code: 'kycNotFound', context: { customerId } });
      const unknown = await cf(sandbox, 'GET', '/customer/kyc/status/csta-nobody', { token });
      expect(unknown.body).toMatchObject({ code: 'customerNotFound', context: { customerId: 'csta-nobody' } });
    });
  });

  describe('KYC callbacks', () => {
    it('POSTs every status change to the webhookURL, in order, spaced by callbackIntervalMs', async () => {
      sandbox.setScenario({ kyc: { callbackIntervalMs: 30 } });
      const customerId = await createCustomer(sandbox, token);
      const started = Date.now();
      await initKyc(customerId, `${receiver.url}/hooks/kyc?secret=per-execution-s3cr3t`);
      await sandbox.callbacksSettled();

      expect(Date.now() - started).toBeGreaterThanOrEqual(3 * 30 - 5);
      expect(receivedStatuses()).toEqual(['WAITING_DATA', 'REVIEW', 'APPROVED']);
      for (const callback of receiver.received) {
        expect(callback.path).toBe('/hooks/kyc');
        expect(callback.search).toBe('?secret=per-execution-s3cr3t');
        expectSchema(CALLBACK_SCHEMA, callback.body);
        expect(callback.body).toEqual({
          code: '0',
          data: { customerId, reference: expect.any(String), kycStatus: callback.body.data.kyc.status, kyc: { attributeCodes: [], system: 'condor', mode: 'licenseUSACondor', status: expect.any(String) } },
          requestId: expect.stringMatching(REQUEST_ID),
        });
      }
      expect(new Set(receiver.received.map((c) => c.body.requestId)).size).toBe(3);

      expect(sandbox.callbacks).toEqual(
        ['WAITING_DATA', 'REVIEW', 'APPROVED'].map((kycStatus, index) => ({
          customerId,
          url: `${receiver.url}/hooks/kyc`,
          index,
          kycStatus,
          delivery: 'sent',
          requestId: receiver.received[index].body.requestId,
          answerStatus: 200,
          durationMs: expect.any(Number),
          at: expect.any(String),
        })),
      );
      expect(JSON.stringify([sandbox.callbacks, sandbox.requestLog, sandbox.stats])).not.toContain('s3cr3t');
      expect(sandbox.stats).toMatchObject({ kycProcessesStarted: 1, callbacksSent: 3, callbacksFailed: 0, callbacksLost: 0 });
      expect(await kycStatus(customerId)).toBe('APPROVED');
    });

    it('sends a callback that is only true when it is sent', async () => {
      const customerId = await createCustomer(sandbox, token);
      receiver.inspect = async () => kycStatus(customerId);
      await initKyc(customerId, `${receiver.url}/kyc`);
      await sandbox.callbacksSettled();
      expect(receiver.received.map((c) => [c.body.data.kycStatus, c.statusAtDelivery])).toEqual([
        ['WAITING_DATA', 'WAITING_DATA'],
        ['REVIEW', 'REVIEW'],
        ['APPROVED', 'APPROVED'],
      ]);
    });

    it('repeats duplicated callbacks with the very same body', async () => {
      sandbox.setScenario({ kyc: { duplicate: [1] } });
      const customerId = await createCustomer(sandbox, token);
      await initKyc(customerId, `${receiver.url}/kyc`);
      await sandbox.callbacksSettled();
      expect(receivedStatuses()).toEqual(['WAITING_DATA', 'REVIEW', 'REVIEW', 'APPROVED']);
      expect(receiver.received[2].raw).toBe(receiver.received[1].raw);
      expect(sandbox.callbacks.map((c) => c.delivery)).toEqual(['sent', 'sent', 'duplicate', 'sent']);
      expect(sandbox.stats.callbacksSent).toBe(4);
    });

    it('delivers an out-of-order pair late: the older status arrives after the settled one', async () => {
      sandbox.setScenario({ kyc: { outOfOrder: true } });
      const customerId = await createCustomer(sandbox, token);
      receiver.inspect = async () => kycStatus(customerId);
      await initKyc(customerId, `${receiver.url}/kyc`);
      await sandbox.callbacksSettled();
      expect(receiver.received.map((c) => [c.body.data.kycStatus, c.statusAtDelivery])).toEqual([
        ['WAITING_DATA', 'WAITING_DATA'],
        ['APPROVED', 'APPROVED'],
        ['REVIEW', 'APPROVED'],
      ]);
      expect(sandbox.callbacks.map((c) => c.index)).toEqual([0, 2, 1]);
      expect(await kycStatus(customerId)).toBe('APPROVED');
    });

    it('never sends a lost callback, while the status endpoint still shows the final status', async () => {
      sandbox.setScenario({ kyc: { lose: [2] } });
      const customerId = await createCustomer(sandbox, token);
      await initKyc(customerId, `${receiver.url}/kyc?secret=x`);
      await sandbox.callbacksSettled();
      expect(receivedStatuses()).toEqual(['WAITING_DATA', 'REVIEW']);
      expect(sandbox.callbacks[2]).toEqual({
        customerId,
        url: `${receiver.url}/kyc`,
        index: 2,
        kycStatus: 'APPROVED',
        delivery: 'lost',
        requestId: expect.stringMatching(REQUEST_ID),
        at: expect.any(String),
      });
      expect(sandbox.stats).toMatchObject({ callbacksSent: 2, callbacksLost: 1 });
      expect(await kycStatus(customerId)).toBe('APPROVED');
    });

    it('lets each customer choose its process by e-mail tags, over the per-run scenario', async () => {
      sandbox.setScenario({ kyc: { sequence: ['PENDING', 'APPROVED'] } });
      const plain = await createCustomer(sandbox, token, 'plain@example.com');
      const declined = await createCustomer(sandbox, token, 'jane+declined@example.com');
      const custom = await createCustomer(sandbox, token, 'joe+waiting_data+review+declined+dup0+lose2@example.com');
      await Promise.all([initKyc(plain, `${receiver.url}/plain`), initKyc(declined, `${receiver.url}/declined`), initKyc(custom, `${receiver.url}/custom`)]);
      await sandbox.callbacksSettled();
      const byPath = (path: string) => receiver.received.filter((c) => c.path === path).map((c) => c.body.data.kycStatus);
      expect(byPath('/plain')).toEqual(['PENDING', 'APPROVED']);
      expect(byPath('/declined')).toEqual(['PENDING', 'DECLINED']);
      expect(byPath('/custom')).toEqual(['WAITING_DATA', 'WAITING_DATA', 'REVIEW']);
      expect([await kycStatus(plain), await kycStatus(declined), await kycStatus(custom)]).toEqual(['APPROVED', 'DECLINED', 'DECLINED']);
    });

    it('logs what a failing receiver answers and does not retry', async () => {
      receiver.answer = () => 500;
      const customerId = await createCustomer(sandbox, token);
      await initKyc(customerId, `${receiver.url}/kyc`);
      await sandbox.callbacksSettled();
      expect(receiver.received).toHaveLength(3);
      expect(sandbox.callbacks.map((c) => c.answerStatus)).toEqual([500, 500, 500]);
      expect(sandbox.stats.callbacksFailed).toBe(3);
    });

    it('logs an unreachable receiver with status 0 and the error code', async () => {
      const gone = await startReceiver();
      const url = `${gone.url}/kyc`;
      await gone.close();
      const customerId = await createCustomer(sandbox, token);
      await initKyc(customerId, url);
      await sandbox.callbacksSettled();
      expect(sandbox.callbacks.map((c) => [c.answerStatus, c.error])).toEqual([
        [0, 'ECONNREFUSED'],
        [0, 'ECONNREFUSED'],
        [0, 'ECONNREFUSED'],
      ]);
      expect(await kycStatus(customerId)).toBe('APPROVED');
    });

    it('gives up on a receiver slower than callbackTimeoutMs', async () => {
      sandbox.setScenario({ kyc: { sequence: ['APPROVED'], callbackTimeoutMs: 50 } });
      receiver.inspect = async () => {
        await sleep(300);
        return undefined;
      };
      const customerId = await createCustomer(sandbox, token);
      await initKyc(customerId, `${receiver.url}/kyc`);
      await sandbox.callbacksSettled();
      expect(sandbox.callbacks).toEqual([expect.objectContaining({ answerStatus: 0, error: 'TimeoutError' })]);
      expect(sandbox.callbacks[0].durationMs).toBeLessThan(250);
      await sleep(300);
    });

    it('restarting KYC cancels the previous process of the customer', async () => {
      sandbox.setScenario({ kyc: { callbackIntervalMs: 150 } });
      const customerId = await createCustomer(sandbox, token);
      const started = Date.now();
      await initKyc(customerId, `${receiver.url}/first`);
      sandbox.setScenario({ kyc: { sequence: ['PENDING', 'DECLINED'], callbackIntervalMs: 10 } });
      await initKyc(customerId, `${receiver.url}/second`);
      await sandbox.callbacksSettled();
      // Past the moment the first process would have sent its first callback.
      await sleep(Math.max(0, started + 200 - Date.now()));
      expect(receiver.received.map((c) => [c.path, c.body.data.kycStatus])).toEqual([
        ['/second', 'PENDING'],
        ['/second', 'DECLINED'],
      ]);
      expect(await kycStatus(customerId)).toBe('DECLINED');
    });

    it('cancels pending callbacks on reset and on close', async () => {
      sandbox.setScenario({ kyc: { callbackIntervalMs: 80 } });
      const customerId = await createCustomer(sandbox, token);
      await initKyc(customerId, `${receiver.url}/reset`);
      sandbox.reset();
      await sleep(300);
      expect(receiver.received).toEqual([]);
      expect(sandbox.callbacks).toEqual([]);

      const closing = await startConnectFiSandbox({ scenario: { kyc: { callbackIntervalMs: 150 } } });
      const closingToken = await getToken(closing);
      const id = await createCustomer(closing, closingToken);
      const res = await cf(closing, 'POST', '/customer/kyc/init', { json: { customerId: id, webhookURL: `${receiver.url}/close` }, token: closingToken });
      expect(res.status).toBe(200);
      const started = Date.now();
      await closing.close();
      // Well before the first callback was due: close() does not wait for the process to play out.
      expect(Date.now() - started).toBeLessThan(100);
      await sleep(500);
      expect(receiver.received).toEqual([]);
      expect(closing.callbacks).toEqual([]);
    });
    });

  describe('signed callbacks (webhookSigning)', () => {
    it('signs each delivery in the hmac-sha256 form the receiver verifies, with a fresh timestamp per delivery', async () => {
      const signing = await startConnectFiSandbox({ scenario: { kyc: { callbackIntervalMs: 20 } }, webhookSigning: { key: 'sandbox-webhook-key', header: 'x-connectfi-signature' } });
      try {
        const signingToken = await getToken(signing);
        const id = await createCustomer(signing, signingToken);
        await cf(signing, 'POST', '/customer/kyc/init', { json: { customerId: id, webhookURL: `${receiver.url}/signed` }, token: signingToken });
        await signing.callbacksSettled();
        const signed = receiver.received.filter((c) => c.path === '/signed');
        expect(signed.length).toBeGreaterThan(0);
        const verify = { scheme: 'hmac-sha256', secret: 'k', header: 'x-connectfi-signature', toleranceSeconds: 300 } as const;
        for (const c of signed) {
          expect(c.headers['x-connectfi-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
          expect(verifyCallbackSignature({ headers: c.headers, rawBody: Buffer.from(c.raw) }, 'sandbox-webhook-key', verify, Date.now())).toMatchObject({ ok: true });
          expect(verifyCallbackSignature({ headers: c.headers, rawBody: Buffer.from(c.raw) }, 'another-key', verify, Date.now())).toEqual({ ok: false, reason: 'bad-signature' });
        }
        // The unsigned sandbox signs nothing.
        expect(receiver.received.filter((c) => c.path !== '/signed').every((c) => c.headers['x-connectfi-signature'] === undefined)).toBe(true);
      } finally {
        await signing.close();
      }
    });
});
});
