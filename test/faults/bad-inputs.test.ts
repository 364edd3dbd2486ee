import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../core/errors.js';
import type { CompiledWorkflow } from '../../compiler/index.js';
import { ARAZZO_HEAD, compileWorkflow, PETS_OPENAPI, runWorkflow, startLoopbackServer, type ConstructRun, type LoopbackServer } from '../constructs/support/index.js';
import { scanForSecrets } from '../integration/support/seed-harness.js';

// Malformed Arazzo documents (63 of them, each with its exact diagnostics) are test/fixtures/invalid,
// pinned by test/compiler/invalid-corpus.test.ts; malformed OpenAPI is test/faults/malformed-openapi.test.ts.

const STRICT = `${ARAZZO_HEAD}
workflows:
  - workflowId: strict
    inputs:
      type: object
      additionalProperties: false
      required: [petId, note, apiKey]
      properties:
        petId: { type: string, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }
        note: { type: string, maxLength: 1000 }
        limit: { type: integer, minimum: 1, maximum: 100 }
        apiKey: { type: string, format: password }
    steps:
      - stepId: read
        operationId: getPet
        parameters:
          - { name: id, in: path, value: $inputs.petId }
          - { name: X-Trace-Id, in: header, value: $inputs.note }
          - { name: X-Locale, in: header, value: "Key $inputs.apiKey" }
        outputs: { name: $response.body#/name }
    outputs: { name: $steps.read.outputs.name }
`;

// No constraints: whatever the caller sends reaches the request builder.
const LAX = `${ARAZZO_HEAD}
workflows:
  - workflowId: lax
    inputs:
      type: object
      properties:
        petId: { type: string }
        trace: { type: string }
    steps:
      - stepId: read
        operationId: getPet
        parameters:
          - { name: id, in: path, value: $inputs.petId }
          - { name: X-Trace-Id, in: header, value: $inputs.trace }
        outputs: { name: $response.body#/name }
    outputs: { name: $steps.read.outputs.name }
`;

const marker = () => `hostile-${randomBytes(6).toString('hex')}`;

describe('bad workflow inputs: each refused with a named error, nothing sent that should not be, nothing echoed', () => {
  let server: LoopbackServer;
  let strict: CompiledWorkflow;
  let lax: CompiledWorkflow;
  const apiKey = `key-${randomBytes(12).toString('hex')}`;
  const secrets = { petsKey: apiKey };

  beforeAll(async () => {
    server = await startLoopbackServer();
    server.route('GET', '/pets/{id}', { status: 200, body: { name: 'Rex' } });
    [strict, lax] = await Promise.all([compileWorkflow(STRICT, PETS_OPENAPI), compileWorkflow(LAX, PETS_OPENAPI)]);
  });
  afterAll(() => server.close());

  function expectNothingLeaked(run: ConstructRun, ...values: string[]) {
    const readable = `${JSON.stringify(run.execution.history)}\n${run.cause ?? ''}\n${JSON.stringify(run.output ?? null)}`;
    expect(scanForSecrets(readable, [apiKey, ...values])).toEqual([]);
  }

  const valid = { petId: 'p1', note: 'ok', apiKey: 'secret:petsKey' };

  it('a valid input runs, so the refusals below are about the input alone', async () => {
    const run = await runWorkflow(strict, valid, server, { secrets });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.requests).toHaveLength(1);
    expect(run.requests[0].headers['x-locale']).toBe(`Key ${apiKey}`);
    expectNothingLeaked(run);
  });

  const refused: [string, unknown, RegExp[]][] = [
    ['missing required inputs', {}, [/3 problems/, /missing required input "petId"/, /missing required input "note"/, /missing required input "apiKey"/]],
    ['wrong types', { ...valid, petId: 42, limit: 'ten', note: { text: 'x' } }, [/inputs\.petId: must be string/, /inputs\.limit: must be integer/, /inputs\.note: must be string/]],
    ['a number out of range', { ...valid, limit: 101 }, [/inputs\.limit: must be <= 100/]],
    ['an extra property where the schema forbids them', { ...valid, petID: 'p1' }, [/unexpected input "petID"/]],
    ['a __proto__ key', JSON.parse(`{"petId":"p1","note":"ok","apiKey":"secret:petsKey","__proto__":{"polluted":true}}`), [/unexpected input "__proto__"/]],
    ['an oversized string', { ...valid, note: 'x'.repeat(1_001) }, [/inputs\.note: must NOT have more than 1000 characters/]],
    ['a path value that would climb out of its segment', { ...valid, petId: '../admin' }, [/inputs\.petId: must match pattern/]],
    ['a path value with a query and fragment', { ...valid, petId: 'p1?admin=1#x' }, [/inputs\.petId: must match pattern/]],
    ['a raw credential instead of a secret reference', { ...valid, apiKey: 'raw-api-key-value' }, [/inputs\.apiKey: is a credential/]],
    ['an array instead of an object', ['p1'], [/must be a JSON object/]],
    ['a string instead of an object', 'p1', [/must be a JSON object/]],
    ['a boolean instead of an object', true, [/must be a JSON object/]],
  ];

  it.each(refused)('%s: Arazzo.InvalidInputs before any call', async (_, input, causes) => {
    const run = await runWorkflow(strict, input, server, { secrets });
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe(ErrorCodes.InvalidInputs);
    expect(run.statesEntered).toEqual(['Validate inputs', 'Validate inputs.failed']);
    expect(run.requests).toEqual([]);
    for (const cause of causes) expect(run.cause).toMatch(cause);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // A raw value the caller put in the input is in the input events, as on AWS; the refusal must not repeat it.
    const failures = run.execution.history.filter((e) => /Failed$/.test(e.type ?? ''));
    expect(failures.length).toBeGreaterThan(0);
    expect(scanForSecrets(JSON.stringify(failures), ['raw-api-key-value', apiKey])).toEqual([]);
  });

  it.each([null, 0])('%j as the input fails before any call (the embedded engine refuses it as States.Runtime)', async (input) => {
    const run = await runWorkflow(strict, input, server, { secrets });
    expect(run.status).toBe('FAILED');
    // Step Functions hands null to the first Task, which refuses it; the embedded engine reads `$` of a falsy input as absent.
    expect([ErrorCodes.InvalidInputs, 'States.Runtime']).toContain(run.error);
    expect(run.requests).toEqual([]);
  });

  it('a hostile value is named by its path and rule, never quoted', async () => {
    const value = marker();
    const run = await runWorkflow(strict, { ...valid, note: value.repeat(100), petId: `${value}/..` }, server, { secrets });
    expect(run.error).toBe(ErrorCodes.InvalidInputs);
    expect(run.cause).not.toContain(value);
  });

  describe('values that would break the URL path or a header, when no schema stops them', () => {
    it.each([
      ['..', 'is empty, "." or ".."'],
      ['.', 'is empty, "." or ".."'],
      ['', 'is empty, "." or ".."'],
    ])('path value %j: Arazzo.Expression, no request', async (petId, cause) => {
      const run = await runWorkflow(lax, { petId, trace: 't' }, server);
      expect({ status: run.status, error: run.error }).toEqual({ status: 'FAILED', error: ErrorCodes.Expression });
      expect(run.cause).toContain(cause);
      expect(run.requests).toEqual([]);
    });

    it.each([
      ['a/b?c=1#d', '/pets/a%2Fb%3Fc%3D1%23d'],
      ['../../admin', '/pets/..%2F..%2Fadmin'],
      ['%2e%2e', '/pets/%252e%252e'],
      ['é 😀', '/pets/%C3%A9%20%F0%9F%98%80'],
    ])('path value %j stays inside its segment, percent-encoded', async (petId, path) => {
      const run = await runWorkflow(lax, { petId, trace: 't' }, server);
      expect(run.status).toBe('SUCCEEDED');
      expect(run.requests.map((r) => r.path)).toEqual([path]);
    });

    it.each([
      ['CRLF and a second header', 'a\r\nX-Injected: 1'],
      ['a bare LF', 'a\nb'],
      ['a NUL', 'a\u0000b'],
    ])('header value with %s: Arazzo.Expression, no request, the value not echoed', async (_, trace) => {
      const run = await runWorkflow(lax, { petId: 'p1', trace }, server);
      expect({ status: run.status, error: run.error }).toEqual({ status: 'FAILED', error: ErrorCodes.Expression });
      expect(run.cause).toBe('header "X-Trace-Id" would contain a line break; refusing to send it');
      expect(run.requests).toEqual([]);
    });

    it('an oversized header value is refused by the server, and the execution fails by name', async () => {
      const run = await runWorkflow(lax, { petId: 'p1', trace: 'x'.repeat(100_000) }, server);
      expect(run.status).toBe('FAILED');
      // Node answers 431 and closes; should the close win the race, it is a transport fault instead.
      expect(run.error).toMatch(/^Arazzo\.(StepFailed|ProviderUnavailable)$/);
      expect(run.cause).toMatch(/answered 431|UND_ERR_SOCKET|ECONNRESET/);
      expect(run.cause).not.toContain('x'.repeat(100));
    });
  });

  // A deeply nested input makes the embedded engine throw RangeError while copying the state before
  // the first state runs; the run must still end, as a named runtime failure.
  it('a deeply nested input ends the execution as States.Runtime', async () => {
    const deep = JSON.parse(`${'['.repeat(5_000)}${']'.repeat(5_000)}`) as unknown;
    const ended = runWorkflow(lax, { petId: 'p1', trace: 't', deep }, server).then((run) => run.status);
    const hung = new Promise<string>((resolve) => setTimeout(() => resolve('still running after 3 s'), 3_000).unref());
    expect(await Promise.race([ended, hung])).toBe('FAILED');
  });
});
