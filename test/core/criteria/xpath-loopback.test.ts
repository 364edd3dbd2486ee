/**
 * xpath criteria end to end: handleStep sends a real request to a loopback server that answers
 * XML, and the step is judged and routed by XPath conditions over `$response.body`.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { handleStep } from '../../../functions/runtime/handle-step.js';
import type { ActionPlan, StepPlan } from '../../../core/plan.js';
import { AesGcmSealer, InMemorySecretsProvider } from '../../../functions/runtime/secrets/index.js';

const ORDERS: Record<string, { contentType: string; body: string }> = {
  paid: { contentType: 'application/xml', body: '<?xml version="1.0"?><o:order xmlns:o="urn:shop"><o:status>paid</o:status><o:total>12.50</o:total></o:order>' },
  pending: { contentType: 'text/xml; charset=utf-8', body: '<o:order xmlns:o="urn:shop"><o:status>pending</o:status></o:order>' },
  refused: { contentType: 'application/xml', body: '<o:order xmlns:o="urn:shop"><o:status>refused</o:status></o:order>' },
  // ISO-8859-1 bytes, named only by the XML declaration.
  latin: { contentType: 'application/xml', body: '<?xml version="1.0" encoding="ISO-8859-1"?><o:order xmlns:o="urn:shop"><o:status>pay\u00e9</o:status></o:order>' },
  broken: { contentType: 'application/xml', body: '<o:order xmlns:o="urn:shop"><o:status>paid</o:order> iban FR7630006000011234567890189' },
};

let server: Server;
let baseUrl: string;
let requests: { url: string; headers: IncomingHttpHeaders }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push({ url: req.url!, headers: req.headers });
    const order = ORDERS[req.url!.split('/').pop()!];
    if (!order) return res.writeHead(404, { 'content-type': 'text/plain' }).end('no such order');
    const latin = req.url!.endsWith('/latin');
    res.writeHead(200, { 'content-type': order.contentType }).end(Buffer.from(order.body, latin ? 'latin1' : 'utf8'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  requests = [];
});

const pendingAction: ActionPlan = {
  outcome: 'onFailure.pending',
  kind: 'onFailure',
  name: 'pending',
  type: 'retry',
  criteria: [{ type: 'xpath', condition: "/o:order/o:status = 'pending'", context: '$response.body' }],
  loop: { intervalSeconds: 5, backoffRate: 1, maxDelaySeconds: 5, maxAttempts: 10 },
};

const plan = (over: Partial<StepPlan> = {}): StepPlan => ({
  workflowId: 'wf',
  stepId: 'getOrder',
  operation: { source: 'shop', method: 'GET', serverUrl: 'http://unused', path: '/orders/{id}', parameters: [{ name: 'id', in: 'path', required: true }], key: 'shop.getOrder' },
  parameters: [{ name: 'id', in: 'path', value: '$inputs.id' }],
  successCriteria: [
    { type: 'simple', condition: '$statusCode == 200' },
    { type: 'xpath', condition: "/o:order/o:status = 'paid'", context: '$response.body' },
  ],
  onSuccess: [],
  onFailure: [pendingAction],
  outputs: { total: '$response.body', status: '$response.header.content-type' },
  sealedOutputs: [],
  endsOnDefaultSuccess: false,
  workflowOutputs: {},
  sealContext: 'wf',
  credentialInputs: [],
  transport: { connectTimeoutMs: 1000, requestTimeoutMs: 2000, retrySafe: true },
  ...over,
});

const run = (id: string, p: StepPlan = plan()) =>
  handleStep(p, { step: 'getOrder', inputs: { id }, steps: {} }, { secrets: new InMemorySecretsProvider({}), sealer: new AesGcmSealer(), serverUrls: { shop: baseUrl } });

describe('xpath criteria over loopback', () => {
  it('judge a paid order a success, and ask the server for XML', async () => {
    const result = await run('paid');
    expect(result).toMatchObject({ statusCode: 200, outcome: 'success', outputs: { total: ORDERS.paid.body, status: 'application/xml' } });
    expect(requests).toEqual([{ url: '/orders/paid', headers: expect.objectContaining({ accept: 'application/xml, text/xml;q=0.9, */*;q=0.8' }) }]);
  });

  it('route a pending order to the onFailure retry action chosen by XPath', async () => {
    const result = await run('pending');
    expect(result).toMatchObject({ statusCode: 200, outcome: 'onFailure.pending', delaySeconds: 5 });
  });

  it('fail a step that neither criterion nor action accepts', async () => {
    await expect(run('refused')).rejects.toMatchObject({ name: 'Arazzo.StepFailed', message: expect.stringContaining("/o:order/o:status = 'paid'") });
  });

  it('read a document in the encoding its declaration names', async () => {
    const p = plan({ successCriteria: [{ type: 'xpath', condition: "/o:order/o:status = 'payé'", context: '$response.body' }], onFailure: [] });
    expect(await run('latin', p)).toMatchObject({ outcome: 'success' });
  });

  it('fail the step on malformed XML as on an unmet criterion, the history naming the criterion and why, without quoting the body', async () => {
    const err = (await run('broken').catch((e: unknown) => e)) as Error;
    expect(err.name).toBe('Arazzo.StepFailed');
    expect(err.message).toContain(`step getOrder successCriteria[1], xpath criterion "/o:order/o:status = 'paid'" is not met: the context is not well-formed XML (line 1, column`);
    expect(err.message).toContain(`step getOrder onFailure "pending" criteria[0], xpath criterion "/o:order/o:status = 'pending'" is not met: the context is not well-formed XML`);
    expect(err.message.slice(err.message.indexOf('is not met'))).not.toMatch(/<o:status>/);
    expect(requests).toHaveLength(1);
  });

  it('record in the result why a criterion was not met when the step goes on', async () => {
    const p = plan({ onFailure: [{ ...pendingAction, criteria: [{ type: 'simple', condition: '$statusCode == 200' }] }] });
    const result = await run('broken', p);
    expect(result).toMatchObject({ outcome: 'onFailure.pending' });
    expect(result.criteriaNotes).toEqual([expect.stringMatching(/^step getOrder successCriteria\[1\], xpath criterion .* is not met: the context is not well-formed XML \(line 1, column \d+\)$/)]);
  });

  it('fail the step on an XPath that does not parse (a plan the compiler did not check), saying where', async () => {
    const p = plan({ successCriteria: [{ type: 'xpath', condition: '/o:order[', context: '$response.body', version: 'xpath-10' }], onFailure: [] });
    await expect(run('paid', p)).rejects.toMatchObject({
      name: 'Arazzo.StepFailed',
      message: expect.stringContaining('step getOrder successCriteria[0], xpath criterion "/o:order[" is not met: it does not parse as XPath 1.0 (at offset 9 of the condition as evaluated)'),
    });
    const p31 = plan({ successCriteria: [{ type: 'xpath', condition: '/o:order[', context: '$response.body' }], onFailure: [] });
    await expect(run('paid', p31)).rejects.toMatchObject({
      name: 'Arazzo.StepFailed',
      message: expect.stringContaining('xpath criterion "/o:order[" is not met: it does not parse as XPath 3.1 (at offset 8 of the condition as evaluated)'),
    });
  });
});
