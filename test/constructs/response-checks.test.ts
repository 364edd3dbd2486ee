import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../core/errors.js';
import type { StepPlan } from '../../core/plan.js';
import type { CompileOptions } from '../../compiler/plan/compile-options.js';
import { compileWorkflow, runWorkflow, startLoopbackServer, type ConstructRun, type LoopbackServer } from './support/index.js';

/** One GET operation that declares a JSON answer with a schema (OpenAPI `version`: 3.0 for `nullable`). */
const openapi = (version = '3.1.0') => `
openapi: ${version}
info: { title: Orders, version: 1.0.0 }
servers:
  - url: https://orders.invalid
paths:
  /orders/{id}:
    get:
      operationId: getOrder
      parameters:
        - { name: id, in: path, required: true, schema: { type: string } }
      responses:
        '200':
          description: the order
          content:
            application/json:
              schema:
                type: object
                required: [state]
                properties:
                  state: { type: string, enum: [open, paid] }
                  note: { type: string, nullable: true }
`;

/** `criteria` and `outputs` as YAML flow values. */
const arazzo = (criteria: string, outputs = '{ state: $response.body#/state }', workflowOutputs = '{ state: $steps.read.outputs.state }') => `
arazzo: 1.0.1
info: { title: checks, version: 1.0.0 }
sourceDescriptions:
  - { name: orders, url: ./openapi.yml, type: openapi }
workflows:
  - workflowId: checks
    steps:
      - stepId: read
        operationId: getOrder
        parameters: [{ name: id, in: path, value: o1 }]
        successCriteria: ${criteria}
        outputs: ${outputs}
    outputs: ${workflowOutputs}
`;

/** The `checks` field of the step's result, as the Task's output (and so the history) carries it. */
const findingsOf = (run: ConstructRun) =>
  run.execution.invocations.filter((i) => i.stateName === 'read').flatMap((i) => ((i.output as { checks?: { check: string; message: string }[] } | undefined)?.checks ?? []));

describe('response checks (CONTENT_TYPE_CHECK, SCHEMA_CHECK) with a severity', () => {
  let server: LoopbackServer;
  beforeEach(async () => {
    server = await startLoopbackServer();
  });
  afterEach(() => server.close());
  const compile = (doc: string, options: CompileOptions = {}, version?: string) => compileWorkflow(doc, openapi(version), options);

  it('by default (warn), JSON labelled text/plain is read as the declared JSON, the criteria decide, and the history names the check', async () => {
    server.route('GET', '/orders/{id}', { headers: { 'content-type': 'text/plain' }, body: '{"state":"paid"}' });
    const compiled = await compile(arazzo(`[{ condition: "$response.body#/state == 'paid'" }]`));
    expect((compiled.plan.steps[0] as StepPlan).checks).toEqual({ CONTENT_TYPE_CHECK: 'warn', SCHEMA_CHECK: 'warn' });
    const run = await runWorkflow(compiled, {}, server);
    expect(run.status, run.cause).toBe('SUCCEEDED');
    expect(run.output).toEqual({ state: 'paid' });
    expect(server.requests).toHaveLength(1);
    expect(findingsOf(run)).toEqual([
      {
        check: 'CONTENT_TYPE_CHECK',
        severity: 'warn',
        message:
          'step read: GET /orders/{id} (getOrder) answered 200 with Content-Type "text/plain", which the operation does not declare for 200: it declares application/json; read as application/json, as the operation declares',
      },
    ]);
    expect(JSON.stringify(run.execution.history)).toContain('CONTENT_TYPE_CHECK');
  });

  it('at warn, a body that is not the declared type does not fail a step whose criteria hold without reading it', async () => {
    server.route('GET', '/orders/{id}', { headers: { 'content-type': 'text/html' }, body: '<h1>paid</h1>' });
    const run = await runWorkflow(await compile(arazzo('[{ condition: $statusCode == 200 }]', '{}', '{}')), {}, server);
    expect(run.status, run.cause).toBe('SUCCEEDED');
    expect(findingsOf(run).map((f) => f.message)).toEqual([expect.stringContaining('it does not parse as application/json: read as labelled, and the step does not read the body')]);
  });

  it('at warn, a step never routes on a body it could not read: it fails by the check\'s error', async () => {
    server.route('GET', '/orders/{id}', { headers: { 'content-type': 'text/html' }, body: '<h1>paid</h1>' });
    const run = await runWorkflow(await compile(arazzo(`[{ condition: "$response.body#/state == 'paid'" }]`)), {}, server);
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe(ErrorCodes.UnexpectedContentType);
    expect(run.cause).toContain('the body does not parse as application/json either, and the step reads it');
  });

  it('at error, an undeclared Content-Type fails the step (after the provider-fault retries of a GET); off reads it as labelled, silently', async () => {
    server.route('GET', '/orders/{id}', { headers: { 'content-type': 'text/plain' }, body: '{"state":"paid"}' });
    const strict = await runWorkflow(await compile(arazzo('[{ condition: $statusCode == 200 }]'), { checks: { CONTENT_TYPE_CHECK: 'error' } }), {}, server);
    expect([strict.status, strict.error]).toEqual(['FAILED', ErrorCodes.UnexpectedContentType]);
    expect(strict.requests).toHaveLength(4);

    const lax = await runWorkflow(await compile(arazzo('[{ condition: $statusCode == 200 }]', '{ body: $response.body }', '{}'), { checks: { CONTENT_TYPE_CHECK: 'off' } }), {}, server);
    expect(lax.status, lax.cause).toBe('SUCCEEDED');
    expect(lax.execution.invocations.find((i) => i.stateName === 'read')?.output).toMatchObject({ outputs: { body: '{"state":"paid"}' } });
    expect(findingsOf(lax)).toEqual([]);
  });

  it('SCHEMA_CHECK at warn names where and which rule the body breaks, never the value', async () => {
    server.route('GET', '/orders/{id}', { body: { state: 'refunded-secret-value' } });
    const run = await runWorkflow(await compile(arazzo('[{ condition: $statusCode == 200 }]')), {}, server);
    expect(run.status, run.cause).toBe('SUCCEEDED');
    expect(findingsOf(run)).toEqual([
      {
        check: 'SCHEMA_CHECK',
        severity: 'warn',
        message: 'step read: GET /orders/{id} answered 200 with a body that does not match the schema the operation declares for it: /state (enum)',
      },
    ]);
    expect(JSON.stringify(findingsOf(run))).not.toContain('refunded-secret-value');
  });

  it('SCHEMA_CHECK at error fails the step with Arazzo.ResponseSchemaMismatch; off carries no schema in the plan', async () => {
    server.route('GET', '/orders/{id}', { body: { note: 'no state' } });
    const strict = await runWorkflow(await compile(arazzo('[{ condition: $statusCode == 200 }]'), { checks: { SCHEMA_CHECK: 'error' } }), {}, server);
    expect([strict.status, strict.error]).toEqual(['FAILED', ErrorCodes.ResponseSchemaMismatch]);
    expect(strict.cause).toContain('/ (required)');
    expect(strict.requests).toHaveLength(1);

    const off = await compile(arazzo('[{ condition: $statusCode == 200 }]'), { checks: { SCHEMA_CHECK: 'off' } });
    expect((off.plan.steps[0] as StepPlan).operation.responseSchemas).toBeUndefined();
    const run = await runWorkflow(off, {}, server);
    expect([run.status, findingsOf(run)]).toEqual(['SUCCEEDED', []]);
  });

  it('reads OpenAPI 3.0 schemas as 3.0 means them: nullable admits null', async () => {
    server.route('GET', '/orders/{id}', { body: { state: 'open', note: null } });
    const compiled = await compile(arazzo('[{ condition: $statusCode == 200 }]'), { checks: { SCHEMA_CHECK: 'error' } }, '3.0.3');
    expect((compiled.plan.steps[0] as StepPlan).operation.responseSchemas).toMatchObject({
      dialect: '4',
      byResponse: { '200': { 'application/json': { properties: { note: { type: ['string', 'null'] } } } } },
    });
    const run = await runWorkflow(compiled, {}, server);
    expect(run.status, run.cause).toBe('SUCCEEDED');
  });
});
