import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { estimateCost } from '../../compiler/cost/index.js';
import { compileFileOrThrow, type CompiledWorkflow } from '../../compiler/index.js';
import { AesGcmSealer, InMemorySecretsProvider } from '../../functions/runtime/secrets/index.js';
import { renderGraphPage } from '../../local/graph/index.js';
import { LocalWorkflow, type LocalExecution } from '../../local/run-workflow.js';
import { startPetstoreSandbox, type PetstoreSandbox } from '../../sandbox/index.js';

const FIXTURES = join(import.meta.dirname, '../fixtures');
const FIXTURE = join(FIXTURES, 'parallel/two-lookups-then-login.arazzo.yml');
const INPUTS = { seller: 'theUser', buyer: 'theUser', pin: 'secret:petstorePin' };

/** The states entered and exited, in history order. */
const enteredAndExited = (run: LocalExecution) =>
  run.history.flatMap((e) => (e.stateEnteredEventDetails ? [`> ${e.stateEnteredEventDetails.name}`] : e.stateExitedEventDetails ? [`< ${e.stateExitedEventDetails.name}`] : []));

describe('a workflow with Parallel states (Arazzo 1.1 step dependsOn) on the embedded engine, against the Petstore sandbox', () => {
  let petstore: PetstoreSandbox;
  let parallel: CompiledWorkflow;
  let sequential: CompiledWorkflow;
  let dir: string;
  beforeAll(async () => {
    petstore = await startPetstoreSandbox();
    [parallel] = (await compileFileOrThrow(FIXTURE)).workflows;
    dir = await mkdtemp(join(tmpdir(), 'parallel-steps-'));
    [sequential] = (await compileFileOrThrow(join(FIXTURES, 'parallel/two-lookups-then-login.sequential.arazzo.yml'))).workflows;
  });
  afterAll(async () => {
    await petstore?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const run = (compiled: CompiledWorkflow, inputs: unknown) =>
    new LocalWorkflow(compiled).run(inputs, {
      runtime: {
        secrets: new InMemorySecretsProvider({ petstorePin: '12345' }),
        sealer: new AesGcmSealer(randomBytes(32)),
        serverUrls: { petstore: petstore.serverUrl },
      },
      waitMs: 1,
      retryIntervalMs: 1,
      timeoutMs: 20_000,
    });

  it('gives the outputs a sequential run of the same steps gives', async () => {
    expect(sequential.plan.schedule).toBeUndefined();
    const [a, b] = [await run(parallel, INPUTS), await run(sequential, INPUTS)];
    expect(a.status).toBe('SUCCEEDED');
    expect(a.output).toEqual({ sellerEmail: 'john@email.com', buyerPhone: '12345', rateLimit: expect.anything() });
    expect(b.status).toBe('SUCCEEDED');
    expect(Object.keys(a.output as object)).toEqual(Object.keys(b.output as object));
    expect({ ...(a.output as object), rateLimit: 0 }).toEqual({ ...(b.output as object), rateLimit: 0 });
  });

  it('runs the two lookups at the same time: both are entered before either is done', async () => {
    // GIVEN a sandbox that answers each lookup after 300 ms
    petstore.setFaults([{ operationId: 'getUserByName', delayMs: 300 }]);
    try {
      const execution = await run(parallel, INPUTS);
      expect(execution.status).toBe('SUCCEEDED');
      // THEN the history shows the Parallel state around both branches, and the branches overlap
      const order = enteredAndExited(execution);
      expect(order[0]).toBe('> Validate inputs');
      const inside = order.slice(order.indexOf('> parallel(seller, buyer)') + 1, order.indexOf('< parallel(seller, buyer)'));
      expect(inside.slice(0, 2).sort()).toEqual(['> buyer', '> seller']);
      expect(inside.slice(2).sort()).toEqual(['< buyer', '< seller']);
      expect(order.slice(-2)).toEqual(['> login', '< login']);
      expect(execution.history.map((e) => e.type)).toEqual(expect.arrayContaining(['ParallelStateEntered', 'ParallelStateStarted', 'ParallelStateSucceeded', 'ParallelStateExited']));
    } finally {
      petstore.setFaults([]);
    }
  });

  it('enters as many states and calls as many functions as the cost report estimates, the branches included', async () => {
    const report = estimateCost(parallel);
    const execution = await run(parallel, INPUTS);
    const entered = enteredAndExited(execution).filter((e) => e.startsWith('>'));
    expect(entered).toHaveLength(5);
    expect(report.path.transitions).toBe(entered.length);
    expect(report.path.lambdaInvocations).toBe(execution.history.filter((e) => e.type === 'LambdaFunctionScheduled').length);
    expect(report.path.lambdaInvocations).toBe(4);
  });

  it('shows the Parallel state on the graph page, with each branch, executed', async () => {
    const execution = await run(parallel, INPUTS);
    const html = renderGraphPage({ definition: parallel.definition, workflowId: parallel.plan.workflowId, history: execution.history });
    expect(html).toMatch(/data-state="parallel\(seller, buyer\)" data-type="Parallel" data-status="succeeded"/);
    expect(html).toContain('>Parallel · 2 branches<');
    expect(html).toContain('>‖ seller<');
    expect(html).toContain('>‖ buyer<');
    expect(html).toMatch(/data-state="login" data-type="Task" data-status="succeeded"/);
  });

  it('fails a run whose branch fails with the Error and Cause a sequential run fails with, and does not run the join', async () => {
    const inputs = { ...INPUTS, seller: 'nobody' };
    const [a, b] = [await run(parallel, inputs), await run(sequential, inputs)];
    expect(b.status).toBe('FAILED');
    expect(b.error).toBe('Arazzo.StepFailed');
    expect(a.status).toBe('FAILED');
    expect([a.error, a.cause]).toEqual([b.error, b.cause]);
    expect(a.cause).toMatch(/seller/);
    const entered = enteredAndExited(a).filter((s) => s.startsWith('>'));
    expect(entered).toContain('> seller.failed');
    expect(entered).not.toContain('> login');
  });

  it('builds the workflow outputs after a Parallel state that ends the workflow (Workflow.outputs)', async () => {
    // GIVEN the fixture without its join: nothing needs seller nor buyer, so a Parallel state ends the workflow
    const text = (await readFile(FIXTURE, 'utf8'))
      .replace(/ {6}- stepId: login[\s\S]*?(?= {4}outputs:\n {6}sellerEmail)/, '')
      .replace('      rateLimit: $steps.login.outputs.rateLimit\n', '')
      .replace("    summary: Look up the seller and the buyer at the same time, then log the buyer in\n", '')
      .replace(/\n {4}steps:\n/, '\n    steps:\n      - stepId: first\n        operationId: logoutUser\n')
      .replace(/(operationId: getUserByName\n)/g, '$1        dependsOn: [first]\n')
      .replace('../oai-examples/swagger-petstore.openapi.yaml', join(FIXTURES, 'oai-examples/swagger-petstore.openapi.yaml'));
    await writeFile(join(dir, 'ends-in-parallel.arazzo.yml'), text);
    const [compiled] = (await compileFileOrThrow(join(dir, 'ends-in-parallel.arazzo.yml'))).workflows;
    expect(compiled.plan.schedule).toEqual([{ step: 'first' }, { parallel: [[{ step: 'seller' }], [{ step: 'buyer' }]] }]);
    const execution = await run(compiled, INPUTS);
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.output).toEqual({ sellerEmail: 'john@email.com', buyerPhone: '12345' });
    expect(enteredAndExited(execution).slice(-2)).toEqual(['> Workflow.outputs', '< Workflow.outputs']);
  });

  it("runs a nested workflow and a step's retry inside branches, as in a sequential run", async () => {
    // GIVEN a branch that runs another workflow (startExecution.sync:2) and one whose lookup fails twice, then retries
    const text = `arazzo: 1.1.0
info: { title: nested in a branch, version: 1.0.0 }
sourceDescriptions:
  - { name: petstore, url: ${join(FIXTURES, 'oai-examples/swagger-petstore.openapi.yaml')}, type: openapi }
workflows:
  - workflowId: lookup
    inputs: { type: object, properties: { user: { type: string } } }
    steps:
      - stepId: get
        operationId: getUserByName
        parameters: [{ name: username, in: path, value: $inputs.user }]
        outputs: { email: $response.body#/email }
    outputs: { email: $steps.get.outputs.email }
  - workflowId: w
    steps:
      - stepId: child
        workflowId: lookup
        parameters: [{ name: user, value: theUser }]
        outputs: { email: $outputs.email }
      - stepId: flaky
        operationId: getUserByName
        parameters: [{ name: username, in: path, value: flakyUser }]
        successCriteria: [{ condition: $statusCode == 200 }]
        onFailure:
          - { name: again, type: retry, retryAfter: 0, retryLimit: 5 }
        outputs: { phone: $response.body#/phone }
      - stepId: join
        operationId: logoutUser
        dependsOn: [child, flaky]
    outputs:
      email: $steps.child.outputs.email
      phone: $steps.flaky.outputs.phone
`;
    await writeFile(join(dir, 'nested.arazzo.yml'), text);
    const workflows = (await compileFileOrThrow(join(dir, 'nested.arazzo.yml'))).workflows;
    const locals = new Map(workflows.map((w) => [w.plan.workflowId, new LocalWorkflow(w)]));
    expect(workflows[1].plan.schedule).toEqual([{ parallel: [[{ step: 'child' }], [{ step: 'flaky' }]] }, { step: 'join' }]);
    // `flaky` looks up a user of its own, answered 503 twice: its retry action handles that (its criteria fail).
    petstore.store.users.set('flakyUser', { id: 99, username: 'flakyUser', password: 'unused', phone: '555' });
    petstore.setFaults([{ operationId: 'getUserByName', path: /flakyUser$/, status: 503, times: 2 }]);
    try {
      const execution = await new LocalWorkflow(workflows[1]).run({}, {
        runtime: { secrets: new InMemorySecretsProvider(), sealer: new AesGcmSealer(randomBytes(32)), serverUrls: { petstore: petstore.serverUrl } },
        waitMs: 1,
        retryIntervalMs: 1,
        timeoutMs: 20_000,
        workflows: (target) => locals.get(target.workflowId),
      });
      expect(execution.status).toBe('SUCCEEDED');
      expect(execution.output).toEqual({ email: 'john@email.com', phone: '555' });
      const entered = enteredAndExited(execution).filter((e) => e.startsWith('>'));
      expect(entered.filter((e) => e === '> flaky')).toHaveLength(3);
      expect(entered.filter((e) => e === '> flaky.wait')).toHaveLength(2);
      expect(entered).toEqual(expect.arrayContaining(['> child', '> child.run', '> child.result', '> flaky.done', '> join']));
      expect(execution.children.map((c) => c.status)).toEqual(['SUCCEEDED']);
    } finally {
      petstore.setFaults([]);
      petstore.store.users.delete('flakyUser');
    }
  });
});
