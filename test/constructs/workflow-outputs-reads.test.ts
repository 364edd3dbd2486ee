import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../compiler/index.js';
import { ARAZZO_HEAD, PETS_OPENAPI, compileWorkflowResult, runInWorkflowSet, startLoopbackServer, type LoopbackServer } from './support/index.js';

/**
 * `$workflows.<id>.outputs` read without `dependsOn` (issue 13): `reader` reads `lookup`'s output, so
 * `lookup` runs first as a dependency (ASFN2125, a warning); `game` runs `lookup` as a step and reads the
 * run's output as `$workflows.lookup.outputs.name` (the OAI Tic Tac Toe example's form), which implies nothing.
 */
const DOCUMENT = `${ARAZZO_HEAD}
workflows:
  - workflowId: lookup
    steps:
      - stepId: read
        operationId: getPet
        parameters: [{ name: id, in: path, value: p1 }]
        outputs: { name: $response.body#/name }
    outputs: { name: $steps.read.outputs.name }
  - workflowId: reader
    steps:
      - stepId: status
        operationId: getPetStatus
        parameters: [{ name: id, in: path, value: $workflows.lookup.outputs.name }]
        outputs: { state: $response.body#/state }
    outputs:
      state: $steps.status.outputs.state
      name: $workflows.lookup.outputs.name
  - workflowId: game
    steps:
      - stepId: play
        workflowId: lookup
        successCriteria: [{ condition: $workflows.lookup.outputs.name == 'Rex' }]
        outputs: { winner: $workflows.lookup.outputs.name }
    outputs: { winner: $steps.play.outputs.winner }
`;

describe('$workflows.<id>.outputs read without dependsOn', () => {
  let server: LoopbackServer;
  beforeEach(async () => {
    server = await startLoopbackServer();
    server.route('GET', '/pets/p1', { body: { name: 'Rex' } });
    server.route('GET', '/pets/Rex/status', { body: { state: 'napping' } });
  });
  afterEach(() => server.close());

  const run = async (workflowId: string) => {
    const result = await compileWorkflowResult(DOCUMENT, PETS_OPENAPI);
    return { result, execution: await runInWorkflowSet(result, workflowId, {}, server) };
  };

  it('runs a read workflow of the same document first, as a dependency, with a warning that asks to list it', async () => {
    const { result, execution } = await run('reader');
    expect(result.diagnostics.map((d) => formatDiagnostic(d).replace(/^.*workflow\.arazzo\.yml:/, ''))).toEqual([
      '21:51: warning ASFN2125 $workflows.lookup.outputs.name: workflow "reader" reads workflow "lookup" without listing it in dependsOn; it runs "lookup" first, with the same inputs, as a dependency (list it in dependsOn to say so) [implied-depends-on]',
    ]);
    const reader = result.workflows.find((w) => w.plan.workflowId === 'reader')!;
    expect(reader.plan.dependsOn).toEqual([{ workflowId: 'lookup' }]);
    expect(reader.definition.States['Validate inputs']).toMatchObject({ Next: 'dependsOn.lookup' });
    expect(execution.status, execution.cause).toBe('SUCCEEDED');
    expect(execution.output).toEqual({ state: 'napping', name: 'Rex' });
    expect(server.requests.map((r) => r.path)).toEqual(['/pets/p1', '/pets/Rex/status']);
  });

  it('in a step that runs the workflow, names that step\'s own run and implies no dependency', async () => {
    const { result, execution } = await run('game');
    expect(result.workflows.find((w) => w.plan.workflowId === 'game')!.plan.dependsOn).toEqual([]);
    expect(execution.status, execution.cause).toBe('SUCCEEDED');
    expect(execution.output).toEqual({ winner: 'Rex' });
    expect(server.requests.map((r) => r.path)).toEqual(['/pets/p1']);
  });

  it('refuses a read that would make a workflow run itself', async () => {
    const result = await compileWorkflowResult(
      `${ARAZZO_HEAD}
workflows:
  - workflowId: a
    steps:
      - { stepId: s, operationId: getPet, parameters: [{ name: id, in: path, value: $workflows.b.outputs.x }] }
    outputs: { x: $steps.s.outputs.x }
  - workflowId: b
    steps:
      - { stepId: s, operationId: getPet, parameters: [{ name: id, in: path, value: $workflows.a.outputs.x }], outputs: { x: $response.body#/name } }
    outputs: { x: $steps.s.outputs.x }
`,
      PETS_OPENAPI,
    );
    expect(result.workflows).toEqual([]);
    expect(result.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message)).toEqual(expect.arrayContaining([expect.stringMatching(/runs itself \(a → b → a\)/)]));
  });
});
