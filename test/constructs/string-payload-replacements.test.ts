import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../compiler/index.js';
import { ARAZZO_HEAD, PETS_OPENAPI, compileWorkflow, compileWorkflowResult, runWorkflow, startLoopbackServer, type LoopbackServer } from './support/index.js';

/** One step that posts a note (a form body) to pet p-1; `body` is indented YAML under requestBody. */
const noteWorkflow = (body: string, operation = 'addNote') => `${ARAZZO_HEAD}
workflows:
  - workflowId: notes
    inputs:
      type: object
      properties:
        text: { type: string }
    steps:
      - stepId: note
        operationId: ${operation}
        parameters:
          - { name: id, in: path, value: p-1 }
        requestBody:
${body}
        successCriteria:
          - condition: $statusCode == 201
`;

describe('replacements on a payload written as text', () => {
  let server: LoopbackServer;
  beforeEach(async () => {
    server = await startLoopbackServer();
  });
  afterEach(() => server.close());

  it('apply to a form written as text: the targets name its fields', async () => {
    server.route('POST', '/pets/{id}/notes', { status: 201, body: { ok: true } });
    const compiled = await compileWorkflow(
      noteWorkflow(`          contentType: application/x-www-form-urlencoded
          payload: "author=someone&text=placeholder&tag=a&tag=b"
          replacements:
            - { target: /text, value: "{$inputs.text}!" }
            - { target: /author, value: rex & co }`),
      PETS_OPENAPI,
    );
    const run = await runWorkflow(compiled, { text: 'good boy' }, server);
    expect(run.status, run.cause).toBe('SUCCEEDED');
    expect(run.requests[0].headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect([...new URLSearchParams(run.requests[0].body)]).toEqual([
      ['author', 'rex & co'],
      ['text', 'good boy!'],
      ['tag', 'a'],
      ['tag', 'b'],
    ]);
  });

  it('are refused with a named compile error on a text payload, instead of a TypeError at run time', async () => {
    const result = await compileWorkflowResult(
      noteWorkflow(
        `          contentType: text/plain
          payload: "a note about {$inputs.text}"
          replacements:
            - { target: /text, value: $inputs.text }`,
        'updatePet',
      ),
      PETS_OPENAPI,
    );
    expect(result.workflows).toEqual([]);
    const errors = result.diagnostics.filter((d) => d.severity === 'error').map((d) => formatDiagnostic(d).replace(/^.*workflow\.arazzo\.yml:/, ''));
    expect(errors).toEqual([
      '24:13: error ASFN1024 replacements cannot apply to a text/plain payload written as text: their targets point into an object (or a form\'s fields), and this payload is sent as written; write the values into the payload with {$...} instead [request-body]',
    ]);
  });
});
