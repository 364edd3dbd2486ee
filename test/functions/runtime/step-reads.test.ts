import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openContext } from '../../../functions/runtime/decide-outcome.js';
import { handleStep } from '../../../functions/runtime/handle-step.js';
import type { StepPlan } from '../../../core/plan.js';
import { AesGcmSealer, InMemorySecretsProvider, type Sealer } from '../../../functions/runtime/secrets/index.js';
import { stepReads } from '../../../functions/runtime/step-reads.js';

const plan = (over: Partial<StepPlan> = {}): StepPlan => ({
  workflowId: 'wf',
  sealContext: 'wf',
  stepId: 'pay',
  operation: { source: 'api', method: 'POST', serverUrl: 'http://unused', path: '/payments', parameters: [], key: 'api.pay' },
  parameters: [{ name: 'Authorization', in: 'header', value: 'Bearer {$steps.token.outputs.accessToken}' }],
  requestBody: { contentType: 'application/json', payload: { amount: '$inputs.amount', note: 'for {$steps.customer.outputs.id}' }, replacements: [{ target: '/ref', value: '$inputs.reference' }] },
  successCriteria: [{ type: 'simple', condition: '$statusCode == 201 && $steps.customer.outputs.status == "active"' }],
  onSuccess: [{ outcome: 'onSuccess.big', kind: 'onSuccess', type: 'end', criteria: [{ type: 'jsonpath', context: '$steps.quote.outputs.body', condition: '$.total > 100' }] }],
  onFailure: [],
  outputs: { paymentId: '$response.body#/id', payer: '$inputs.payer' },
  sealedOutputs: [],
  endsOnDefaultSuccess: true,
  workflowOutputs: { token: '$steps.token.outputs.refreshToken' },
  credentialInputs: [],
  transport: { connectTimeoutMs: 1000, requestTimeoutMs: 1000, retrySafe: false },
  ...over,
});

/** The real AES-GCM sealer, counting what it opens (on AWS each opening is a KMS Decrypt call). */
class CountingSealer implements Sealer {
  readonly opened: string[] = [];
  constructor(private readonly inner: Sealer) {}
  seal(plaintext: string, context: string) {
    return this.inner.seal(plaintext, context);
  }
  async unseal(sealed: string, context: string) {
    const plain = await this.inner.unseal(sealed, context);
    this.opened.push(plain);
    return plain;
  }
}

describe('stepReads: the inputs and step outputs a step reads', () => {
  it('collects them from parameters, body, replacements, criteria (operands and contexts) and outputs, not from workflow outputs', () => {
    const reads = stepReads(plan())!;
    expect([...reads.inputs].sort()).toEqual(['amount', 'payer', 'reference']);
    expect(Object.fromEntries([...reads.stepOutputs].map(([id, names]) => [id, [...names].sort()]))).toEqual({
      token: ['accessToken'],
      customer: ['id', 'status'],
      quote: ['body'],
    });
  });

  it('counts $workflows.<id>.inputs as inputs, and $workflows.<id>.outputs by dependency', () => {
    const reads = stepReads(plan({ parameters: [{ name: 'q', in: 'query', value: '{$workflows.login.outputs.token}:{$workflows.login.inputs.user}' }], requestBody: undefined, outputs: {} }))!;
    expect([...reads.inputs]).toContain('user');
    expect(Object.fromEntries([...reads.workflowOutputs].map(([id, names]) => [id, [...names]]))).toEqual({ login: ['token'] });
  });

  it('reads the seed’s unbraced form ("Bearer $inputs.accessToken") too', () => {
    const reads = stepReads(plan({ parameters: [{ name: 'Authorization', in: 'header', value: 'Bearer $inputs.accessToken' }], requestBody: undefined }))!;
    expect(reads.inputs.has('accessToken')).toBe(true);
  });

  it('says nothing (open everything) when an expression cannot be read', () => {
    expect(stepReads(plan({ outputs: { broken: '$steps.' } }))).toBeUndefined();
  });
});

describe('openContext opens only the sealed values the step reads', () => {
  it('leaves the others sealed, and never calls the sealer for them', async () => {
    const inner = new AesGcmSealer();
    const sealer = new CountingSealer(inner);
    const event = {
      step: 'pay',
      inputs: { amount: '10', payer: await inner.seal(JSON.stringify('parent-token'), 'wf'), unrelated: await inner.seal(JSON.stringify('other-token'), 'wf') },
      steps: {
        token: { outcome: 'success', outputs: { accessToken: await inner.seal(JSON.stringify('tok_used'), 'wf'), refreshToken: await inner.seal(JSON.stringify('tok_unused'), 'wf') }, visits: 1, attempts: 1 },
        other: { outcome: 'success', outputs: { secret: await inner.seal(JSON.stringify('tok_other'), 'wf') }, visits: 1, attempts: 1 },
      },
    };
    const { ctx, opened } = await openContext(plan(), event, { secrets: new InMemorySecretsProvider(), sealer }, []);
    expect(sealer.opened.sort()).toEqual(['"parent-token"', '"tok_used"']);
    expect(ctx.steps.token?.outputs).toEqual({ accessToken: 'tok_used', refreshToken: event.steps.token.outputs.refreshToken });
    expect(ctx.steps.other?.outputs?.secret).toMatch(/^sealed:v1:/);
    expect(ctx.inputs).toMatchObject({ payer: 'parent-token', unrelated: expect.stringMatching(/^sealed:v1:/) });
    expect(opened.sort()).toEqual(['parent-token', 'tok_used']);
  });

  it('opens a dependsOn workflow’s sealed output the step reads, and leaves its others sealed', async () => {
    const inner = new AesGcmSealer();
    const sealer = new CountingSealer(inner);
    const p = plan({ parameters: [{ name: 'Authorization', in: 'header', value: 'Bearer {$workflows.login.outputs.accessToken}' }], requestBody: undefined, successCriteria: [], onSuccess: [], outputs: {} });
    const event = {
      step: 'pay',
      inputs: {},
      steps: {},
      workflows: { login: { outputs: { accessToken: await inner.seal(JSON.stringify('tok_login'), 'wf'), refreshToken: await inner.seal(JSON.stringify('tok_refresh'), 'wf') } } },
    };
    const { ctx } = await openContext(p, event, { secrets: new InMemorySecretsProvider(), sealer }, []);
    expect(sealer.opened).toEqual(['"tok_login"']);
    expect(ctx.workflows?.login?.outputs).toEqual({ accessToken: 'tok_login', refreshToken: event.workflows.login.outputs.refreshToken });
  });
});

describe('handleStep refuses to send a sealed value', () => {
  let server: Server;
  let url: string;
  let requests = 0;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      requests++;
      res.writeHead(201, { 'content-type': 'application/json' }).end('{"id":"p1"}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('fails the step by name, before any request, when a sealed string would reach the wire', async () => {
    const sealed = await new AesGcmSealer().seal(JSON.stringify('tok'), 'wf');
    const p = plan({ parameters: [{ name: 'X-Token', in: 'header', value: sealed }], requestBody: undefined, successCriteria: [], onSuccess: [] });
    await expect(handleStep(p, { step: 'pay', inputs: {}, steps: {} }, { secrets: new InMemorySecretsProvider(), sealer: new AesGcmSealer(), serverUrls: { api: url } })).rejects.toMatchObject({
      name: 'Arazzo.Plan',
      message: expect.stringContaining('would be sent unopened'),
    });
    expect(requests).toBe(0);
  });

  it('sees one in a query parameter or a form body too, before encoding could hide it', async () => {
    const sealed = await new AesGcmSealer().seal(JSON.stringify('tok'), 'wf');
    const runtime = { secrets: new InMemorySecretsProvider(), sealer: new AesGcmSealer(), serverUrls: { api: url } };
    const inQuery = plan({ parameters: [{ name: 'token', in: 'query', value: `x-${sealed}` }], requestBody: undefined, successCriteria: [], onSuccess: [] });
    await expect(handleStep(inQuery, { step: 'pay', inputs: {}, steps: {} }, runtime)).rejects.toMatchObject({ name: 'Arazzo.Plan' });
    const inForm = plan({ parameters: [], requestBody: { contentType: 'application/x-www-form-urlencoded', payload: { token: sealed }, replacements: [] }, successCriteria: [], onSuccess: [] });
    await expect(handleStep(inForm, { step: 'pay', inputs: {}, steps: {} }, runtime)).rejects.toMatchObject({ name: 'Arazzo.Plan' });
    expect(requests).toBe(0);
  });
});
