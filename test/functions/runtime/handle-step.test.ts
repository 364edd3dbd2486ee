import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleStep } from '../../../functions/runtime/handle-step.js';
import { InMemoryCallbackStore } from '../../../functions/runtime/callbacks/index.js';
import { buildRequest } from '../../../functions/runtime/http/build-request.js';
import type { StepEvent, StepPlan, StepResult } from '../../../core/plan.js';
import { AesGcmSealer, InMemorySecretsProvider } from '../../../functions/runtime/secrets/index.js';

// A real loopback server: answers 200 {"id": "<path tail>"} to everything.
let server: Server;
let url: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ id: req.url?.split('/').pop() }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const plan = (over: Partial<StepPlan> = {}): StepPlan => ({
  workflowId: 'wf',
  sealContext: 'wf',
  stepId: 'getThing',
  operation: { source: 'api', method: 'GET', serverUrl: 'http://unused', path: '/things/{id}', parameters: [{ name: 'id', in: 'path', required: true }], key: 'api.getThing' },
  parameters: [
    { name: 'id', in: 'path', value: '$inputs.id' },
    { name: 'Authorization', in: 'header', value: 'Bearer {$inputs.apiKey}' },
  ],
  successCriteria: [{ type: 'simple', condition: '$statusCode == 200' }],
  onSuccess: [],
  onFailure: [],
  outputs: { id: '$response.body#/id', sentAuth: '$request.header.Authorization' },
  sealedOutputs: [],
  endsOnDefaultSuccess: false,
  workflowOutputs: {},
  credentialInputs: ['apiKey'],
  transport: { connectTimeoutMs: 1000, requestTimeoutMs: 1000, retrySafe: true },
  ...over,
});

describe('handleStep', () => {
  const secrets = new InMemorySecretsProvider({ key: 'sk_live_0123456789' });
  const sealer = new AesGcmSealer();

  it('seals any output that would carry an opened credential, even one not named like a credential', async () => {
    const result = await handleStep(plan(), { step: 'getThing', inputs: { id: 'abc', apiKey: 'secret:key' }, steps: {} }, { secrets, sealer, serverUrls: { api: url } });
    expect(result.outputs.id).toBe('abc');
    expect(result.outputs.sentAuth).toMatch(/^sealed:v1:/);
    expect(JSON.stringify(result)).not.toContain('sk_live_0123456789');
    expect(JSON.parse(await sealer.unseal(result.outputs.sentAuth as string, 'wf'))).toBe('Bearer sk_live_0123456789');
  });

  it('counts consecutive runs with the same outcome for loop bounds, restarting when the outcome changes', async () => {
    const p = plan({ onSuccess: [{ outcome: 'onSuccess.again', kind: 'onSuccess', name: 'again', type: 'goto', stepId: 'getThing', criteria: [], loop: { intervalSeconds: 2, backoffRate: 2, maxDelaySeconds: 60, maxAttempts: 5 } }] });
    const event = (previous?: StepResult): StepEvent => ({ step: 'getThing', inputs: { id: 'x', apiKey: 'secret:key' }, steps: previous ? { getThing: previous } : {} });
    const first = await handleStep(p, event(), { secrets, sealer, serverUrls: { api: url } });
    expect([first.visits, first.attempts, first.delaySeconds]).toEqual([1, 1, 2]);
    const second = await handleStep(p, event(first), { secrets, sealer, serverUrls: { api: url } });
    expect([second.visits, second.attempts, second.delaySeconds]).toEqual([2, 2, 4]);
    const afterOther = await handleStep(p, event({ ...second, outcome: 'onFailure.retry' }), { secrets, sealer, serverUrls: { api: url } });
    expect([afterOther.visits, afterOther.attempts]).toEqual([3, 1]);
  });

  it('refuses a path parameter that would walk out of the path', () => {
    for (const value of ['..', '.', '']) {
      expect(() => buildRequest(plan(), url, [{ name: 'id', in: 'path', value }], undefined)).toThrow(/"id" is empty, "." or ".."/);
    }
    expect(buildRequest(plan(), url, [{ name: 'id', in: 'path', value: '../admin' }], undefined).url).toBe(`${url}/things/..%2Fadmin`);
  });

  it('treats a 3xx as a failure when the step declares no success criteria', async () => {
    const redirect = createServer((_, res) => res.writeHead(302, { location: '/login' }).end());
    await new Promise<void>((r) => redirect.listen(0, '127.0.0.1', r));
    try {
      const target = `http://127.0.0.1:${(redirect.address() as AddressInfo).port}`;
      await expect(
        handleStep(plan({ successCriteria: [] }), { step: 'getThing', inputs: { id: 'x', apiKey: 'secret:key' }, steps: {} }, { secrets, sealer, serverUrls: { api: target } }),
      ).rejects.toMatchObject({ name: 'Arazzo.StepFailed', message: expect.stringContaining('GET /things/{id} answered 302') });
    } finally {
      await new Promise<void>((r) => redirect.close(() => r()));
    }
  });
});

describe('handleStep: an answer labelled with a media type the operation does not declare (CONTENT_TYPE_CHECK at error)', () => {
  const secrets = new InMemorySecretsProvider({ key: 'sk_live_0123456789' });
  const sealer = new AesGcmSealer();
  // Answers with the status, Content-Type and body the path asks for: /things/<status>/<content type>/<body>, each `v` + base64url.
  let labelled: Server;
  let labelledUrl: string;
  beforeAll(async () => {
    labelled = createServer((req, res) => {
      const [status, contentType, body] = (req.url ?? '').split('/').slice(2).map((part) => Buffer.from(part.slice(1), 'base64url').toString());
      res.writeHead(Number(status), { 'x-session': 'sess_0123456789abcdef', ...(contentType ? { 'content-type': contentType } : {}) });
      res.end(body);
    });
    await new Promise<void>((r) => labelled.listen(0, '127.0.0.1', r));
    labelledUrl = `http://127.0.0.1:${(labelled.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => labelled.close(() => r())));

  const segment = (text: string) => `v${Buffer.from(text).toString('base64url')}`;
  const contractPlan = (over: Partial<StepPlan> = {}): StepPlan =>
    plan({
      operation: {
        source: 'api',
        operationId: 'getThing',
        method: 'GET',
        serverUrl: 'http://unused',
        path: '/things/{status}/{type}/{body}',
        parameters: ['status', 'type', 'body'].map((name) => ({ name, in: 'path' as const, required: true })),
        responseMediaTypes: { '200': ['application/json'], '204': [], '5XX': ['application/problem+json'] },
        key: 'api.getThing',
      },
      parameters: [
        { name: 'status', in: 'path', value: '$inputs.status' },
        { name: 'type', in: 'path', value: '$inputs.type' },
        { name: 'body', in: 'path', value: '$inputs.body' },
        { name: 'Authorization', in: 'header', value: 'Bearer {$inputs.apiKey}' },
      ],
      successCriteria: [],
      outputs: { status: '$response.body#/status' },
      checks: { CONTENT_TYPE_CHECK: 'error', SCHEMA_CHECK: 'off' },
      ...over,
    });
  const run = (p: StepPlan, status: number, contentType: string, body: string, log?: (e: unknown) => void) =>
    handleStep(p, { step: 'getThing', inputs: { status: segment(String(status)), type: segment(contentType), body: segment(body), apiKey: 'secret:key' }, steps: {} }, { secrets, sealer, serverUrls: { api: labelledUrl }, ...(log ? { log } : {}) });

  it('fails with Arazzo.UnexpectedContentType, retryable, naming step, operation, status and media types, never the body or another header', async () => {
    const logged: unknown[] = [];
    const err = await run(contractPlan(), 200, 'text/plain; charset=utf-8', '{"status":"verified","token":"tok_body_secret"}', (e) => logged.push(e)).catch((e: unknown) => e);
    expect(err).toMatchObject({
      name: 'Arazzo.UnexpectedContentType',
      retryable: true,
      message:
        'step getThing: GET /things/{status}/{type}/{body} (getThing) answered 200 with Content-Type "text/plain", which the operation does not declare for 200: it declares application/json',
    });
    expect((err as Error).message).not.toMatch(/verified|tok_body_secret|sess_0123456789abcdef|sk_live_0123456789|charset/);
    expect(logged).toEqual([expect.objectContaining({ stepId: 'getThing', statusCode: 200, error: 'Arazzo.UnexpectedContentType' })]);
  });

  it('names the range or default it checked against, and an answer without a Content-Type', async () => {
    const ranged = contractPlan({
      operation: { ...contractPlan().operation, responseMediaTypes: { '200': ['application/json'], '2XX': ['application/hal+json'] } },
      successCriteria: [{ type: 'simple', condition: '$statusCode == 201' }],
    });
    await expect(run(ranged, 201, 'text/html', '<h1>Created</h1>')).rejects.toMatchObject({
      name: 'Arazzo.UnexpectedContentType',
      message: expect.stringContaining('answered 201 with Content-Type "text/html", which the operation does not declare for 201 (its "2XX" response): it declares application/hal+json'),
    });
    await expect(run(contractPlan(), 200, '', '{"status":"ok"}')).rejects.toMatchObject({
      name: 'Arazzo.UnexpectedContentType',
      message: expect.stringContaining('answered 200 with no Content-Type, which'),
    });
  });

  it('is refused before the body is parsed: malformed JSON under an undeclared label is the label’s fault', async () => {
    const p = contractPlan({ operation: { ...contractPlan().operation, responseMediaTypes: { '200': ['text/plain'] } } });
    await expect(run(p, 200, 'application/json', '{"status": "verif')).rejects.toMatchObject({ name: 'Arazzo.UnexpectedContentType' });
  });

  it('fails a call that is not retry-safe by the same name (its Task has no Retry for it)', async () => {
    const p = contractPlan({ transport: { connectTimeoutMs: 1000, requestTimeoutMs: 1000, retrySafe: false } });
    await expect(run(p, 200, 'text/html', '{"status":"ok"}')).rejects.toMatchObject({ name: 'Arazzo.UnexpectedContentType' });
  });

  it('leaves a retry-safe 5xx an Arazzo.ProviderUnavailable, whatever its label (a gateway’s HTML page)', async () => {
    await expect(run(contractPlan(), 503, 'text/html', '<h1>Service unavailable</h1>')).rejects.toMatchObject({ name: 'Arazzo.ProviderUnavailable' });
  });

  it('reads an error answer as labelled, for the onFailure actions to judge; a 2xx is still refused', async () => {
    const handled = contractPlan({
      transport: { connectTimeoutMs: 1000, requestTimeoutMs: 1000, retrySafe: false },
      onFailure: [
        { outcome: 'onFailure.limited', kind: 'onFailure', type: 'end', criteria: [{ type: 'simple', condition: "$response.body#/code == 'RATE_LIMITED'" }] },
        { outcome: 'onFailure.gateway', kind: 'onFailure', type: 'end', criteria: [{ type: 'simple', condition: '$statusCode == 502' }] },
      ],
      outputs: { page: '$response.body' },
    });
    // A problem+json 429 where the operation declares only application/json for errors: parsed, so the criterion reads it.
    const limited = await run(handled, 429, 'application/problem+json', '{"code":"RATE_LIMITED"}');
    expect(limited).toMatchObject({ statusCode: 429, outcome: 'onFailure.limited' });
    const page = await run(handled, 502, 'text/html', '<h1>Bad gateway</h1>');
    expect(page).toMatchObject({ statusCode: 502, outcome: 'onFailure.gateway', outputs: { page: '<h1>Bad gateway</h1>' } });
    await expect(run(handled, 200, 'text/html', '{"status":"ok"}')).rejects.toMatchObject({ name: 'Arazzo.UnexpectedContentType' });
  });

  it('takes a JSON variant for a declared JSON type (read the same way)', async () => {
    const ok = await run(contractPlan(), 200, 'application/vnd.api+json', '{"status":"verified"}');
    expect(ok.outputs).toEqual({ status: 'verified' });
  });

  it('does not check the immediate answer of a callback step, whose body nothing reads', async () => {
    const p = contractPlan({
      operation: { ...contractPlan().operation, method: 'POST' },
      requestBody: { contentType: 'application/json', payload: {}, replacements: [] },
      callback: { urlTarget: '/webhookURL', statusPointer: '/status', pending: [], heartbeatSeconds: 60, timeoutSeconds: 120 },
      transport: { connectTimeoutMs: 1000, requestTimeoutMs: 1000, retrySafe: false },
    });
    const inputs = { status: segment('200'), type: segment('text/html'), body: segment('<p>accepted</p>'), apiKey: 'secret:key' };
    const result = await handleStep(p, { step: 'getThing', taskToken: 'token-1', inputs, steps: {} }, {
      secrets,
      sealer,
      serverUrls: { api: labelledUrl },
      callbacks: { baseUrl: 'http://callbacks.invalid', store: new InMemoryCallbackStore() },
    });
    expect(result.outcome).toBe('waiting');
  });

  it('reads declared, parameterised, empty, undeclared-status and content-less answers as before', async () => {
    const ok = await run(contractPlan(), 200, 'Application/JSON; charset=utf-8', '{"status":"verified"}');
    expect(ok.outputs).toEqual({ status: 'verified' });
    // 204: no body, nothing to check.
    expect((await run(contractPlan({ successCriteria: [{ type: 'simple', condition: '$statusCode == 204' }] }), 204, 'text/plain', '')).statusCode).toBe(204);
    // 201 is declared by no entry, range or default: not checked, read as its label says.
    const undeclared = await run(contractPlan({ successCriteria: [{ type: 'simple', condition: '$statusCode == 201' }] }), 201, 'text/plain', '{"status":"x"}');
    expect(undeclared.outputs).toEqual({});
    // A plan without declared media types (an operation that declares no content) checks nothing.
    const unchecked = contractPlan({ operation: { ...contractPlan().operation, responseMediaTypes: undefined } });
    expect((await run(unchecked, 200, 'text/html', '{"status":"x"}')).statusCode).toBe(200);
  });
});
