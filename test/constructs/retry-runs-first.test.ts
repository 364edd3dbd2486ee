import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../compiler/index.js';
import { ARAZZO_HEAD, PETS_OPENAPI, compileWorkflow, compileWorkflowResult, runInWorkflowSet, runWorkflow, startLoopbackServer, type LoopbackServer } from './support/index.js';

const VALIDATE = 'Validate inputs';

/** `refresh` reads a token (GET /pets/token/status); `read` (GET /pets/p1) retries on 401, running `first` before. */
const workflow = (first: string, extraWorkflows = '') => `${ARAZZO_HEAD}
workflows:
  - workflowId: main
    steps:
      - stepId: refresh
        operationId: getPetStatus
        parameters: [{ name: id, in: path, value: token }]
        outputs: { token: $response.body#/state }
      - stepId: read
        operationId: getPet
        parameters: [{ name: id, in: path, value: p1 }]
        successCriteria: [{ condition: $statusCode == 200 }]
        onFailure:
          - { name: reauth, type: retry, ${first}, retryAfter: 1, retryLimit: 2, criteria: [{ condition: $statusCode == 401 }] }
        outputs: { name: $response.body#/name }
    outputs:
      name: $steps.read.outputs.name
${extraWorkflows}`;

describe('a retry action with stepId or workflowId runs it before the retry', () => {
  let server: LoopbackServer;
  beforeEach(async () => {
    server = await startLoopbackServer();
    server.route('GET', '/pets/token/status', { body: { state: 'fresh' } });
    server.route('GET', '/pets/p1', [{ status: 401, body: { error: 'expired' } }, { body: { name: 'Rex' } }]);
  });
  afterEach(() => server.close());

  it('stepId: the step runs again (its Task, its result stored as its own), then the Wait, then the retried step', async () => {
    const compiled = await compileWorkflow(workflow('stepId: refresh'), PETS_OPENAPI);
    const { States } = compiled.definition;
    expect(States['read.route']).toMatchObject({ Choices: expect.arrayContaining([{ Variable: '$.steps.read.outcome', StringEquals: 'onFailure.reauth', Next: 'read.retry.refresh' }]) });
    expect(States['read.retry.refresh']).toMatchObject({ Type: 'Task', Resource: States.refresh.Resource, Parameters: { step: 'refresh' }, ResultPath: '$.steps.refresh', Next: 'read.wait' });
    // A 429 with Retry-After to the step run first waits and runs that Task again, not the step's own.
    expect((States['read.retry.refresh'].Catch as { Next: string }[]).map((c) => c.Next)).toEqual(['read.retry.refresh.throttled.cause', 'refresh.failed']);
    expect(States['read.retry.refresh.throttled']).toMatchObject({ Type: 'Wait', Next: 'read.retry.refresh' });
    expect(States['read.wait']).toMatchObject({ Type: 'Wait', Next: 'read' });

    const run = await runWorkflow(compiled, {}, server);
    expect(run.status, run.cause).toBe('SUCCEEDED');
    expect(run.statesEntered).toEqual([VALIDATE, 'refresh', 'read', 'read.route', 'read.retry.refresh', 'read.wait', 'read', 'read.route', 'read.end']);
    expect(run.requests.map((r) => r.path)).toEqual(['/pets/token/status', '/pets/p1', '/pets/token/status', '/pets/p1']);
    expect(run.output).toEqual({ name: 'Rex' });
  });

  it('stepId: a 429 with Retry-After to the step run first goes through its own throttled Wait, back to it', async () => {
    server.route('GET', '/pets/token/status', [{ body: { state: 'fresh' } }, { status: 429, headers: { 'retry-after': '1' }, body: { error: 'slow down' } }, { body: { state: 'fresh' } }]);
    const run = await runWorkflow(await compileWorkflow(workflow('stepId: refresh'), PETS_OPENAPI), {}, server);
    expect(run.status, run.cause).toBe('SUCCEEDED');
    expect(run.statesEntered).toEqual([
      VALIDATE,
      'refresh',
      'read',
      'read.route',
      'read.retry.refresh',
      'read.retry.refresh.throttled.cause',
      'read.retry.refresh.throttled.delay',
      'read.retry.refresh.throttled',
      'read.retry.refresh',
      'read.wait',
      'read',
      'read.route',
      'read.end',
    ]);
  });

  it('workflowId: the workflow runs as a nested execution with the current inputs, then the retry', async () => {
    const result = await compileWorkflowResult(
      workflow(
        'workflowId: login',
        `  - workflowId: login
    steps:
      - stepId: mint
        operationId: getPetStatus
        parameters: [{ name: id, in: path, value: token }]
        outputs: { token: $response.body#/state }
    outputs:
      token: $steps.mint.outputs.token
`,
      ),
      PETS_OPENAPI,
    );
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const main = result.workflows.find((w) => w.plan.workflowId === 'main')!;
    expect(main.definition.States['read.retry.login']).toMatchObject({ Type: 'Task', Resource: 'arn:aws:states:::states:startExecution.sync:2', ResultPath: '$.nested.read.retry', Next: 'read.wait' });
    expect(main.tasks['read.retry.login']).toEqual({ kind: 'startExecution', workflowId: 'login' });

    const execution = await runInWorkflowSet(result, 'main', {}, server);
    expect(execution.status, execution.cause).toBe('SUCCEEDED');
    expect(execution.output).toEqual({ name: 'Rex' });
    expect(execution.children.map((c) => c.status)).toEqual(['SUCCEEDED']);
    expect(server.requests.map((r) => r.path)).toEqual(['/pets/token/status', '/pets/p1', '/pets/token/status', '/pets/p1']);
  });

  it('refuses a step that runs a workflow as what runs first, naming the alternative', async () => {
    const result = await compileWorkflowResult(
      `${ARAZZO_HEAD}
workflows:
  - workflowId: main
    steps:
      - stepId: nested
        workflowId: other
      - stepId: read
        operationId: getPet
        parameters: [{ name: id, in: path, value: p1 }]
        onFailure:
          - { name: again, type: retry, stepId: nested }
  - workflowId: other
    steps:
      - stepId: ping
        operationId: getPetStatus
        parameters: [{ name: id, in: path, value: x }]
`,
      PETS_OPENAPI,
    );
    expect(result.diagnostics.filter((d) => d.severity === 'error').map((d) => formatDiagnostic(d).replace(/^.*workflow\.arazzo\.yml:/, ''))).toEqual([
      '18:49: error ASFN1014 retry action "again" runs step "nested" first, which runs a workflow: only an operation step can run before a retry; name the workflow with workflowId instead [unsupported]',
    ]);
  });
});
