import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATE_LIMIT_BYTES } from '../../functions/runtime/decide-outcome.js';
import { ErrorCodes } from '../../core/errors.js';
import { handleStep } from '../../functions/runtime/handle-step.js';
import { jsonNestsDeeperThan, MAX_JSON_DEPTH, parseBody, sendRequest } from '../../functions/runtime/http/send-request.js';
import { isWorkflowStep, type StepPlan, type StepResult } from '../../core/plan.js';
import { AesGcmSealer, InMemorySecretsProvider } from '../../functions/runtime/secrets/index.js';
import type { CompiledWorkflow } from '../../compiler/index.js';
import { ARAZZO_HEAD, compileWorkflow, PETS_OPENAPI, startLoopbackServer, type LoopbackServer } from '../constructs/support/index.js';

const nested = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

describe('JSON nesting bound of response bodies', () => {
  it('counts containers, not brackets inside strings (escaped quotes included)', () => {
    expect(jsonNestsDeeperThan('[[1]]', 2)).toBe(false);
    expect(jsonNestsDeeperThan('[[[1]]]', 2)).toBe(true);
    expect(jsonNestsDeeperThan('[{"k":[1]}, {"k":[2]}]', 3)).toBe(false);
    expect(jsonNestsDeeperThan(`["${'['.repeat(50)}", "\\"[[[[", {}]`, 2)).toBe(false);
    expect(jsonNestsDeeperThan('"[[[[[[[["', 0)).toBe(false);
  });

  it(`parses a body nested ${MAX_JSON_DEPTH} levels and refuses one level more with Arazzo.InvalidResponse`, () => {
    expect(parseBody(nested(MAX_JSON_DEPTH), 'application/json', 'GET /x')).toBeTypeOf('object');
    let error: unknown;
    try {
      parseBody(nested(MAX_JSON_DEPTH + 1), 'application/problem+json', 'GET /x');
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ name: ErrorCodes.InvalidResponse, message: `GET /x answered with JSON nested deeper than ${MAX_JSON_DEPTH} levels` });
  });

  it('leaves non-JSON bodies alone, however deep they look', () => {
    expect(parseBody('['.repeat(5000), 'text/plain', 'GET /x')).toBe('['.repeat(5000));
  });
});

describe('a response HTTP cannot read is named as such', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    // A line break inside a header value: what a header injection attempt looks like on the wire.
    server = createServer((socket) => {
      socket.on('error', () => {});
      socket.once('data', () => socket.end('HTTP/1.1 200 OK\r\nX-Injected: a\rSet-Cookie: b\r\nContent-Length: 2\r\n\r\n{}'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/pets/1`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('Arazzo.InvalidResponse, not retryable, saying the answer (not the sending) failed', async () => {
    const sent = sendRequest({ method: 'GET', url, headers: {}, parts: { headers: {}, query: {}, path: {} } }, { connectTimeoutMs: 1_000, requestTimeoutMs: 1_000, describe: 'GET /pets/{id}' });
    await expect(sent).rejects.toMatchObject({
      name: ErrorCodes.InvalidResponse,
      retryable: false,
      message: 'GET /pets/{id} answered with a response HTTP/1.1 cannot read: HTTPParserError',
    });
  });
});

describe('the 256 KB Step Functions state limit', () => {
  let server: LoopbackServer;
  let workflow: CompiledWorkflow;
  let plan: StepPlan;
  const runtime = () => ({ secrets: new InMemorySecretsProvider(), sealer: new AesGcmSealer(randomBytes(32)), serverUrls: { pets: server.url } });

  beforeAll(async () => {
    server = await startLoopbackServer();
    workflow = await compileWorkflow(
      `${ARAZZO_HEAD}
workflows:
  - workflowId: w
    steps:
      - stepId: read
        operationId: getPet
        parameters: [{ name: id, in: path, value: p1 }]
        outputs: { blob: $response.body#/blob }
    outputs: { blob: $steps.read.outputs.blob }
`,
      PETS_OPENAPI,
    );
    const step = workflow.plan.steps[0];
    if (isWorkflowStep(step)) throw new Error('expected an operation step');
    plan = step;
  });
  afterAll(() => server.close());

  const blob = (bytes: number) => 'x'.repeat(bytes);

  it('returns a result that fits', async () => {
    server.route('GET', '/pets/{id}', { body: { blob: blob(100_000) } });
    const result = await handleStep(plan, { step: 'read', inputs: {}, steps: {} }, runtime());
    expect((result.outputs.blob as string).length).toBe(100_000);
  });

  it('fails the step with Arazzo.InvalidResponse naming sizes, never the value, when its outputs would overflow the state', async () => {
    const marker = `marker-${randomBytes(6).toString('hex')}`;
    server.route('GET', '/pets/{id}', { body: { blob: marker + blob(STATE_LIMIT_BYTES) } });
    const sent = handleStep(plan, { step: 'read', inputs: {}, steps: {} }, runtime());
    await expect(sent).rejects.toMatchObject({ name: ErrorCodes.InvalidResponse });
    const message = await sent.catch((err: Error) => err.message);
    expect(message).toMatch(/^step read: its result takes \d+ bytes and would bring the execution state to \d+ bytes, over the 262144-byte Step Functions limit/);
    expect(message).not.toContain(marker);
  });

  it('counts what earlier steps and the inputs already hold, and the workflow outputs an ending step repeats', async () => {
    // The step ends the workflow, so its 60 KB output is stored twice (outputs and workflowOutputs): 120 KB.
    server.route('GET', '/pets/{id}', { body: { blob: blob(60_000) } });
    const earlier: StepResult = { statusCode: 200, outcome: 'success', outputs: { previous: blob(60_000) }, visits: 1 };
    await expect(handleStep(plan, { step: 'read', inputs: { note: blob(40_000) }, steps: { earlier } }, runtime())).resolves.toBeDefined();
    await expect(handleStep(plan, { step: 'read', inputs: { note: blob(90_000) }, steps: { earlier } }, runtime())).rejects.toMatchObject({ name: ErrorCodes.InvalidResponse });
  });
});
