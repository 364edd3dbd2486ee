import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadArazzo } from '../../compiler/index.js';
import { PETS_OPENAPI, compileWorkflowResult, runWorkflow, startLoopbackServer, withWorkflowFiles, type LoopbackServer } from './support/index.js';

/** Every Arazzo object that allows Specification Extensions carries one (values of every kind the spec allows). */
const EXTENDED = `
arazzo: 1.0.1
x-root: { owner: team-a }
info:
  title: extensions
  version: 1.0.0
  x-info: 1
sourceDescriptions:
  - name: pets
    url: ./openapi.yml
    type: openapi
    x-source: [a, b]
components:
  x-components: null
  parameters:
    locale:
      name: X-Locale
      in: header
      value: fr-FR
      x-component-parameter: true
  successActions:
    finish:
      name: finish
      type: end
      x-component-success: finish
      criteria:
        - condition: $statusCode == 200
          x-component-criterion: 1
  failureActions:
    retryOnce:
      name: retryOnce
      type: retry
      retryAfter: 1
      retryLimit: 1
      x-component-failure: { why: flaky }
workflows:
  - workflowId: extended
    x-workflow: { tier: gold }
    parameters:
      - name: X-Trace-Id
        in: header
        value: trace-1
        x-workflow-parameter: ok
    successActions:
      - name: never
        type: goto
        stepId: update
        x-workflow-success: 1
        criteria:
          - condition: $statusCode == 299
    failureActions:
      - name: giveUp
        type: end
        x-workflow-failure: 2
    steps:
      - stepId: fetch
        x-step: [1, 2, 3]
        operationId: getPet
        parameters:
          - name: id
            in: path
            value: p-1
            x-parameter: path
          - reference: $components.parameters.locale
            x-reusable: 'yes'
        successCriteria:
          - condition: $statusCode == 200
            x-criterion: simple
          - context: $response.body
            condition: $[?@ == 'Rex']
            type:
              type: jsonpath
              version: draft-goessner-dispatch-jsonpath-00
              x-criterion-type: goessner
        onSuccess:
          - name: onward
            type: goto
            stepId: update
            x-success-action: onward
            criteria:
              - condition: "$response.body#/name == 'Rex'"
                x-action-criterion: 1
        onFailure:
          - reference: $components.failureActions.retryOnce
            x-reusable-action: 1
        outputs:
          name: $response.body#/name
      - stepId: update
        operationId: updatePet
        parameters:
          - { name: id, in: path, value: p-1 }
        requestBody:
          contentType: application/json
          x-request-body: { schema: v2 }
          payload: { name: placeholder }
          replacements:
            - target: /name
              value: $steps.fetch.outputs.name
              x-replacement: 1
        onSuccess:
          - reference: $components.successActions.finish
        outputs:
          updated: $response.body#/updated
    outputs:
      name: $steps.fetch.outputs.name
      updated: $steps.update.outputs.updated
`;

describe('specification extensions', () => {
  let server: LoopbackServer;
  beforeEach(async () => {
    server = await startLoopbackServer();
    server.route('GET', '/pets/{id}', { body: { name: 'Rex' } }).route('PUT', '/pets/{id}', { body: { updated: true } });
  });
  afterEach(() => server.close());

  it('accepts x- fields on every object, compiles without errors and runs', async () => {
    const result = await compileWorkflowResult(EXTENDED, PETS_OPENAPI);
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    // No diagnostic at all names an extension: they are neither rejected nor linted.
    expect(result.diagnostics.filter((d) => /\bx-(?!arazzo-sfn)/.test(d.message))).toEqual([]);
    expect(result.workflows).toHaveLength(1);

    const run = await runWorkflow(result.workflows[0], {}, server);
    expect(run.status, run.cause).toBe('SUCCEEDED');
    expect(run.statesEntered).toEqual(['Validate inputs', 'fetch', 'fetch.route', 'update', 'update.route', 'update.end']);
    expect(run.requests.map((r) => [`${r.method} ${r.path}`, r.headers['x-trace-id'], r.headers['x-locale']])).toEqual([
      ['GET /pets/p-1', 'trace-1', 'fr-FR'],
      ['PUT /pets/p-1', 'trace-1', undefined],
    ]);
    expect(JSON.parse(run.requests[1].body)).toEqual({ name: 'Rex' });
    expect(run.output).toEqual({ name: 'Rex', updated: true });
  });

  it('keeps the x- fields in the loaded document', async () => {
    const { loaded, diagnostics } = await withWorkflowFiles(EXTENDED, PETS_OPENAPI, (file) => loadArazzo(file));
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const doc = loaded!.document as Record<string, any>;
    const workflow = doc.workflows[0];
    const [fetch, update] = workflow.steps;
    expect({
      root: doc['x-root'],
      info: doc.info['x-info'],
      source: doc.sourceDescriptions[0]['x-source'],
      components: doc.components['x-components'],
      componentParameter: doc.components.parameters.locale['x-component-parameter'],
      componentSuccess: doc.components.successActions.finish['x-component-success'],
      componentCriterion: doc.components.successActions.finish.criteria[0]['x-component-criterion'],
      componentFailure: doc.components.failureActions.retryOnce['x-component-failure'],
      workflow: workflow['x-workflow'],
      workflowParameter: workflow.parameters[0]['x-workflow-parameter'],
      workflowSuccess: workflow.successActions[0]['x-workflow-success'],
      workflowFailure: workflow.failureActions[0]['x-workflow-failure'],
      step: fetch['x-step'],
      parameter: fetch.parameters[0]['x-parameter'],
      reusable: fetch.parameters[1]['x-reusable'],
      criterion: fetch.successCriteria[0]['x-criterion'],
      criterionType: fetch.successCriteria[1].type['x-criterion-type'],
      successAction: fetch.onSuccess[0]['x-success-action'],
      actionCriterion: fetch.onSuccess[0].criteria[0]['x-action-criterion'],
      reusableAction: fetch.onFailure[0]['x-reusable-action'],
      requestBody: update.requestBody['x-request-body'],
      replacement: update.requestBody.replacements[0]['x-replacement'],
    }).toEqual({
      root: { owner: 'team-a' },
      info: 1,
      source: ['a', 'b'],
      components: null,
      componentParameter: true,
      componentSuccess: 'finish',
      componentCriterion: 1,
      componentFailure: { why: 'flaky' },
      workflow: { tier: 'gold' },
      workflowParameter: 'ok',
      workflowSuccess: 1,
      workflowFailure: 2,
      step: [1, 2, 3],
      parameter: 'path',
      reusable: 'yes',
      criterion: 'simple',
      criterionType: 'goessner',
      successAction: 'onward',
      actionCriterion: 1,
      reusableAction: 1,
      requestBody: { schema: 'v2' },
      replacement: 1,
    });
  });

  it('still rejects an unknown field that is not an extension', async () => {
    const result = await compileWorkflowResult(EXTENDED.replace('x-step: [1, 2, 3]', 'y-step: [1, 2, 3]'), PETS_OPENAPI);
    const errors = result.diagnostics.filter((d) => d.severity === 'error');
    expect(errors.map((d) => d.message)).toEqual([expect.stringContaining('unknown field "y-step"')]);
  });
});
