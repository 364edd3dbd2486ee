import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleStep } from '../../functions/runtime/handle-step.js';
import { buildRequest } from '../../functions/runtime/http/build-request.js';
import type { StepEvent, StepPlan, StepResult } from '../../functions/runtime/plan.js';
import { AesGcmSealer, InMemorySecretsProvider } from '../../functions/runtime/secrets/index.js';

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
