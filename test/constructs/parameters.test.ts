import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ARAZZO_HEAD, PETS_OPENAPI, compileWorkflow, runWorkflow, startLoopbackServer, type LoopbackServer } from './support/index.js';

const VALIDATE = 'Validate inputs';

describe('parameters, end to end', () => {
  let server: LoopbackServer;
  beforeEach(async () => {
    server = await startLoopbackServer();
    server
      .route('GET', '/pets/{id}', { body: { name: 'Rex' } })
      .route('GET', '/pets', { body: [] })
      .route('POST', '/pets', { status: 201, body: { id: 'p-9' } })
      .route('PUT', '/pets/{id}', { body: { updated: true } })
      .route('POST', '/pets/{id}/notes', { status: 201, body: { noted: true } });
  });
  afterEach(() => server.close());

  it('sends path, query, header and cookie parameters where they belong', async () => {
    const compiled = await compileWorkflow(
      `${ARAZZO_HEAD}
workflows:
  - workflowId: locations
    inputs:
      type: object
      properties:
        petId: { type: string }
    steps:
      - stepId: getPet
        operationId: getPet
        parameters:
          - { name: id, in: path, value: $inputs.petId }
          - { name: verbose, in: query, value: "yes & more" }
          - { name: X-Locale, in: header, value: de-DE }
          - { name: session, in: cookie, value: "abc 1" }
        outputs:
          id: $request.path.id
          verbose: $request.query.verbose
          locale: $request.header.x-locale
    outputs:
      id: $steps.getPet.outputs.id
      verbose: $steps.getPet.outputs.verbose
      locale: $steps.getPet.outputs.locale
`,
      PETS_OPENAPI,
    );
    const run = await runWorkflow(compiled, { petId: 'a b/c' }, server);
    expect(run.status, run.cause).toBe('SUCCEEDED');
    expect(run.statesEntered).toEqual([VALIDATE, 'getPet']);
    expect(run.requests).toHaveLength(1);
    const [req] = run.requests;
    expect(req.method).toBe('GET');
    // One path segment: the "/" in the value is encoded, not a separator.
    expect(req.path).toBe('/pets/a%20b%2Fc');
    expect(req.query).toEqual({ verbose: 'yes & more' });
    expect(req.headers['x-locale']).toBe('de-DE');
    expect(req.headers.cookie).toBe('session=abc%201');
    expect(run.output).toEqual({ id: 'a b/c', verbose: 'yes & more', locale: 'de-DE' });
  });

  it('resolves components.parameters by reference, with and without a value override', async () => {
    const compiled = await compileWorkflow(
      `${ARAZZO_HEAD}
components:
  parameters:
    locale:
      name: X-Locale
      in: header
      value: fr-FR
    verbose:
      name: verbose
      in: query
      value: 'no'
workflows:
  - workflowId: reusable
    inputs:
      type: object
      properties:
        locale: { type: string }
    steps:
      - stepId: first
        operationId: getPet
        parameters:
          - { name: id, in: path, value: p-1 }
          - reference: $components.parameters.locale
          - reference: $components.parameters.verbose
            value: 'yes'
      - stepId: second
        operationId: getPet
        parameters:
          - { name: id, in: path, value: p-2 }
          - reference: $components.parameters.locale
            value: $inputs.locale
`,
      PETS_OPENAPI,
    );
    const run = await runWorkflow(compiled, { locale: 'de-DE' }, server);
    expect(run.status, run.cause).toBe('SUCCEEDED');
    expect(run.statesEntered).toEqual([VALIDATE, 'first', 'second']);
    expect(run.requests.map((r) => [r.path, r.query, r.headers['x-locale']])).toEqual([
      ['/pets/p-1', { verbose: 'yes' }, 'fr-FR'],
      ['/pets/p-2', {}, 'de-DE'],
    ]);
  });

  it("applies workflow parameters to every step, a step's own parameter of the same name and place winning", async () => {
    const compiled = await compileWorkflow(
      `${ARAZZO_HEAD}
components:
  parameters:
    limit:
      name: limit
      in: query
      value: 10
workflows:
  - workflowId: workflowParameters
    parameters:
      - { name: X-Trace-Id, in: header, value: "wf-{$inputs.run}" }
    steps:
      - stepId: getPet
        operationId: getPet
        parameters:
          - { name: id, in: path, value: p-1 }
      - stepId: listPets
        operationId: listPets
        parameters:
          - { name: x-trace-id, in: header, value: step-trace }
          - reference: $components.parameters.limit
      - stepId: createPet
        operationId: createPet
        requestBody:
          contentType: application/json
          payload: { name: Rex }
    inputs:
      type: object
      properties:
        run: { type: string }
`,
      PETS_OPENAPI,
    );
    const run = await runWorkflow(compiled, { run: 'r7' }, server);
    expect(run.status, run.cause).toBe('SUCCEEDED');
    expect(run.statesEntered).toEqual([VALIDATE, 'getPet', 'listPets', 'createPet']);
    expect(run.requests.map((r) => [`${r.method} ${r.path}`, r.headers['x-trace-id']])).toEqual([
      ['GET /pets/p-1', 'wf-r7'],
      ['GET /pets', 'step-trace'],
      ['POST /pets', 'wf-r7'],
    ]);
    expect(run.requests[1].query).toEqual({ limit: '10' });
  });

  it('writes requestBody.replacements at their JSON pointer targets', async () => {
    const compiled = await compileWorkflow(
      `${ARAZZO_HEAD}
workflows:
  - workflowId: replacements
    inputs:
      type: object
      properties:
        ownerId: { type: integer }
    steps:
      - stepId: updatePet
        operationId: updatePet
        parameters:
          - { name: id, in: path, value: p-1 }
        requestBody:
          contentType: application/json
          payload:
            name: placeholder
            tags: [a, b]
            owner: { id: 0, name: o }
            a/b: old
            keep: true
          replacements:
            - { target: /owner/id, value: $inputs.ownerId }
            - { target: /tags/1, value: B }
            - { target: /a~1b, value: new }
            - { target: /name, value: "pet-{$inputs.ownerId}" }
            - { target: /added, value: { nested: [1, 2] } }
        outputs:
          sentOwner: $request.body#/owner/id
    outputs:
      sentOwner: $steps.updatePet.outputs.sentOwner
`,
      PETS_OPENAPI,
    );
    const run = await runWorkflow(compiled, { ownerId: 42 }, server);
    expect(run.status, run.cause).toBe('SUCCEEDED');
    expect(run.statesEntered).toEqual([VALIDATE, 'updatePet']);
    expect(run.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['PUT /pets/p-1']);
    expect(run.requests[0].headers['content-type']).toBe('application/json');
    expect(JSON.parse(run.requests[0].body)).toEqual({
      name: 'pet-42',
      tags: ['a', 'B'],
      owner: { id: 42, name: 'o' },
      'a/b': 'new',
      keep: true,
      added: { nested: [1, 2] },
    });
    expect(run.output).toEqual({ sentOwner: 42 });
  });

  it('encodes a form body from a payload object with templates', async () => {
    const compiled = await compileWorkflow(
      `${ARAZZO_HEAD}
workflows:
  - workflowId: formBody
    inputs:
      type: object
      properties:
        author: { type: string }
    steps:
      - stepId: addNote
        operationId: addNote
        parameters:
          - { name: id, in: path, value: p-1 }
        requestBody:
          contentType: application/x-www-form-urlencoded
          payload:
            author: $inputs.author
            text: "seen by {$inputs.author} & co"
          replacements:
            - { target: /priority, value: 2 }
        successCriteria:
          - condition: $statusCode == 201
        outputs:
          text: $request.body#/text
    outputs:
      text: $steps.addNote.outputs.text
`,
      PETS_OPENAPI,
    );
    const run = await runWorkflow(compiled, { author: 'Ann' }, server);
    expect(run.status, run.cause).toBe('SUCCEEDED');
    expect(run.statesEntered).toEqual([VALIDATE, 'addNote']);
    const [req] = run.requests;
    expect(`${req.method} ${req.path}`).toBe('POST /pets/p-1/notes');
    expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(req.body))).toEqual({ author: 'Ann', text: 'seen by Ann & co', priority: '2' });
    expect(run.output).toEqual({ text: 'seen by Ann & co' });
  });
});
