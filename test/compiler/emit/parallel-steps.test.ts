import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileFileOrThrow } from '../../../compiler/index.js';
import { validateAsl } from '../../../compiler/validate/validate-asl.js';
import { estimateCost } from '../../../compiler/cost/estimate-cost.js';
import { ARAZZO_HEAD, compileWorkflow, compileWorkflowResult, PETS_OPENAPI } from '../../constructs/support/index.js';

const FIXTURE = join(import.meta.dirname, '../../fixtures/parallel/two-lookups-then-login.arazzo.yml');
const HEAD_11 = ARAZZO_HEAD.replace('arazzo: 1.0.1', 'arazzo: 1.1.0');

const getPet = (id: string, extra = '') => `
      - stepId: ${id}
        operationId: getPet
        parameters: [{ name: id, in: path, value: ${id} }]
        outputs: { name: $response.body#/name }${extra}`;

type State = Record<string, any>;

describe('Parallel states for Arazzo 1.1 step dependencies', () => {
  it('runs two independent steps in one Parallel state and the step that needs both after it', async () => {
    // GIVEN the fixture: seller and buyer need nothing of each other, login depends on both
    const [w] = (await compileFileOrThrow(FIXTURE)).workflows;
    // THEN the plan schedules them, and the ASL is valid
    expect(w.plan.schedule).toEqual([{ parallel: [[{ step: 'seller' }], [{ step: 'buyer' }]] }, { step: 'login' }]);
    expect(validateAsl(w.definition, { checkArn: true })).toEqual([]);
    const states = w.definition.States as Record<string, State>;
    // login is a GET: a 429 with Retry-After leaves its Task through a Catch into its throttle states.
    expect(Object.keys(states)).toEqual(['Validate inputs', 'Validate inputs.failed', 'parallel(seller, buyer)', 'login', 'login.throttled.cause', 'login.throttled.delay', 'login.throttled', 'login.failed']);
    expect(states['Validate inputs'].Next).toBe('parallel(seller, buyer)');
    const parallel = states['parallel(seller, buyer)'];
    expect(parallel).toMatchObject({
      Type: 'Parallel',
      // Each step's result from the branch that ran it, at $.steps where a sequential run keeps it.
      ResultSelector: { 'seller.$': '$[0].seller', 'buyer.$': '$[1].buyer' },
      ResultPath: '$.steps',
      Next: 'login',
    });
    expect(parallel).not.toHaveProperty('Catch');
    // Each branch: the step's Task (ending the branch with its $.steps), its throttle states and its Fail state, as in a sequential run.
    expect(parallel.Branches.map((b: State) => [b.StartAt, Object.keys(b.States)])).toEqual([
      ['seller', ['seller', 'seller.throttled.cause', 'seller.throttled.delay', 'seller.throttled', 'seller.failed']],
      ['buyer', ['buyer', 'buyer.throttled.cause', 'buyer.throttled.delay', 'buyer.throttled', 'buyer.failed']],
    ]);
    expect(parallel.Branches[0].States.seller).toMatchObject({ Type: 'Task', ResultPath: '$.steps.seller', OutputPath: '$.steps', End: true, Catch: [{ ErrorEquals: ['Arazzo.RetryAfter'], Next: 'seller.throttled.cause' }, { ErrorEquals: ['States.ALL'], Next: 'seller.failed' }] });
    expect(parallel.Branches[0].States['seller.failed']).toEqual({ Type: 'Fail', Comment: 'seller failed', ErrorPath: '$.error.Error', CausePath: '$.error.Cause' });
    // The join ends the workflow as the last step of a sequential run does.
    expect(states.login).toMatchObject({ ResultPath: '$.steps.login', OutputPath: '$.steps.login.workflowOutputs', End: true });
    expect(w.tasks).toMatchObject({ seller: { functionKey: 'petstore.getUserByName', stepId: 'seller' }, buyer: { stepId: 'buyer' }, login: { stepId: 'login' } });
  });

  it('builds the workflow outputs in Workflow.outputs when a Parallel state ends the workflow', async () => {
    const doc = `${HEAD_11}
workflows:
  - workflowId: w
    steps:${getPet('first')}${getPet('a', '\n        dependsOn: [first]')}${getPet('b', '\n        dependsOn: [first]')}
    outputs:
      a: $steps.a.outputs.name
      b: $steps.b.outputs.name
`;
    const w = await compileWorkflow(doc, PETS_OPENAPI);
    const states = w.definition.States as Record<string, State>;
    expect(Object.keys(states)).toEqual(['Validate inputs', 'Validate inputs.failed', 'first', 'first.throttled.cause', 'first.throttled.delay', 'first.throttled', 'first.failed', 'parallel(a, b)', 'Workflow.outputs']);
    // A branch's throttled Task waits inside its branch: a Catch routes only within its own states.
    const branches = (states['parallel(a, b)'].Branches as { States: Record<string, State> }[]).map((b) => Object.keys(b.States));
    expect(branches).toEqual([
      ['a', 'a.throttled.cause', 'a.throttled.delay', 'a.throttled', 'a.failed'],
      ['b', 'b.throttled.cause', 'b.throttled.delay', 'b.throttled', 'b.failed'],
    ]);
    expect(estimateCost(w).throttles.map((t) => t.states)).toEqual(['first', 'a', 'b'].map((s) => [s, `${s}.throttled.cause`, `${s}.throttled.delay`, `${s}.throttled`]));
    // The steps that ran before the Parallel state are in every branch's output: taken from the first.
    expect(states['parallel(a, b)']).toMatchObject({ ResultSelector: { 'first.$': '$[0].first', 'a.$': '$[0].a', 'b.$': '$[1].b' }, Next: 'Workflow.outputs' });
    expect(states['Workflow.outputs']).toMatchObject({ Type: 'Task', Parameters: { phase: 'outputs', 'inputs.$': '$.inputs', 'steps.$': '$.steps' }, End: true });
    expect(states['Workflow.outputs']).not.toHaveProperty('ResultPath');
    expect(w.tasks['Workflow.outputs']).toEqual({ functionKey: 'w.workflow' });
    // No step ends the workflow by itself.
    expect(w.plan.steps.map((s) => [s.stepId, s.endsOnDefaultSuccess, Object.keys(s.workflowOutputs)])).toEqual([
      ['first', false, []],
      ['a', false, []],
      ['b', false, []],
    ]);
    expect(validateAsl(w.definition, { checkArn: true })).toEqual([]);
  });

  it("keeps a step's retry inside its branch, the branch ending in <step>.done", async () => {
    const retry = `
        onFailure:
          - { name: again, type: retry, retryAfter: 1, retryLimit: 3 }`;
    const doc = `${HEAD_11}
workflows:
  - workflowId: w
    steps:${getPet('a', retry)}${getPet('b')}${getPet('join', '\n        dependsOn: [a, b]')}
`;
    const w = await compileWorkflow(doc, PETS_OPENAPI);
    const branch = (w.definition.States['parallel(a, b)'] as State).Branches[0];
    expect(Object.keys(branch.States)).toEqual(['a', 'a.failed', 'a.limit', 'a.wait', 'a.done', 'a.route']);
    expect(branch.States['a.route'].Default).toBe('a.done');
    expect(branch.States['a.done']).toEqual({ Type: 'Succeed', OutputPath: '$.steps' });
    expect(branch.States['a.wait'].Next).toBe('a');
    expect(validateAsl(w.definition, { checkArn: true })).toEqual([]);
  });

  it('keeps a workflow whose actions jump sequential, with warning ASFN2085', async () => {
    const doc = `${HEAD_11}
workflows:
  - workflowId: w
    steps:${getPet('a', '\n        onSuccess:\n          - { name: skip, type: goto, stepId: join }')}${getPet('b')}${getPet('join', '\n        dependsOn: [a]')}
`;
    const result = await compileWorkflowResult(doc, PETS_OPENAPI);
    expect(result.diagnostics.filter((d) => d.code === 'ASFN2085').map((d) => `${d.line}:${d.col} ${d.message} [${d.rule}]`)).toEqual([
      '12:9 workflow "w" runs its steps in the order written, not in Parallel states: step "a"\'s onSuccess action "skip" goes to step join, and a jump cannot leave a Parallel branch [parallel-sequential]',
    ]);
    const [w] = result.workflows;
    expect(w.plan.schedule).toBeUndefined();
    expect(Object.values(w.definition.States).some((s) => (s as State).Type === 'Parallel')).toBe(false);
  });

  it('lets the join end the workflow or hand over to another workflow; an ending action inside a branch keeps the workflow sequential', async () => {
    const ends = `
        onSuccess:
          - { name: done, type: end, criteria: [{ condition: $statusCode == 200 }] }`;
    const handsOver = `
        onFailure:
          - { name: other, type: goto, workflowId: other }`;
    const doc = (a: string, join: string) => `${HEAD_11}
workflows:
  - workflowId: other
    steps:${getPet('o')}
  - workflowId: w
    steps:${getPet('a', a)}${getPet('b')}${getPet('join', `\n        dependsOn: [a, b]${join}`)}
    outputs: { name: $steps.join.outputs.name }
`;
    const allowed = await compileWorkflowResult(doc('', ends + handsOver.replace('\n        onFailure:', '')), PETS_OPENAPI);
    const w = allowed.workflows.find((x) => x.plan.workflowId === 'w')!;
    expect(w.plan.schedule).toEqual([{ parallel: [[{ step: 'a' }], [{ step: 'b' }]] }, { step: 'join' }]);
    const states = w.definition.States as Record<string, State>;
    expect(states['join.route'].Choices.map((c: State) => c.Next)).toEqual(['join.end', 'join.goto.other']);
    expect(states['join.end']).toEqual({ Type: 'Succeed', OutputPath: '$.steps.join.workflowOutputs' });
    expect(validateAsl(w.definition, { checkArn: true })).toEqual([]);

    const inBranch = await compileWorkflowResult(doc(ends, ''), PETS_OPENAPI);
    expect(inBranch.diagnostics.filter((d) => d.code === 'ASFN2085').map((d) => d.message)).toEqual([
      'workflow "w" runs its steps in the order written, not in Parallel states: step "a"\'s onSuccess action "done" ends the workflow, but the step would run inside a Parallel branch, where such an action ends only the branch',
    ]);
    expect(inBranch.workflows.find((x) => x.plan.workflowId === 'w')!.plan.schedule).toBeUndefined();
  });

  it('keeps a 1.1 workflow without step dependsOn sequential, as the spec\'s sequential execution model: its ASL is that of the same 1.0.1 workflow', async () => {
    const steps = `
workflows:
  - workflowId: w
    steps:${getPet('a')}${getPet('b')}
`;
    const v11 = await compileWorkflow(HEAD_11 + steps, PETS_OPENAPI);
    const v10 = await compileWorkflow(ARAZZO_HEAD + steps, PETS_OPENAPI);
    expect(v11.plan.schedule).toBeUndefined();
    expect(v11.definition).toEqual(v10.definition);
  });

  it('names a Parallel state after the first step of each branch, within 80 characters', async () => {
    const long = 'x'.repeat(50);
    const doc = `${HEAD_11}
workflows:
  - workflowId: w
    steps:${getPet(`${long}a`)}${getPet(`${long}b`)}${getPet('join', `\n        dependsOn: [${long}a, ${long}b]`)}
`;
    const w = await compileWorkflow(doc, PETS_OPENAPI);
    const name = Object.keys(w.definition.States).find((n) => n.startsWith('parallel('))!;
    expect(name.length).toBeLessThanOrEqual(80);
    expect(name).toMatch(/^parallel\(x+a, x+~[0-9a-f]{8}$/);
  });
});
