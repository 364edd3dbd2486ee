import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ARAZZO_HEAD, PETS_OPENAPI, compileWorkflow, compileWorkflowResult, runWorkflow, startLoopbackServer, type LoopbackServer } from './support/index.js';

const VALIDATE = 'Validate inputs';

/** Two sources that both declare `getThing`, on different paths so the request shows which one ran. */
const thingsApi = (prefix: string) => `
openapi: 3.0.3
info: { title: ${prefix}, version: 1.0.0 }
servers:
  - url: https://${prefix}.invalid
paths:
  /${prefix}/things/{id}:
    get:
      operationId: getThing
      parameters:
        - { name: id, in: path, required: true, schema: { type: string } }
      responses: { '200': { description: ok } }
`;
const TWO_SOURCES = { 'alpha.yml': thingsApi('alpha'), 'beta.yml': thingsApi('beta') };

const twoSourcesWorkflow = (firstOperationId: string) => `
arazzo: 1.0.1
info: { title: two sources, version: 1.0.0 }
sourceDescriptions:
  - { name: alpha, url: ./alpha.yml, type: openapi }
  - { name: beta, url: ./beta.yml, type: openapi }
workflows:
  - workflowId: twoSources
    steps:
      - stepId: fromAlpha
        operationId: ${firstOperationId}
        parameters:
          - { name: id, in: path, value: t-1 }
        outputs:
          source: $response.body#/source
      - stepId: fromBeta
        operationId: $sourceDescriptions.beta.getThing
        parameters:
          - { name: id, in: path, value: $steps.fromAlpha.outputs.source }
        outputs:
          source: $response.body#/source
    outputs:
      alpha: $steps.fromAlpha.outputs.source
      beta: $steps.fromBeta.outputs.source
`;

describe('steps, end to end', () => {
  let server: LoopbackServer;
  beforeEach(async () => {
    server = await startLoopbackServer();
    server
      .route('GET', '/pets/{id}', (req) => ({ body: { via: 'getPet', path: req.path } }))
      .route('GET', '/health', { body: { ok: true } })
      .route('GET', '/alpha/things/{id}', { body: { source: 'alpha' } })
      .route('GET', '/beta/things/{id}', { body: { source: 'beta' } });
  });
  afterEach(() => server.close());

  it('binds a plain operationId', async () => {
    const compiled = await compileWorkflow(
      `${ARAZZO_HEAD}
workflows:
  - workflowId: plain
    steps:
      - stepId: fetch
        operationId: getPet
        parameters:
          - { name: id, in: path, value: p-1 }
        outputs:
          via: $response.body#/via
    outputs:
      via: $steps.fetch.outputs.via
`,
      PETS_OPENAPI,
    );
    const run = await runWorkflow(compiled, {}, server);
    expect(run.status, run.cause).toBe('SUCCEEDED');
    expect(run.statesEntered).toEqual([VALIDATE, 'fetch']);
    expect(run.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /pets/p-1']);
    expect(run.output).toEqual({ via: 'getPet' });
  });

  it('binds $sourceDescriptions.<name>.<operationId> to the named one of two sources', async () => {
    const compiled = await compileWorkflow(twoSourcesWorkflow('$sourceDescriptions.alpha.getThing'), TWO_SOURCES);
    expect(compiled.plan.steps.map((s) => ('operation' in s ? [s.stepId, s.operation.source, s.operation.path] : [s.stepId]))).toEqual([
      ['fromAlpha', 'alpha', '/alpha/things/{id}'],
      ['fromBeta', 'beta', '/beta/things/{id}'],
    ]);
    const run = await runWorkflow(compiled, {}, server);
    expect(run.status, run.cause).toBe('SUCCEEDED');
    expect(run.statesEntered).toEqual([VALIDATE, 'fromAlpha', 'fromBeta']);
    expect(run.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /alpha/things/t-1', 'GET /beta/things/alpha']);
    expect(run.output).toEqual({ alpha: 'alpha', beta: 'beta' });
  });

  it('rejects an operationId that two sources declare unless it is qualified', async () => {
    const result = await compileWorkflowResult(twoSourcesWorkflow('getThing'), TWO_SOURCES);
    const errors = result.diagnostics.filter((d) => d.severity === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toContain('$sourceDescriptions.<name>.getThing');
    expect(result.workflows).toEqual([]);
  });

  it('binds an operationPath into a source', async () => {
    const compiled = await compileWorkflow(
      `${ARAZZO_HEAD}
workflows:
  - workflowId: byPath
    steps:
      - stepId: fetch
        operationPath: '{$sourceDescriptions.pets.url}#/paths/~1pets~1{id}/get'
        parameters:
          - { name: id, in: path, value: p-2 }
        outputs:
          via: $response.body#/via
      - stepId: health
        operationPath: '{$sourceDescriptions.pets.url}#/paths/~1health/get'
        outputs:
          ok: $response.body#/ok
    outputs:
      via: $steps.fetch.outputs.via
      ok: $steps.health.outputs.ok
`,
      PETS_OPENAPI,
    );
    const run = await runWorkflow(compiled, {}, server);
    expect(run.status, run.cause).toBe('SUCCEEDED');
    expect(run.statesEntered).toEqual([VALIDATE, 'fetch', 'health']);
    expect(run.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /pets/p-2', 'GET /health']);
    expect(run.output).toEqual({ via: 'getPet', ok: true });
  });
});
