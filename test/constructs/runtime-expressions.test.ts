import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ARAZZO_HEAD, PETS_OPENAPI, compileWorkflow, runWorkflow, startLoopbackServer, type LoopbackServer } from './support/index.js';

const INPUTS_SCHEMA = `
    inputs:
      type: object
      required: [trace, pet]
      properties:
        trace: { type: string }
        pet:
          type: object
          properties:
            name: { type: string }
            tags: { type: array, items: { type: string } }
            owner: { type: object }
`;

const INPUT = { trace: 't1', pet: { name: 'Rex', tags: ['good', 'calm'], owner: { id: 42, city: 'Paris' } } };

const CREATED_BODY = {
  id: 'p-1',
  'a/b': 'slash',
  'c~d': 'tilde',
  '~1': 'tilde-one',
  items: [{ id: 'i0' }, { id: 'i1' }],
};

const EXPRESSIONS_WORKFLOW = `${ARAZZO_HEAD}
components:
  parameters:
    locale:
      name: X-Locale
      in: header
      value: fr-FR
workflows:
  - workflowId: expressions
${INPUTS_SCHEMA}
    steps:
      - stepId: createPet
        operationId: createPet
        parameters:
          - name: X-Trace-Id
            in: header
            value: "trace-{$inputs.trace}-{$inputs.pet.owner.city}"
          - name: Idempotency-Key
            in: header
            value: $inputs.pet.owner.id
        requestBody:
          contentType: application/json
          payload:
            name: $inputs.pet.name
            firstTag: $inputs.pet.tags[0]
            label: "{$inputs.pet.name} ({$inputs.pet#/tags/1})"
            owner: $inputs.pet.owner
        successCriteria:
          - condition: $statusCode == 201
        outputs:
          id: $response.body#/id
          url: $url
          method: $method
          status: $statusCode
          sentTrace: $request.header.x-trace-id
          sentKey: $request.header.Idempotency-Key
          sentName: $request.body#/name
          sentOwnerCity: $request.body#/owner/city
          sentBody: $request.body
          location: $response.header.Location
          rateLimit: $response.header.x-rate-limit
          body: $response.body
          slash: $response.body#/a~1b
          tilde: $response.body#/c~0d
          tildeOne: $response.body#/~01
          secondItem: $response.body#/items/1/id
      - stepId: getPet
        operationId: getPet
        parameters:
          - name: id
            in: path
            value: $steps.createPet.outputs.id
          - name: verbose
            in: query
            value: "{$steps.createPet.outputs.method}-{$steps.createPet.outputs.status}"
          - reference: $components.parameters.locale
        outputs:
          pathId: $request.path.id
          verbose: $request.query.verbose
          locale: $request.header.X-Locale
          name: $response.body#/name
    outputs:
      id: $steps.createPet.outputs.id
      url: $steps.createPet.outputs.url
      method: $steps.createPet.outputs.method
      status: $steps.createPet.outputs.status
      sentTrace: $steps.createPet.outputs.sentTrace
      sentKey: $steps.createPet.outputs.sentKey
      sentName: $steps.createPet.outputs.sentName
      sentOwnerCity: $steps.createPet.outputs.sentOwnerCity
      sentBody: $steps.createPet.outputs.sentBody
      location: $steps.createPet.outputs.location
      rateLimit: $steps.createPet.outputs.rateLimit
      body: $steps.createPet.outputs.body
      firstItem: $steps.createPet.outputs.body#/items/0/id
      slash: $steps.createPet.outputs.slash
      tilde: $steps.createPet.outputs.tilde
      tildeOne: $steps.createPet.outputs.tildeOne
      secondItem: $steps.createPet.outputs.secondItem
      pathId: $steps.getPet.outputs.pathId
      verbose: $steps.getPet.outputs.verbose
      locale: $steps.getPet.outputs.locale
      name: $steps.getPet.outputs.name
      trace: $inputs.trace
      ownerCity: $inputs.pet.owner.city
`;

describe('runtime expressions, end to end', () => {
  let server: LoopbackServer;
  beforeEach(async () => {
    server = await startLoopbackServer();
    server
      .route('POST', '/pets', { status: 201, headers: { Location: '/pets/p-1', 'X-Rate-Limit': '42' }, body: CREATED_BODY })
      .route('GET', '/pets/{id}', { status: 200, body: { name: 'Rex', state: 'available' } });
  });
  afterEach(() => server.close());

  it('evaluates every expression root in parameters, bodies and outputs', async () => {
    const compiled = await compileWorkflow(EXPRESSIONS_WORKFLOW, PETS_OPENAPI);
    const run = await runWorkflow(compiled, INPUT, server);

    expect(run.status, run.cause).toBe('SUCCEEDED');
    expect(run.statesEntered).toEqual(['Validate inputs', 'createPet', 'getPet']);

    expect(run.requests.map((r) => `${r.method} ${r.path}?${r.rawQuery}`)).toEqual(['POST /pets?', 'GET /pets/p-1?verbose=POST-201']);
    const [create, get] = run.requests;
    expect(create.headers['x-trace-id']).toBe('trace-t1-Paris');
    // A whole expression keeps its type; the header carries the number as text.
    expect(create.headers['idempotency-key']).toBe('42');
    expect(JSON.parse(create.body)).toEqual({ name: 'Rex', firstTag: 'good', label: 'Rex (calm)', owner: { id: 42, city: 'Paris' } });
    expect(get.headers['x-locale']).toBe('fr-FR');

    expect(run.output).toEqual({
      id: 'p-1',
      url: `${server.url}/pets`,
      method: 'POST',
      status: 201,
      sentTrace: 'trace-t1-Paris',
      sentKey: '42',
      sentName: 'Rex',
      sentOwnerCity: 'Paris',
      sentBody: { name: 'Rex', firstTag: 'good', label: 'Rex (calm)', owner: { id: 42, city: 'Paris' } },
      location: '/pets/p-1',
      rateLimit: '42',
      body: CREATED_BODY,
      firstItem: 'i0',
      slash: 'slash',
      tilde: 'tilde',
      tildeOne: 'tilde-one',
      secondItem: 'i1',
      pathId: 'p-1',
      verbose: 'POST-201',
      locale: 'fr-FR',
      name: 'Rex',
      trace: 't1',
      ownerCity: 'Paris',
    });
  });

  it('substitutes templates in path parameters and reads $url after them', async () => {
    const compiled = await compileWorkflow(
      `${ARAZZO_HEAD}
workflows:
  - workflowId: pathTemplate
${INPUTS_SCHEMA}
    steps:
      - stepId: getPet
        operationId: getPet
        parameters:
          - name: id
            in: path
            value: "pet-{$inputs.pet.tags[1]}"
          - name: verbose
            in: query
            value: "{$inputs.trace}"
        outputs:
          url: $url
          verbose: $request.query.verbose
    outputs:
      url: $steps.getPet.outputs.url
      verbose: $steps.getPet.outputs.verbose
`,
      PETS_OPENAPI,
    );
    const run = await runWorkflow(compiled, INPUT, server);
    expect(run.status, run.cause).toBe('SUCCEEDED');
    expect(run.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /pets/pet-calm']);
    expect(run.output).toEqual({ url: `${server.url}/pets/pet-calm?verbose=t1`, verbose: 't1' });
  });

  it('embeds templates in step outputs', async () => {
    const compiled = await compileWorkflow(
      `${ARAZZO_HEAD}
workflows:
  - workflowId: outputTemplate
${INPUTS_SCHEMA}
    steps:
      - stepId: getPet
        operationId: getPet
        parameters:
          - name: id
            in: path
            value: p-1
        outputs:
          summary: "{$response.body#/name} is {$response.body#/state} ({$statusCode})"
    outputs:
      summary: $steps.getPet.outputs.summary
`,
      PETS_OPENAPI,
    );
    const run = await runWorkflow(compiled, INPUT, server);
    expect(run.status, run.cause).toBe('SUCCEEDED');
    expect(run.statesEntered).toEqual(['Validate inputs', 'getPet']);
    expect(run.output).toEqual({ summary: 'Rex is available (200)' });
  });

  it('embeds templates in workflow outputs', async () => {
    const compiled = await compileWorkflow(
      `${ARAZZO_HEAD}
workflows:
  - workflowId: workflowOutputTemplate
${INPUTS_SCHEMA}
    steps:
      - stepId: getPet
        operationId: getPet
        parameters:
          - name: id
            in: path
            value: p-1
        outputs:
          name: $response.body#/name
    outputs:
      label: "{$steps.getPet.outputs.name} traced by {$inputs.trace}"
`,
      PETS_OPENAPI,
    );
    const run = await runWorkflow(compiled, INPUT, server);
    expect(run.status, run.cause).toBe('SUCCEEDED');
    expect(run.output).toEqual({ label: 'Rex traced by t1' });
  });
});
