import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ARAZZO_HEAD, PETS_OPENAPI, compileWorkflow, runWorkflow, startLoopbackServer, type ConstructRun, type LoopbackServer } from './support/index.js';

const VALIDATE = 'Validate inputs';
const pathsOf = (run: ConstructRun) => run.requests.map((r) => `${r.method} ${r.path}`);
/** The `delaySeconds` each run of `stateName` asked the Wait state for (undefined when it asked for none). */
const delaysOf = (run: ConstructRun, stateName: string) =>
  run.execution.invocations.filter((i) => i.stateName === stateName).map((i) => (i.output as { delaySeconds?: number } | undefined)?.delaySeconds);

/** A step calling GET /pets/<id>/status; `extra` is indented YAML appended to the step. */
const statusStep = (stepId: string, extra = '') => `
      - stepId: ${stepId}
        operationId: getPetStatus
        parameters:
          - { name: id, in: path, value: ${stepId} }
        successCriteria:
          - condition: $statusCode == 200
        outputs:
          state: $response.body#/state${extra}`;

const workflow = (steps: string, tail = '') => `${ARAZZO_HEAD}
workflows:
  - workflowId: actions
    steps:${steps}
${tail}`;

describe('actions, end to end', () => {
  let server: LoopbackServer;
  beforeEach(async () => {
    server = await startLoopbackServer();
  });
  afterEach(() => server.close());

  describe('end', () => {
    it('onSuccess end stops the workflow with its outputs', async () => {
      server.route('GET', '/pets/{id}/status', { body: { state: 'done' } });
      const compiled = await compileWorkflow(
        workflow(
          statusStep(
            'first',
            `
        onSuccess:
          - { name: stop, type: end, criteria: [{ condition: "$response.body#/state == 'done'" }] }`,
          ) + statusStep('second'),
          `    outputs:
      first: $steps.first.outputs.state
      second: $steps.second.outputs.state`,
        ),
        PETS_OPENAPI,
      );
      const run = await runWorkflow(compiled, {}, server);
      expect(run.status, run.cause).toBe('SUCCEEDED');
      expect(run.statesEntered).toEqual([VALIDATE, 'first', 'first.route', 'first.end']);
      expect(pathsOf(run)).toEqual(['GET /pets/first/status']);
      expect(run.output).toEqual({ first: 'done' });
    });

    it('onFailure end stops the workflow successfully with its outputs', async () => {
      server.route('GET', '/pets/{id}/status', { status: 404, body: { state: 'missing' } });
      const compiled = await compileWorkflow(
        workflow(
          statusStep(
            'first',
            `
        onFailure:
          - { name: giveUp, type: end }`,
          ) + statusStep('second'),
          `    outputs:
      first: $steps.first.outputs.state
      second: $steps.second.outputs.state`,
        ),
        PETS_OPENAPI,
      );
      const run = await runWorkflow(compiled, {}, server);
      expect(run.status, run.cause).toBe('SUCCEEDED');
      expect(run.statesEntered).toEqual([VALIDATE, 'first', 'first.route', 'first.end']);
      expect(pathsOf(run)).toEqual(['GET /pets/first/status']);
      expect(run.output).toEqual({ first: 'missing' });
    });
  });

  describe('goto', () => {
    it('jumps forward over a step', async () => {
      server.route('GET', '/pets/{id}/status', { body: { state: 'skip' } });
      const compiled = await compileWorkflow(
        workflow(
          statusStep(
            'a',
            `
        onSuccess:
          - { name: skipB, type: goto, stepId: c, criteria: [{ condition: "$response.body#/state == 'skip'" }] }`,
          ) +
            statusStep('b') +
            statusStep('c'),
          `    outputs:
      a: $steps.a.outputs.state
      c: $steps.c.outputs.state`,
        ),
        PETS_OPENAPI,
      );
      const run = await runWorkflow(compiled, {}, server);
      expect(run.status, run.cause).toBe('SUCCEEDED');
      expect(run.statesEntered).toEqual([VALIDATE, 'a', 'a.route', 'c']);
      expect(pathsOf(run)).toEqual(['GET /pets/a/status', 'GET /pets/c/status']);
      expect(run.output).toEqual({ a: 'skip', c: 'skip' });
    });

    it('jumps back to an earlier step until the condition clears', async () => {
      server.route('GET', '/pets/{id}/status', (req) => ({ body: { state: req.path === '/pets/start/status' ? 'started' : 'ignored' } }));
      server.route('GET', '/pets/check/status', [{ body: { state: 'again' } }, { body: { state: 'again' } }, { body: { state: 'done' } }]);
      const compiled = await compileWorkflow(
        workflow(
          statusStep('start') +
            statusStep(
              'check',
              `
        onSuccess:
          - { name: restart, type: goto, stepId: start, criteria: [{ condition: "$response.body#/state == 'again'" }] }`,
            ),
          `    outputs:
      start: $steps.start.outputs.state
      check: $steps.check.outputs.state`,
        ),
        PETS_OPENAPI,
      );
      const run = await runWorkflow(compiled, {}, server);
      expect(run.status, run.cause).toBe('SUCCEEDED');
      const turn = ['start', 'check', 'check.route', 'check.wait'];
      expect(run.statesEntered).toEqual([VALIDATE, ...turn, ...turn, 'start', 'check', 'check.route', 'check.end']);
      expect(pathsOf(run)).toEqual(Array(3).fill(['GET /pets/start/status', 'GET /pets/check/status']).flat());
      expect(run.output).toEqual({ start: 'started', check: 'done' });
    });

    it('bounds a loop back to an earlier step', async () => {
      server.route('GET', '/pets/{id}/status', { body: { state: 'again' } });
      const compiled = await compileWorkflow(
        workflow(
          statusStep('start') +
            statusStep(
              'check',
              `
        onSuccess:
          - name: restart
            type: goto
            stepId: start
            x-arazzo-sfn-loop: { intervalSeconds: 1, maxAttempts: 2 }
            criteria: [{ condition: "$response.body#/state == 'again'" }]`,
            ),
        ),
        PETS_OPENAPI,
      );
      const run = await runWorkflow(compiled, {}, server);
      expect(run.status).toBe('FAILED');
      expect(run.error).toBe('Arazzo.RetryLimitExceeded');
      expect(run.statesEntered).toEqual([VALIDATE, 'start', 'check', 'check.route', 'check.wait', 'start', 'check', 'check.route', 'check.limit']);
      expect(pathsOf(run)).toEqual(['GET /pets/start/status', 'GET /pets/check/status', 'GET /pets/start/status', 'GET /pets/check/status']);
    });

    it('polls the same step until it settles', async () => {
      server.route('GET', '/pets/{id}/status', [{ body: { state: 'pending' } }, { body: { state: 'pending' } }, { body: { state: 'ready' } }]);
      const compiled = await compileWorkflow(
        workflow(
          statusStep(
            'poll',
            `
        onSuccess:
          - { name: pending, type: goto, stepId: poll, criteria: [{ condition: "$response.body#/state == 'pending'" }] }`,
          ),
          `    outputs:
      state: $steps.poll.outputs.state`,
        ),
        PETS_OPENAPI,
      );
      const run = await runWorkflow(compiled, {}, server);
      expect(run.status, run.cause).toBe('SUCCEEDED');
      expect(run.statesEntered).toEqual([VALIDATE, 'poll', 'poll.route', 'poll.wait', 'poll', 'poll.route', 'poll.wait', 'poll', 'poll.route', 'poll.end']);
      expect(server.callsTo('GET', '/pets/{id}/status')).toBe(3);
      expect(run.output).toEqual({ state: 'ready' });
    });

    it('fails with Arazzo.RetryLimitExceeded at the bound set by x-arazzo-sfn-loop', async () => {
      server.route('GET', '/pets/{id}/status', { body: { state: 'pending' } });
      const compiled = await compileWorkflow(
        workflow(
          statusStep(
            'poll',
            `
        x-arazzo-sfn-loop: { intervalSeconds: 1, maxAttempts: 3 }
        onSuccess:
          - { name: pending, type: goto, stepId: poll, criteria: [{ condition: "$response.body#/state == 'pending'" }] }`,
          ),
          `    outputs:
      state: $steps.poll.outputs.state`,
        ),
        PETS_OPENAPI,
      );
      const run = await runWorkflow(compiled, {}, server);
      expect(run.status).toBe('FAILED');
      expect(run.error).toBe('Arazzo.RetryLimitExceeded');
      const turn = ['poll', 'poll.route', 'poll.wait'];
      expect(run.statesEntered).toEqual([VALIDATE, ...turn, ...turn, 'poll', 'poll.route', 'poll.limit']);
      expect(run.requests).toHaveLength(3);
    });

    it('bounds a loop without x-arazzo-sfn-loop by the default of 20 runs', async () => {
      server.route('GET', '/pets/{id}/status', { body: { state: 'pending' } });
      const compiled = await compileWorkflow(
        workflow(
          statusStep(
            'poll',
            `
        onSuccess:
          - { name: pending, type: goto, stepId: poll, criteria: [{ condition: "$response.body#/state == 'pending'" }] }`,
          ),
        ),
        PETS_OPENAPI,
      );
      const run = await runWorkflow(compiled, {}, server);
      expect(run.status).toBe('FAILED');
      expect(run.error).toBe('Arazzo.RetryLimitExceeded');
      expect(run.requests).toHaveLength(20);
      expect(run.statesEntered.at(-1)).toBe('poll.limit');
    });
  });

  describe('retry', () => {
    const retryWorkflow = (retry: string, more = '') =>
      workflow(
        statusStep(
          'fetch',
          `
        onFailure:
          - { name: again, type: retry${retry} }${more}`,
        ),
        `    outputs:
      state: $steps.fetch.outputs.state`,
      );

    it('retries after retryAfter seconds until the step succeeds', async () => {
      server.route('GET', '/pets/{id}/status', [{ status: 500, body: { state: 'down' } }, { status: 500, body: { state: 'down' } }, { body: { state: 'up' } }]);
      const compiled = await compileWorkflow(retryWorkflow(', retryAfter: 2, retryLimit: 3'), PETS_OPENAPI);
      const run = await runWorkflow(compiled, {}, server);
      expect(run.status, run.cause).toBe('SUCCEEDED');
      const turn = ['fetch', 'fetch.route', 'fetch.wait'];
      expect(run.statesEntered).toEqual([VALIDATE, ...turn, ...turn, 'fetch', 'fetch.route', 'fetch.end']);
      expect(run.requests).toHaveLength(3);
      expect(delaysOf(run, 'fetch')).toEqual([2, 2, undefined]);
      expect(run.output).toEqual({ state: 'up' });
    });

    it('makes exactly 1 + retryLimit calls, then fails with Arazzo.RetryLimitExceeded', async () => {
      server.route('GET', '/pets/{id}/status', { status: 500, body: { state: 'down' } });
      const compiled = await compileWorkflow(retryWorkflow(', retryAfter: 1, retryLimit: 2'), PETS_OPENAPI);
      const run = await runWorkflow(compiled, {}, server);
      expect(run.status).toBe('FAILED');
      expect(run.error).toBe('Arazzo.RetryLimitExceeded');
      const turn = ['fetch', 'fetch.route', 'fetch.wait'];
      expect(run.statesEntered).toEqual([VALIDATE, ...turn, ...turn, 'fetch', 'fetch.route', 'fetch.limit']);
      expect(run.requests).toHaveLength(3);
    });

    it('retries once when retryLimit is absent', async () => {
      server.route('GET', '/pets/{id}/status', { status: 503, body: { state: 'down' } });
      const compiled = await compileWorkflow(retryWorkflow(', retryAfter: 1'), PETS_OPENAPI);
      const run = await runWorkflow(compiled, {}, server);
      expect(run.status).toBe('FAILED');
      expect(run.error).toBe('Arazzo.RetryLimitExceeded');
      expect(run.requests).toHaveLength(2);
    });

    it('lets a longer Retry-After header overrule retryAfter', async () => {
      server.route('GET', '/pets/{id}/status', [{ status: 503, headers: { 'Retry-After': '7' }, body: { state: 'down' } }, { body: { state: 'up' } }]);
      const compiled = await compileWorkflow(retryWorkflow(', retryAfter: 2, retryLimit: 1'), PETS_OPENAPI);
      const run = await runWorkflow(compiled, {}, server);
      expect(run.status, run.cause).toBe('SUCCEEDED');
      expect(run.requests).toHaveLength(2);
      expect(delaysOf(run, 'fetch')).toEqual([7, undefined]);
    });

    it('lets a shorter Retry-After header overrule retryAfter', async () => {
      server.route('GET', '/pets/{id}/status', [{ status: 503, headers: { 'Retry-After': '1' }, body: { state: 'down' } }, { body: { state: 'up' } }]);
      const compiled = await compileWorkflow(retryWorkflow(', retryAfter: 30, retryLimit: 1'), PETS_OPENAPI);
      const run = await runWorkflow(compiled, {}, server);
      expect(run.status, run.cause).toBe('SUCCEEDED');
      expect(run.requests).toHaveLength(2);
      expect(delaysOf(run, 'fetch')).toEqual([1, undefined]);
    });

    it('runs the next failure action once retryLimit is exhausted', async () => {
      server.route('GET', '/pets/{id}/status', (req) =>
        req.path === '/pets/fetch/status' ? { status: 500, body: { state: 'down' } } : { body: { state: 'recovered' } },
      );
      const compiled = await compileWorkflow(
        workflow(
          statusStep(
            'fetch',
            `
        onFailure:
          - { name: again, type: retry, retryAfter: 1, retryLimit: 1 }
          - { name: recover, type: goto, stepId: recovery }`,
          ) + statusStep('recovery'),
          `    outputs:
      state: $steps.recovery.outputs.state`,
        ),
        PETS_OPENAPI,
      );
      const run = await runWorkflow(compiled, {}, server);
      expect(run.status, run.cause).toBe('SUCCEEDED');
      expect(pathsOf(run)).toEqual(['GET /pets/fetch/status', 'GET /pets/fetch/status', 'GET /pets/recovery/status']);
      expect(run.output).toEqual({ state: 'recovered' });
    });
  });

  describe('action criteria', () => {
    const classify = workflow(
      `
      - stepId: classify
        operationId: getPet
        parameters:
          - { name: id, in: path, value: p-1 }
        outputs:
          kind: $response.body#/kind
        onSuccess:
          - name: cat
            type: goto
            stepId: catStep
            criteria:
              - condition: "$response.body#/kind == 'cat'"
              - condition: $statusCode == 200
          - name: dogOrCat
            type: goto
            stepId: dogStep
            criteria:
              - condition: "$response.body#/kind == 'dog' || $response.body#/kind == 'cat'"
          - { name: other, type: end }` +
        statusStep(
          'catStep',
          `
        onSuccess:
          - { name: done, type: end }`,
        ) +
        statusStep('dogStep'),
      `    outputs:
      kind: $steps.classify.outputs.kind
      cat: $steps.catStep.outputs.state
      dog: $steps.dogStep.outputs.state`,
    );

    beforeEach(() => {
      server.route('GET', '/pets/{id}/status', { body: { state: 'seen' } });
    });

    it('takes the first action whose criteria all hold', async () => {
      server.route('GET', '/pets/{id}', { body: { kind: 'cat' } });
      const run = await runWorkflow(await compileWorkflow(classify, PETS_OPENAPI), {}, server);
      expect(run.status, run.cause).toBe('SUCCEEDED');
      expect(run.statesEntered).toEqual([VALIDATE, 'classify', 'classify.route', 'catStep', 'catStep.route', 'catStep.end']);
      expect(pathsOf(run)).toEqual(['GET /pets/p-1', 'GET /pets/catStep/status']);
      expect(run.output).toEqual({ kind: 'cat', cat: 'seen' });
    });

    it('skips an action whose criteria do not hold', async () => {
      server.route('GET', '/pets/{id}', { body: { kind: 'dog' } });
      const run = await runWorkflow(await compileWorkflow(classify, PETS_OPENAPI), {}, server);
      expect(run.status, run.cause).toBe('SUCCEEDED');
      expect(run.statesEntered).toEqual([VALIDATE, 'classify', 'classify.route', 'dogStep']);
      expect(pathsOf(run)).toEqual(['GET /pets/p-1', 'GET /pets/dogStep/status']);
      expect(run.output).toEqual({ kind: 'dog', dog: 'seen' });
    });

    it('falls to an action without criteria', async () => {
      server.route('GET', '/pets/{id}', { body: { kind: 'fish' } });
      const run = await runWorkflow(await compileWorkflow(classify, PETS_OPENAPI), {}, server);
      expect(run.status, run.cause).toBe('SUCCEEDED');
      expect(run.statesEntered).toEqual([VALIDATE, 'classify', 'classify.route', 'classify.end']);
      expect(pathsOf(run)).toEqual(['GET /pets/p-1']);
      expect(run.output).toEqual({ kind: 'fish' });
    });
  });

  describe('reusable actions', () => {
    it('resolves components.successActions and components.failureActions by reference', async () => {
      server.route('GET', '/pets/{id}/status', [{ status: 500, body: { state: 'down' } }, { status: 500, body: { state: 'down' } }, { body: { state: 'done' } }]);
      const compiled = await compileWorkflow(
        `${ARAZZO_HEAD}
components:
  successActions:
    finish:
      name: finish
      type: end
      criteria:
        - condition: "$response.body#/state == 'done'"
  failureActions:
    retryTwice:
      name: retryTwice
      type: retry
      retryAfter: 3
      retryLimit: 2
workflows:
  - workflowId: actions
    steps:${statusStep(
      'fetch',
      `
        onSuccess:
          - reference: $components.successActions.finish
        onFailure:
          - reference: $components.failureActions.retryTwice`,
    )}${statusStep('after')}
    outputs:
      state: $steps.fetch.outputs.state
      after: $steps.after.outputs.state
`,
        PETS_OPENAPI,
      );
      const run = await runWorkflow(compiled, {}, server);
      expect(run.status, run.cause).toBe('SUCCEEDED');
      const turn = ['fetch', 'fetch.route', 'fetch.wait'];
      expect(run.statesEntered).toEqual([VALIDATE, ...turn, ...turn, 'fetch', 'fetch.route', 'fetch.end']);
      expect(pathsOf(run)).toEqual(Array(3).fill('GET /pets/fetch/status'));
      expect(delaysOf(run, 'fetch')).toEqual([3, 3, undefined]);
      expect(run.output).toEqual({ state: 'done' });
    });
  });

  describe('workflow-level actions', () => {
    const levels = (stepB = '') =>
      workflow(
        statusStep('a') + statusStep('b', stepB) + statusStep('c'),
        `    successActions:
      - { name: stopWhenDone, type: end, criteria: [{ condition: "$response.body#/state == 'done'" }] }
    failureActions:
      - { name: giveUp, type: end, criteria: [{ condition: $statusCode == 404 }] }
    outputs:
      a: $steps.a.outputs.state
      b: $steps.b.outputs.state
      c: $steps.c.outputs.state`,
      );
    const byStep = (b: { status?: number; state: string }) => (req: { path: string }) =>
      req.path === '/pets/b/status' ? { status: b.status ?? 200, body: { state: b.state } } : { body: { state: 'working' } };

    it('applies workflow successActions to a step that has none', async () => {
      server.route('GET', '/pets/{id}/status', byStep({ state: 'done' }));
      const run = await runWorkflow(await compileWorkflow(levels(), PETS_OPENAPI), {}, server);
      expect(run.status, run.cause).toBe('SUCCEEDED');
      expect(run.statesEntered).toEqual([VALIDATE, 'a', 'a.route', 'b', 'b.route', 'b.end']);
      expect(pathsOf(run)).toEqual(['GET /pets/a/status', 'GET /pets/b/status']);
      expect(run.output).toEqual({ a: 'working', b: 'done' });
    });

    it('applies workflow failureActions to a step that has none', async () => {
      server.route('GET', '/pets/{id}/status', byStep({ status: 404, state: 'gone' }));
      const run = await runWorkflow(await compileWorkflow(levels(), PETS_OPENAPI), {}, server);
      expect(run.status, run.cause).toBe('SUCCEEDED');
      expect(run.statesEntered).toEqual([VALIDATE, 'a', 'a.route', 'b', 'b.route', 'b.end']);
      expect(pathsOf(run)).toEqual(['GET /pets/a/status', 'GET /pets/b/status']);
      expect(run.output).toEqual({ a: 'working', b: 'gone' });
    });

    it("lets a step's own action of the same name override the workflow's", async () => {
      server.route('GET', '/pets/{id}/status', byStep({ status: 404, state: 'gone' }));
      const compiled = await compileWorkflow(
        levels(`
        onFailure:
          - { name: giveUp, type: goto, stepId: c, criteria: [{ condition: $statusCode == 404 }] }`),
        PETS_OPENAPI,
      );
      const run = await runWorkflow(compiled, {}, server);
      expect(run.status, run.cause).toBe('SUCCEEDED');
      expect(run.statesEntered).toEqual([VALIDATE, 'a', 'a.route', 'b', 'b.route', 'c', 'c.route', 'c.end']);
      expect(run.output).toEqual({ a: 'working', b: 'gone', c: 'working' });
    });

    it("keeps the workflow's actions when a step declares other ones", async () => {
      server.route('GET', '/pets/{id}/status', byStep({ status: 404, state: 'gone' }));
      const compiled = await compileWorkflow(
        levels(`
        onFailure:
          - { name: conflict, type: goto, stepId: c, criteria: [{ condition: $statusCode == 409 }] }`),
        PETS_OPENAPI,
      );
      const run = await runWorkflow(compiled, {}, server);
      expect(run.status, run.cause).toBe('SUCCEEDED');
      expect(run.statesEntered).toEqual([VALIDATE, 'a', 'a.route', 'b', 'b.route', 'b.end']);
      expect(run.output).toEqual({ a: 'working', b: 'gone' });
    });
  });

  describe('defaults when no action matches', () => {
    it('success goes on to the next step', async () => {
      server.route('GET', '/pets/{id}/status', { body: { state: 'working' } });
      const compiled = await compileWorkflow(
        workflow(
          statusStep(
            'a',
            `
        onSuccess:
          - { name: never, type: goto, stepId: c, criteria: [{ condition: $statusCode == 299 }] }`,
          ) +
            statusStep('b') +
            statusStep('c'),
          `    outputs:
      b: $steps.b.outputs.state
      c: $steps.c.outputs.state`,
        ),
        PETS_OPENAPI,
      );
      const run = await runWorkflow(compiled, {}, server);
      expect(run.status, run.cause).toBe('SUCCEEDED');
      expect(run.statesEntered).toEqual([VALIDATE, 'a', 'a.route', 'b', 'c']);
      expect(pathsOf(run)).toEqual(['GET /pets/a/status', 'GET /pets/b/status', 'GET /pets/c/status']);
      expect(run.output).toEqual({ b: 'working', c: 'working' });
    });

    it('failure without onFailure fails the workflow with Arazzo.StepFailed', async () => {
      server.route('GET', '/pets/{id}/status', { status: 404, body: { state: 'gone' } });
      const compiled = await compileWorkflow(workflow(statusStep('a') + statusStep('b')), PETS_OPENAPI);
      const run = await runWorkflow(compiled, {}, server);
      expect(run.status).toBe('FAILED');
      expect(run.error).toBe('Arazzo.StepFailed');
      expect(run.statesEntered).toEqual([VALIDATE, 'a', 'a.failed']);
      expect(pathsOf(run)).toEqual(['GET /pets/a/status']);
    });

    it('failure that no onFailure action matches fails the workflow with Arazzo.StepFailed', async () => {
      server.route('GET', '/pets/{id}/status', { status: 404, body: { state: 'gone' } });
      const compiled = await compileWorkflow(
        workflow(
          statusStep(
            'a',
            `
        onFailure:
          - { name: onConflict, type: goto, stepId: b, criteria: [{ condition: $statusCode == 409 }] }`,
          ) + statusStep('b'),
        ),
        PETS_OPENAPI,
      );
      const run = await runWorkflow(compiled, {}, server);
      expect(run.status).toBe('FAILED');
      expect(run.error).toBe('Arazzo.StepFailed');
      expect(run.statesEntered).toEqual([VALIDATE, 'a', 'a.failed']);
      expect(pathsOf(run)).toEqual(['GET /pets/a/status']);
    });
  });
});
