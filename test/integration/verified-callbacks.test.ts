// Verified inbound webhooks (issue 19 §3): a callback step that declares `verify` is resumed only
// by a callback the provider signed, within the window, once. Real HTTP to the local receiver
// (the same receiveCallback the webhook Lambda runs), the real in-memory store and task tokens.
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileFile, compileFileOrThrow } from '../../compiler/index.js';
import type { StepPlan } from '../../core/plan.js';
import { newCallbackId, signHmacCallback } from '../../functions/runtime/callbacks/index.js';
import { AesGcmSealer, InMemorySecretsProvider } from '../../functions/runtime/secrets/index.js';
import { LocalTaskTokens, startLocalCallbacks, type LocalCallbacks } from '../../local/local-callbacks.js';
import { createWebhookHandler } from '../../functions/handlers/create-webhook-handler.js';
import { InMemoryCallbackStore, parseCallbackBody } from '../../functions/runtime/callbacks/index.js';
import { signFintectureWebhook } from '../../sandbox/fintecture/sign-fintecture-webhook.js';

const HMAC_KEY = 'whsec-connectfi-test-key';
const APP_ID = 'fintecture-app-1';
const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PUBLIC_PEM = publicKey.export({ type: 'spki', format: 'pem' }).toString();
const PRIVATE_PEM = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

const OPENAPI = `openapi: 3.1.0
info: { title: provider, version: '1' }
servers: [{ url: http://unused.example }]
paths:
  /kyc/init:
    post:
      operationId: initKyc
      requestBody:
        required: true
        content: { application/json: { schema: { type: object } } }
      responses: { '200': { description: started } }
`;
const step = (id: string, verify: string) => `  - stepId: ${id}
    operationId: initKyc
    requestBody:
      contentType: application/json
      payload: { customerId: $inputs.customerId, webhookURL: set-by-the-handler }
    x-arazzo-sfn-callback:
      urlTarget: /webhookURL
      statusPointer: /status
      pending: [PENDING]
      heartbeatSeconds: 60
      timeoutSeconds: 120
      verify: ${verify}
    successCriteria: [{ condition: $response.body#/status == 'APPROVED' }]
    outputs:
      status: $response.body#/status
`;
const ARAZZO = `arazzo: 1.0.1
info: { title: verified, version: '1' }
sourceDescriptions: [{ name: provider, url: ./provider.openapi.yml, type: openapi }]
workflows:
- workflowId: kyc
  inputs: { type: object, properties: { customerId: { type: string } } }
  steps:
${step('startKyc', '{ scheme: hmac-sha256, secret: connectfi-webhook-key, header: x-connectfi-signature, toleranceSeconds: 300 }')}
- workflowId: payment
  inputs: { type: object, properties: { customerId: { type: string } } }
  steps:
${step('pay', `{ scheme: fintecture, secret: fintecture-app-key, keyId: ${APP_ID} }`)}
`;

let callbacks: LocalCallbacks;
const plans = new Map<string, StepPlan>();
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'arazzo-verified-'));
  await writeFile(join(dir, 'provider.openapi.yml'), OPENAPI);
  await writeFile(join(dir, 'verified.arazzo.yml'), ARAZZO);
  for (const w of (await compileFileOrThrow(join(dir, 'verified.arazzo.yml'))).workflows) for (const s of w.plan.steps as StepPlan[]) plans.set(s.stepId, s);
  callbacks = await startLocalCallbacks({
    sealer: new AesGcmSealer(),
    secrets: new InMemorySecretsProvider({ 'connectfi-webhook-key': HMAC_KEY, 'fintecture-app-key': PRIVATE_PEM }),
  });
  for (const plan of plans.values()) callbacks.register(plan);
});
afterAll(() => callbacks.close());

/** A step waiting for its callback: its record in the store and the Task's promise. */
async function waiting(stepId: 'startKyc' | 'pay') {
  const plan = plans.get(stepId)!;
  const { token, result } = callbacks.tokens.issue({ heartbeatMs: 30_000, timeoutMs: 30_000 });
  result.catch(() => undefined);
  const id = newCallbackId();
  await callbacks.store.put({
    id,
    taskToken: token,
    workflowId: plan.workflowId,
    stepId,
    event: { step: stepId, inputs: { customerId: 'c-1' }, steps: {} },
    createdAt: Date.now(),
    settled: false,
    statuses: [],
  });
  let outcome: unknown = 'still waiting';
  void result.then(
    (r) => (outcome = r),
    (e: Error) => (outcome = e.name),
  );
  return { id, url: `${callbacks.baseUrl}/callbacks?id=${id}`, outcome: () => outcome, result };
}

const post = async (url: string, body: string, headers: Record<string, string>) => {
  const res = await fetch(url, { method: 'POST', headers, body });
  return { status: res.status, body: (await res.json()) as { result: string; status?: string } };
};
const forgedCount = (reason: string) => callbacks.forged.get(reason) ?? 0;
const now = () => Math.floor(Date.now() / 1000);

describe('hmac-sha256 (the connectFi callback step)', () => {
  const json = (status: string) => JSON.stringify({ code: '0', status });
  const signed = (body: string, t = now(), key = HMAC_KEY) => ({ 'content-type': 'application/json', 'x-connectfi-signature': signHmacCallback(body, key, t) });

  it('admits a signed pending status (heartbeat) and a signed settled one, which resumes the Task', async () => {
    const w = await waiting('startKyc');
    expect(await post(w.url, json('PENDING'), signed(json('PENDING')))).toEqual({ status: 202, body: { result: 'waiting', status: 'PENDING' } });
    expect(await post(w.url, json('APPROVED'), signed(json('APPROVED')))).toEqual({ status: 200, body: { result: 'settled', status: 'APPROVED' } });
    expect(await w.result).toMatchObject({ outcome: 'success', outputs: { status: 'APPROVED' } });
  });

  it('answers forged callbacks 401, changes nothing, and counts each by reason', async () => {
    const w = await waiting('startKyc');
    const body = json('APPROVED');
    const before = { missing: forgedCount('missing-signature'), bad: forgedCount('bad-signature') };
    // No signature; another key; the signature of another body (a tampered status); a malformed header.
    expect((await post(w.url, body, { 'content-type': 'application/json' })).status).toBe(401);
    expect((await post(w.url, body, signed(body, now(), 'not-the-key'))).status).toBe(401);
    expect(await post(w.url, json('DECLINED'), { ...signed(body) })).toEqual({ status: 401, body: { result: 'callback not verified' } });
    expect((await post(w.url, body, { 'content-type': 'application/json', 'x-connectfi-signature': 't=abc,v1=zz' })).status).toBe(401);
    expect(forgedCount('missing-signature')).toBe(before.missing + 1);
    expect(forgedCount('bad-signature')).toBe(before.bad + 3);
    const record = await callbacks.store.get(w.id);
    expect(record).toMatchObject({ settled: false, statuses: [] });
    expect(w.outcome()).toBe('still waiting');
    // The genuine callback still settles it afterwards.
    expect((await post(w.url, body, signed(body))).status).toBe(200);
    expect(await w.result).toMatchObject({ outcome: 'success' });
  });

  it('refuses a replay (the same signed delivery again), pending or settled, and a delivery signed outside the window', async () => {
    const w = await waiting('startKyc');
    const pending = json('PENDING');
    const pendingHeaders = signed(pending);
    expect((await post(w.url, pending, pendingHeaders)).status).toBe(202);
    const replayed = forgedCount('replayed');
    expect((await post(w.url, pending, pendingHeaders)).status).toBe(401);
    expect(forgedCount('replayed')).toBe(replayed + 1);
    expect((await callbacks.store.get(w.id))!.statuses).toEqual(['PENDING']);

    const stale = forgedCount('stale');
    const settled = json('APPROVED');
    expect((await post(w.url, settled, signed(settled, now() - 301))).status).toBe(401);
    expect((await post(w.url, settled, signed(settled, now() + 301))).status).toBe(401);
    expect(forgedCount('stale')).toBe(stale + 2);
    expect(w.outcome()).toBe('still waiting');

    const settledHeaders = signed(settled);
    expect((await post(w.url, settled, settledHeaders)).status).toBe(200);
    await w.result;
    // Replaying the settling delivery is a replay (401), not merely a duplicate (409).
    expect((await post(w.url, settled, settledHeaders)).status).toBe(401);
    // A fresh signature on a settled step is a genuine duplicate: 409 as before.
    expect((await post(w.url, settled, signed(settled, now() + 1))).status).toBe(409);
  });

  it('an unknown callback id is refused and counted too', async () => {
    const before = forgedCount('unknown-callback');
    const body = json('APPROVED');
    expect((await post(`${callbacks.baseUrl}/callbacks?id=${newCallbackId()}`, body, signed(body))).status).toBe(401);
    expect(forgedCount('unknown-callback')).toBe(before + 1);
  });
});

describe('fintecture (form-encoded, Digest + Signature opened with the application key)', () => {
  const form = (status: string) => new URLSearchParams({ session_id: 'f57a15da4e5c46f48402a2aee20fe428', status, customer_id: 'c-1' }).toString();
  const headers = (body: string, over: Partial<{ date: Date; requestId: string; appId: string; publicKey: string }> = {}) =>
    signFintectureWebhook({
      body,
      appId: over.appId ?? APP_ID,
      publicKey: over.publicKey ?? PUBLIC_PEM,
      date: over.date ?? new Date(),
      requestId: over.requestId ?? randomUUID(),
    });

  it('reads the form body as $response.body and settles on a signed webhook', async () => {
    const w = await waiting('pay');
    const body = form('APPROVED');
    expect(await post(w.url, body, headers(body))).toEqual({ status: 200, body: { result: 'settled', status: 'APPROVED' } });
    expect(await w.result).toMatchObject({ outcome: 'success', outputs: { status: 'APPROVED' } });
  });

  it('refuses a tampered body (Digest), another application (keyId), a signature to another key, a stale Date and a replayed x-request-id', async () => {
    const w = await waiting('pay');
    const body = form('APPROVED');
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const before = { digest: forgedCount('bad-digest'), key: forgedCount('unknown-key'), bad: forgedCount('bad-signature'), stale: forgedCount('stale') };
    expect((await post(w.url, form('DECLINED'), headers(body))).status).toBe(401);
    expect((await post(w.url, body, headers(body, { appId: 'someone-else' }))).status).toBe(401);
    expect((await post(w.url, body, headers(body, { publicKey: other }))).status).toBe(401);
    expect((await post(w.url, body, headers(body, { date: new Date(Date.now() - 600_000) }))).status).toBe(401);
    const resigned = headers(body);
    expect((await post(w.url, body, { ...resigned, 'x-request-id': randomUUID() })).status).toBe(401);
    expect([forgedCount('bad-digest'), forgedCount('unknown-key'), forgedCount('bad-signature'), forgedCount('stale')]).toEqual([
      before.digest + 1,
      before.key + 1,
      before.bad + 2,
      before.stale + 1,
    ]);
    expect(await callbacks.store.get(w.id)).toMatchObject({ settled: false, statuses: [] });

    const pending = form('PENDING');
    const pendingHeaders = headers(pending);
    expect((await post(w.url, pending, pendingHeaders)).status).toBe(202);
    // The same x-request-id again, freshly signed with a new Date: Fintecture's delivery id was seen.
    const again = headers(pending, { requestId: pendingHeaders['x-request-id'] });
    expect((await post(w.url, pending, again)).status).toBe(401);
    expect(w.outcome()).toBe('still waiting');
  });

  it('the signature OpenSSL makes (RSA-OAEP to the public key) opens the same way', async () => {
    const w = await waiting('pay');
    const body = form('APPROVED');
    const base = headers(body);
    const signingString = ['date', 'digest', 'x-request-id'].map((h) => `${h}: ${base[h]}`).join('\n');
    await writeFile(join(dir, 'pub.pem'), PUBLIC_PEM);
    await writeFile(join(dir, 'signing.txt'), signingString);
    const encrypted = execFileSync('openssl', [
      'pkeyutl',
      '-encrypt',
      '-pubin',
      '-inkey',
      join(dir, 'pub.pem'),
      '-pkeyopt',
      'rsa_padding_mode:oaep',
      '-in',
      join(dir, 'signing.txt'),
    ]);
    const signature = `keyId="${APP_ID}",algorithm="rsa-sha256",headers="date digest x-request-id",signature="${encrypted.toString('base64')}"`;
    expect((await post(w.url, body, { ...base, signature })).status).toBe(200);
  });
});

describe('x-arazzo-sfn-callback.verify is checked at compile time (ASFN1070)', () => {
  it('names an unknown scheme, a literal-looking key, a missing keyId and a tolerance out of range', async () => {
    const bad = ARAZZO.replace(
      '{ scheme: hmac-sha256, secret: connectfi-webhook-key, header: x-connectfi-signature, toleranceSeconds: 300 }',
      '{ scheme: md5, secret: "key with spaces", toleranceSeconds: 0 }',
    ).replace(`, keyId: ${APP_ID}`, '');
    await writeFile(join(dir, 'bad.arazzo.yml'), bad);
    const result = await compileFile(join(dir, 'bad.arazzo.yml'));
    const found = result.diagnostics.filter((d) => d.code === 'ASFN1070').map((d) => d.message);
    expect(found).toEqual([
      expect.stringContaining('verify.scheme must be one of hmac-sha256, fintecture'),
      expect.stringContaining('verify.secret must name the secret'),
      expect.stringContaining('toleranceSeconds must be whole seconds'),
      expect.stringContaining('verify.keyId must be the Fintecture application id'),
    ]);
  });
});

describe('the webhook Lambda handler (Function URL event) counts refusals as CloudWatch EMF lines', () => {
  it('writes one ForgedCallbacks metric line per refused callback, by workflow, with the reason and nothing from the request', async () => {
    const store = new InMemoryCallbackStore();
    const tokens = new LocalTaskTokens();
    const lines: Record<string, unknown>[] = [];
    const handler = createWebhookHandler(
      [plans.get('startKyc')!],
      { store, tokens, sealer: new AesGcmSealer(), secrets: new InMemorySecretsProvider({ 'connectfi-webhook-key': HMAC_KEY }) },
      (l) => lines.push(l),
    );
    const { token, result } = tokens.issue({ heartbeatMs: 30_000, timeoutMs: 30_000 });
    result.catch(() => undefined);
    const id = newCallbackId();
    await store.put({
      id,
      taskToken: token,
      workflowId: 'kyc',
      stepId: 'startKyc',
      event: { step: 'startKyc', inputs: {}, steps: {} },
      createdAt: Date.now(),
      settled: false,
      statuses: [],
    });
    const body = JSON.stringify({ status: 'APPROVED', secretValue: 'do-not-log' });
    const event = (headers: Record<string, string>) => ({
      rawPath: '/callbacks',
      rawQueryString: `id=${id}`,
      headers: { 'content-type': 'application/json', ...headers },
      body,
      requestContext: { http: { method: 'POST' } },
    });
    expect((await handler(event({ 'x-connectfi-signature': signHmacCallback(body, 'wrong', now()) }))).statusCode).toBe(401);
    const metric = lines.find((l) => '_aws' in l)!;
    expect(metric).toMatchObject({
      _aws: { CloudWatchMetrics: [{ Namespace: 'ArazzoSfn', Dimensions: [['WorkflowId']], Metrics: [{ Name: 'ForgedCallbacks', Unit: 'Count' }] }] },
      WorkflowId: 'kyc',
      ForgedCallbacks: 1,
      reason: 'bad-signature',
    });
    expect(JSON.stringify(lines)).not.toContain('do-not-log');
    expect(JSON.stringify(lines)).not.toContain(id);
    expect((await handler(event({ 'x-connectfi-signature': signHmacCallback(body, HMAC_KEY, now()) }))).statusCode).toBe(200);
    expect(lines.filter((l) => '_aws' in l)).toHaveLength(1);
  });
});

describe('parseCallbackBody', () => {
  it('reads a form as an object of its fields (the first of a repeated name; __proto__ only a field), JSON as JSON, anything else as unreadable', () => {
    const form = parseCallbackBody(Buffer.from('status=APPROVED&status=DECLINED&__proto__=x&session_id=a%20b'), 'application/x-www-form-urlencoded; charset=utf-8');
    expect(form).toEqual({ ok: true, body: { status: 'APPROVED', ['__proto__']: 'x', session_id: 'a b' } });
    expect(Object.getPrototypeOf((form as { body: object }).body)).toBe(Object.prototype);
    expect(Object.hasOwn((form as { body: object }).body, '__proto__')).toBe(true);
    expect(parseCallbackBody(Buffer.from('{"status":"A"}'), 'application/json')).toEqual({ ok: true, body: { status: 'A' } });
    expect(parseCallbackBody(Buffer.from('status=A'), 'text/plain')).toEqual({ ok: false });
  });
});
