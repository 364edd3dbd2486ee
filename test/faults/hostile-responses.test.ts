import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../core/errors.js';
import { MAX_JSON_DEPTH } from '../../functions/runtime/http/send-request.js';
import { isSealed } from '../../functions/runtime/secrets/index.js';
import type { CompiledWorkflow } from '../../compiler/index.js';
import { ARAZZO_HEAD, compileWorkflow, PETS_OPENAPI, runWorkflow, startLoopbackServer, type ConstructRun, type LoopbackServer, type RouteScript } from '../constructs/support/index.js';
import { scanForSecrets } from '../integration/support/seed-harness.js';

/**
 * Two steps: `read` takes what the provider answers into its outputs (and criteria), `next` puts
 * one of those outputs into its path and a header, where a hostile value would do harm.
 */
const workflowText = (outputs: string, criteria = '') => `${ARAZZO_HEAD}
workflows:
  - workflowId: hostile
    inputs: { type: object, properties: { token: { type: string } } }
    steps:
      - stepId: read
        operationId: getPet
        parameters:
          - { name: id, in: path, value: p1 }
          - { name: X-Trace-Id, in: header, value: "Bearer $inputs.token" }
        successCriteria: [{ condition: $statusCode == 200 }${criteria}]
        outputs: { ${outputs} }
      - stepId: next
        operationId: getPetStatus
        parameters:
          - { name: id, in: path, value: $steps.read.outputs.id }
          - { name: X-Trace-Id, in: header, value: $steps.read.outputs.trace }
    outputs: { ${outputs
  .split(',')
  .map((o) => o.split(':')[0].trim())
  .map((name) => `${name}: $steps.read.outputs.${name}`)
  .join(', ')} }
`;

const json = (body: string, status = 200): RouteScript => ({ status, body, headers: { 'content-type': 'application/json' } });
const nested = (depth: number) => `{"id":"p1","trace":"t","deep":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`;

describe('hostile provider responses: named errors, bounded state, no secret in any error or history', () => {
  let server: LoopbackServer;
  const token = `tok-${randomBytes(12).toString('hex')}`;
  const compiled = new Map<string, Promise<CompiledWorkflow>>();

  beforeAll(async () => {
    server = await startLoopbackServer();
    server.route('GET', '/pets/{id}/status', { status: 200, body: { ok: true } });
  });
  afterAll(() => server.close());

  async function run(outputs: string, script: RouteScript, criteria = ''): Promise<ConstructRun> {
    const text = workflowText(outputs, criteria);
    if (!compiled.has(text)) compiled.set(text, compileWorkflow(text, PETS_OPENAPI));
    server.route('GET', '/pets/{id}', script);
    const result = await runWorkflow(await compiled.get(text)!, { token: 'secret:token' }, server, { secrets: { token } });
    // Whatever happened: the execution ended, and the token sent on every call is nowhere to be read.
    expect(['SUCCEEDED', 'FAILED']).toContain(result.status);
    expect(result.execution.history.at(-1)?.type).toBe(result.status === 'SUCCEEDED' ? 'ExecutionSucceeded' : 'ExecutionFailed');
    const readable = `${JSON.stringify(result.execution.history)}\n${result.cause ?? ''}\n${JSON.stringify(result.output ?? null)}`;
    expect(scanForSecrets(readable, [token])).toEqual([]);
    if (result.status === 'FAILED') expect(result.error).toMatch(/^Arazzo\.\w+$/);
    return result;
  }

  const plain = 'id: $response.body#/id, trace: $response.body#/trace';

  it('a baseline answer passes, so each failure below is the hostile part', async () => {
    const result = await run(plain, { status: 200, body: { id: 'p1', trace: 't' } });
    expect(result.status).toBe('SUCCEEDED');
    expect(result.requests.map((r) => r.path)).toEqual(['/pets/p1', '/pets/p1/status']);
  });

  it('an output past the 256 KB state limit fails the step by name, and the history does not carry it', async () => {
    const result = await run(`${plain}, blob: $response.body#/blob`, { status: 200, body: { id: 'p1', trace: 't', blob: 'x'.repeat(300 * 1024) } });
    expect(result.error).toBe(ErrorCodes.InvalidResponse);
    expect(result.cause).toMatch(/^step read: its result takes \d+ bytes .* over the 262144-byte Step Functions limit/);
    expect(result.statesEntered).toContain('read.failed');
    expect(JSON.stringify(result.execution.history).length).toBeLessThan(64 * 1024);
  });

  it('a body past the 5 MB read limit: Arazzo.InvalidResponse, not read into memory whole', async () => {
    const result = await run(plain, { status: 200, body: { id: 'p1', blob: 'y'.repeat(6 * 1024 * 1024) } });
    expect(result.error).toBe(ErrorCodes.InvalidResponse);
    expect(result.cause).toMatch(/over the 5242880-byte limit/);
  });

  it.each([
    ['taken whole as an output', 'id: $response.body#/id, trace: $response.body#/trace, all: $response.body', ''],
    ['read by a pointer', `${plain}, inner: $response.body#/deep/a`, ''],
    ['searched by a jsonpath criterion', plain, ", { context: $response.body, type: jsonpath, condition: '$..zz' }"],
    ['matched by a regex criterion', plain, ", { context: $response.body, type: regex, condition: 'a' }"],
  ])('JSON nested 100,000 levels deep, %s: Arazzo.InvalidResponse, not a stack overflow', async (_, outputs, criteria) => {
    const result = await run(outputs, json(nested(100_000)), criteria);
    expect(result.error).toBe(ErrorCodes.InvalidResponse);
    expect(result.cause).toBe(`GET /pets/{id} answered with JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  });

  it(`JSON nested ${MAX_JSON_DEPTH - 1} levels deep still goes through the whole execution`, async () => {
    const result = await run('id: $response.body#/id, trace: $response.body#/trace, all: $response.body', json(nested(MAX_JSON_DEPTH - 1)));
    expect(result.status).toBe('SUCCEEDED');
  });

  it('a header injection attempt in a value the next step sends as a header: refused, the next call never made', async () => {
    const result = await run(plain, { status: 200, body: { id: 'p1', trace: 'ok\r\nSet-Cookie: session=stolen' } });
    expect(result.error).toBe(ErrorCodes.Expression);
    expect(result.cause).toBe('header "X-Trace-Id" would contain a line break; refusing to send it');
    expect(result.requests.map((r) => r.path)).toEqual(['/pets/p1']);
  });

  it('a response header past the client limit: Arazzo.InvalidResponse naming the reason', async () => {
    const result = await run(plain, { status: 200, headers: { 'x-big': 'z'.repeat(70_000) }, body: { id: 'p1', trace: 't' } });
    expect(result.error).toBe(ErrorCodes.InvalidResponse);
    expect(result.cause).toBe('GET /pets/{id} answered with a response HTTP/1.1 cannot read: UND_ERR_HEADERS_OVERFLOW');
  });

  it('path values from a response are confined to their segment, and ".." refused', async () => {
    const climbing = await run(plain, { status: 200, body: { id: '../../admin?x=1', trace: 't' } });
    expect(climbing.status).toBe('SUCCEEDED');
    expect(climbing.requests.map((r) => r.path)).toEqual(['/pets/p1', '/pets/..%2F..%2Fadmin%3Fx%3D1/status']);
    const dots = await run(plain, { status: 200, body: { id: '..', trace: 't' } });
    expect(dots.error).toBe(ErrorCodes.Expression);
    expect(dots.requests).toHaveLength(1);
  });

  it('a provider that echoes the credential back: the output carrying it is sealed, so it never reaches the history', async () => {
    const result = await run(`${plain}, echo: $response.body#/echo`, (request) => ({ status: 200, body: { id: 'p1', trace: 't', echo: `you sent ${request.headers['x-trace-id']}` } }));
    expect(result.status).toBe('SUCCEEDED');
    expect(isSealed((result.output as Record<string, unknown>).echo)).toBe(true);
  });

  it('a provider that echoes the credential in an error body: the failure names the status only', async () => {
    const result = await run(plain, (request) => ({ status: 401, body: { error: `bad token ${request.headers['x-trace-id']}` } }));
    expect(result.error).toBe(ErrorCodes.StepFailed);
    expect(result.cause).toContain('answered 401');
  });

  it('__proto__ members are plain data: readable by pointer, polluting nothing', async () => {
    const result = await run('id: $response.body#/__proto__/id, trace: $response.body#/trace', json('{"__proto__":{"id":"p1","polluted":true},"trace":"t"}'));
    expect(result.status).toBe('SUCCEEDED');
    expect((result.output as Record<string, unknown>).id).toBe('p1');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('an HTML page labelled JSON: Arazzo.InvalidResponse, with the size but not the page', async () => {
    const result = await run(plain, json(`<html><body>upstream error ${token}</body></html>`, 200));
    expect(result.error).toBe(ErrorCodes.InvalidResponse);
    expect(result.cause).toMatch(/^GET \/pets\/\{id\} answered with malformed JSON \(\d+ bytes\)$/);
  });

  it('bytes that are not UTF-8 are decoded with replacement characters, not refused', async () => {
    const result = await run(plain, json(Buffer.from([0x7b, 0x22, 0x69, 0x64, 0x22, 0x3a, 0x22, 0x70, 0x31, 0xff, 0x22, 0x2c, 0x22, 0x74, 0x72, 0x61, 0x63, 0x65, 0x22, 0x3a, 0x22, 0x74, 0x22, 0x7d]).toString('latin1')));
    expect(result.status).toBe('SUCCEEDED');
    expect(result.requests[1].path).toBe('/pets/p1%C3%BF/status');
  });
});
