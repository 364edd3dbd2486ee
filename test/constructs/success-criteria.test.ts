import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../core/errors.js';
import { ARAZZO_HEAD, PETS_OPENAPI, compileWorkflow, runWorkflow, startLoopbackServer, type LoopbackServer } from './support/index.js';

const VALIDATE = 'Validate inputs';

/** One GET /pets/{id}/status step (retry-safe) with the given criteria and actions (indented YAML). */
const statusWorkflow = (criteria: string, actions = '') => `${ARAZZO_HEAD}
workflows:
  - workflowId: criteria
    steps:
      - stepId: check
        operationId: getPetStatus
        parameters:
          - { name: id, in: path, value: rex }
        successCriteria:
${criteria}
        outputs:
          state: $response.body#/state${actions}
    outputs:
      state: $steps.check.outputs.state
`;

describe('success is what successCriteria say (5xx and 429 a step handles)', () => {
  let server: LoopbackServer;
  beforeEach(async () => {
    server = await startLoopbackServer();
  });
  afterEach(() => server.close());

  it('a step whose criteria expect a 500 succeeds on it, without a provider-fault retry', async () => {
    server.route('GET', '/pets/{id}/status', { status: 500, body: { state: 'maintenance' } });
    const compiled = await compileWorkflow(statusWorkflow('          - condition: $statusCode == 500'), PETS_OPENAPI);
    const step = compiled.plan.steps[0] as { transport: { retrySafe: boolean; handledStatuses?: unknown } };
    expect(step.transport).toMatchObject({ retrySafe: true, handledStatuses: [[500, 500]] });

    const run = await runWorkflow(compiled, {}, server);
    expect(run.status, run.cause).toBe('SUCCEEDED');
    expect(server.callsTo('GET', '/pets/{id}/status')).toBe(1);
    expect(run.statesEntered).toEqual([VALIDATE, 'check']);
    expect(run.output).toEqual({ state: 'maintenance' });
  });

  it('a 429 named by a regex criterion on $statusCode is the step\'s to judge', async () => {
    server.route('GET', '/pets/{id}/status', { status: 429, body: { state: 'busy' } });
    const compiled = await compileWorkflow(
      statusWorkflow(`          - context: $statusCode
            condition: '^(200|429)$'
            type: regex`),
      PETS_OPENAPI,
    );
    const run = await runWorkflow(compiled, {}, server);
    expect(run.status, run.cause).toBe('SUCCEEDED');
    expect(server.callsTo('GET', '/pets/{id}/status')).toBe(1);
    expect(run.output).toEqual({ state: 'busy' });
  });

  it('a status the criteria do not name is still a provider fault: retried, then judged', async () => {
    server.route('GET', '/pets/{id}/status', [{ status: 503, body: 'down' }, { status: 200, body: { state: 'ok' } }]);
    const compiled = await compileWorkflow(statusWorkflow('          - condition: $statusCode == 200'), PETS_OPENAPI);
    expect((compiled.plan.steps[0] as { transport: object }).transport).not.toHaveProperty('handledStatuses');
    const run = await runWorkflow(compiled, {}, server);
    expect(run.status, run.cause).toBe('SUCCEEDED');
    expect(server.callsTo('GET', '/pets/{id}/status')).toBe(2);
    expect(run.output).toEqual({ state: 'ok' });
  });

  it('an onFailure action for one status leaves the other faults to the Task retry', async () => {
    // 404 is the action's; the 503 is not, so it is retried (before, any onFailure action turned the retry off).
    server.route('GET', '/pets/{id}/status', [{ status: 503, body: 'down' }, { status: 404, body: { state: 'gone' } }]);
    const compiled = await compileWorkflow(
      statusWorkflow(
        '          - condition: $statusCode == 200',
        `
        onFailure:
          - { name: missing, type: end, criteria: [{ condition: $statusCode == 404 }] }`,
      ),
      PETS_OPENAPI,
    );
    expect((compiled.plan.steps[0] as { transport: object }).transport).not.toHaveProperty('handledStatuses');
    const run = await runWorkflow(compiled, {}, server);
    expect(run.status, run.cause).toBe('SUCCEEDED');
    expect(server.callsTo('GET', '/pets/{id}/status')).toBe(2);
    expect(run.statesEntered).toEqual([VALIDATE, 'check', 'check.route', 'check.end']);
    expect(run.output).toEqual({ state: 'gone' });
  });

  it('an onFailure action that names the fault takes it at once (an Arazzo retry, not the Task retry)', async () => {
    server.route('GET', '/pets/{id}/status', [{ status: 503, body: { state: 'down' } }, { status: 200, body: { state: 'ok' } }]);
    const compiled = await compileWorkflow(
      statusWorkflow(
        '          - condition: $statusCode == 200',
        `
        onFailure:
          - { name: later, type: retry, retryAfter: 1, retryLimit: 2, criteria: [{ condition: $statusCode >= 500 }] }`,
      ),
      PETS_OPENAPI,
    );
    expect((compiled.plan.steps[0] as { transport: object }).transport).toMatchObject({ handledStatuses: [[500, 599]] });
    const run = await runWorkflow(compiled, {}, server);
    expect(run.status, run.cause).toBe('SUCCEEDED');
    expect(run.statesEntered).toEqual([VALIDATE, 'check', 'check.route', 'check.wait', 'check', 'check.route', 'check.end']);
    expect(run.output).toEqual({ state: 'ok' });
  });

  it('an unhandled fault that outlasts the retries fails the step by name', async () => {
    server.route('GET', '/pets/{id}/status', { status: 502, body: 'bad gateway' });
    const compiled = await compileWorkflow(statusWorkflow('          - condition: $statusCode == 500'), PETS_OPENAPI);
    const run = await runWorkflow(compiled, {}, server);
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe(ErrorCodes.ProviderUnavailable);
    expect(server.callsTo('GET', '/pets/{id}/status')).toBe(4);
  });
});
