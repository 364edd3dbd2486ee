import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AesGcmSealer, InMemorySecretsProvider } from '../../functions/runtime/secrets/index.js';
import { LocalWorkflow } from '../../local/run-workflow.js';
import { ARAZZO_HEAD, PETS_OPENAPI, compileWorkflow, startLoopbackServer, type LoopbackServer } from '../constructs/support/index.js';

// A poll that never settles: the step goes back to itself through its Wait state (5 s by default).
const POLL_FOREVER = `${ARAZZO_HEAD}
workflows:
  - workflowId: poll
    steps:
      - stepId: poll
        operationId: getPet
        parameters:
          - { name: id, in: path, value: p-1 }
        onSuccess:
          - { name: again, type: goto, stepId: poll }
`;

describe('LocalWorkflow: the execution bound (TimeoutSeconds)', () => {
  let server: LoopbackServer;
  beforeAll(async () => {
    server = await startLoopbackServer();
    server.route('GET', '/pets/{id}', { body: { status: 'pending' } });
  });
  afterAll(() => server.close());

  it('ends a run past the definition\'s TimeoutSeconds as TIMED_OUT, with ExecutionTimedOut last in its history', async () => {
    const compiled = await compileWorkflow(POLL_FOREVER, PETS_OPENAPI);
    const bounded = { ...compiled, definition: { ...compiled.definition, TimeoutSeconds: 1 } };
    const started = Date.now();
    const run = await new LocalWorkflow(bounded).run({}, {
      runtime: { secrets: new InMemorySecretsProvider(), sealer: new AesGcmSealer(randomBytes(32)), serverUrls: { pets: server.url } },
    });
    expect(run.status).toBe('TIMED_OUT');
    expect(run.error).toBe('States.Timeout');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(run.history.at(-1)).toMatchObject({ type: 'ExecutionTimedOut', executionTimedOutEventDetails: { error: 'States.Timeout' } });
    expect(run.history.some((e) => e.type === 'ExecutionAborted')).toBe(false);
  });
});
