import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validateAsl } from '../../compiler/validate/validate-asl.js';
import { ARAZZO_HEAD, PETS_OPENAPI, compileWorkflow, runWorkflow, startLoopbackServer, type LoopbackServer } from './support/index.js';

const LONG = `check the pet again and again until the provider says it is ready, with a long name ${'x'.repeat(30)}`;

/** Ids that break Arazzo's `[A-Za-z0-9_-]+` SHOULD: a space, a dot and a slash, and one longer than a state name may be. */
const WORKFLOW = `${ARAZZO_HEAD}
workflows:
  - workflowId: Search Stations
    steps:
      - stepId: Get Pet
        operationId: getPet
        parameters:
          - { name: id, in: path, value: p-1 }
        outputs:
          via: $response.body#/via
      - stepId: pets/one.route
        operationId: getPet
        parameters:
          - { name: id, in: path, value: "p-2-{$steps.Get Pet.outputs.via}" }
      - stepId: "${LONG}"
        operationId: getPet
        parameters:
          - { name: id, in: path, value: p-3 }
        onSuccess:
          - name: again
            type: goto
            stepId: "${LONG}"
            criteria:
              - condition: $response.body#/ready == false
            x-arazzo-sfn-loop: { intervalSeconds: 1, maxAttempts: 5 }
          - name: done
            type: end
            criteria:
              - condition: $response.body#/ready == true
    outputs:
      via: $steps.Get Pet.outputs.via
`;

describe('ids outside [A-Za-z0-9_-]+ (a SHOULD): warned about, and the workflow runs', () => {
  let server: LoopbackServer;
  let calls = 0;
  beforeEach(async () => {
    calls = 0;
    server = await startLoopbackServer();
    server.route('GET', '/pets/{id}', (req) => ({ body: { via: 'getPet', path: req.path, ready: req.path !== '/pets/p-3' || ++calls >= 3 } }));
  });
  afterEach(() => server.close());

  it('derives state names within 80 characters, unique, and JSONPaths in bracket notation; the engine runs it', async () => {
    const compiled = await compileWorkflow(WORKFLOW, PETS_OPENAPI);
    const names = Object.keys(compiled.definition.States);
    for (const name of names) expect(name.length).toBeLessThanOrEqual(80);
    expect(names).toContain('Get Pet');
    expect(names.filter((n) => n.startsWith('pets_one_route~') && !n.includes('.'))).toHaveLength(1);
    const long = names.find((n) => n.startsWith('check the pet again') && !n.includes('.'))!;
    expect(long).toMatch(/~[0-9a-f]{8}$/);
    expect(names).toEqual(expect.arrayContaining([`${long}.route`, `${long}.wait`, `${long}.limit`, `${long}.end`]));
    expect(compiled.definition.States['Get Pet']).toMatchObject({ ResultPath: "$.steps['Get Pet']" });
    expect(validateAsl(compiled.definition, { checkArn: true })).toEqual([]);

    const run = await runWorkflow(compiled, {}, server);
    expect(run.status, run.cause).toBe('SUCCEEDED');
    expect(run.requests.map((r) => r.path)).toEqual(['/pets/p-1', '/pets/p-2-getPet', '/pets/p-3', '/pets/p-3', '/pets/p-3']);
    // $steps.<id> with a space: whole (the workflow output) and braced (the path parameter).
    expect(run.output).toEqual({ via: 'getPet' });
    expect(run.statesEntered.filter((s) => s === long)).toHaveLength(3);
  });
});
