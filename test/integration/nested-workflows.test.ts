import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileFile, compileFileOrThrow, formatDiagnostic, type CompiledWorkflow } from '../../compiler/index.js';
import { ErrorCodes } from '../../core/errors.js';
import { AesGcmSealer, InMemorySecretsProvider } from '../../functions/runtime/secrets/index.js';
import { historyToJson } from '../../local/history/index.js';
import { LocalWorkflow, type LocalExecution } from '../../local/run-workflow.js';
import { LocalWorkflowSet } from '../../local/workflow-set.js';
import { startFintectureSandbox, type FaultRule, type FintectureSandbox } from '../../sandbox/index.js';
import { ROOT, scanForSecrets } from './support/seed-harness.js';

const DOC = join(ROOT, 'test/fixtures/nested/onboarding.arazzo.yml');

describe('nested workflows: workflowId steps, dependsOn and goto a workflow, run as nested executions', () => {
  let sandbox: FintectureSandbox;
  let token: string;
  let compiled: readonly CompiledWorkflow[];
  let locals: Map<string, LocalWorkflow>;
  const secrets = new InMemorySecretsProvider();
  const sealer = new AesGcmSealer();

  beforeAll(async () => {
    sandbox = await startFintectureSandbox({});
    const res = await fetch(`${sandbox.url}/oauth/accesstoken`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&scope=customer&client_id=sandbox-app-id&client_secret=sandbox-app-secret',
    });
    token = ((await res.json()) as { access_token: string }).access_token;
    secrets.set('customers', token);
    compiled = (await compileFileOrThrow(DOC)).workflows;
    locals = new Map(compiled.map((w) => [w.plan.workflowId, new LocalWorkflow(w)]));
  });
  afterAll(() => sandbox.close());

  const input = (email = 'ada@example.com') => ({ accessToken: 'secret:customers', firstName: 'Ada', lastName: 'Lovelace', email, providerId: 'cmcicfr' });

  async function run(workflowId: string, faults: FaultRule[] = []): Promise<LocalExecution> {
    sandbox.setScenario({ faults });
    try {
      return await locals.get(workflowId)!.run(input(), {
        runtime: { secrets, sealer, serverUrls: { customersApi: sandbox.url } },
        waitMs: 1,
        retryIntervalMs: 1,
        timeoutMs: 30_000,
        workflows: (target) => locals.get(target.workflowId),
      });
    } finally {
      sandbox.setScenario({});
    }
  }
  const entered = (e: LocalExecution) => e.history.filter((h) => h.stateEnteredEventDetails).map((h) => h.stateEnteredEventDetails!.name);

  it('a workflowId step prepares the child input, runs the child with startExecution.sync:2, and decides from its outputs', async () => {
    const wf = compiled.find((w) => w.plan.workflowId === 'verify-customer')!;
    expect(wf.definition.States['register.run']).toMatchObject({
      Resource: 'arn:aws:states:::states:startExecution.sync:2',
      Parameters: { StateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:register-customer', 'Input.$': '$.nested.register.input' },
    });
    expect(wf.tasks['register.run']).toEqual({ kind: 'startExecution', workflowId: 'register-customer' });

    const exec = await run('verify-customer');
    expect(exec.status).toBe('SUCCEEDED');
    expect(entered(exec)).toEqual(['Validate inputs', 'register', 'register.run', 'register.result', 'register.route', 'startVerification']);
    expect(exec.children).toHaveLength(1);
    const child = exec.children[0];
    expect(child.status).toBe('SUCCEEDED');
    // The child got only its own inputs (workflow-level `parameters` without `in` included), the credential still a reference.
    expect(child.input).toMatchObject({ accessToken: 'secret:customers', firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com' });
    expect(child.input).toHaveProperty('AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID', exec.executionArn);
    const customerId = (child.output as { customerId: string }).customerId;
    expect(customerId).toMatch(/^cus_/);
    expect(exec.output).toEqual({ customerId, verificationId: expect.stringMatching(/^ver_/) });
    const started = sandbox.requestLog.filter((r) => r.operationId === 'initiateCustomerVerification').at(-1)!;
    expect(started.path).toBe(`/v1/customers/${customerId}/verification`);
    // Neither history, parent's nor child's, holds the token.
    expect(scanForSecrets(JSON.stringify([historyToJson(exec.history), historyToJson(child.history)]), [token])).toEqual([]);
    expect(child.history.map((h) => h.type)).toContain('LambdaFunctionSucceeded');
    expect(exec.history.filter((h) => h.stateEnteredEventDetails?.name === 'register.run' || h.type?.startsWith('Task')).map((h) => h.type)).toEqual(
      expect.arrayContaining(['TaskScheduled', 'TaskStarted', 'TaskSucceeded']),
    );
  });

  it("a failed child routes by the step's onFailure (end), and the outputs it could not produce are omitted", async () => {
    const exec = await run('verify-customer', [{ operationId: 'createCustomer', status: 400 }]);
    expect(exec.status).toBe('SUCCEEDED');
    expect(exec.children.map((c) => [c.status, c.error])).toEqual([['FAILED', ErrorCodes.StepFailed]]);
    expect(entered(exec)).toEqual(['Validate inputs', 'register', 'register.run', 'register.result', 'register.route', 'register.end']);
    expect(exec.output).toEqual({});
  });

  it('dependsOn runs the dependency first with the same inputs; $workflows.<id>.outputs reads its outputs', async () => {
    const exec = await run('verify-registered');
    expect(exec.status).toBe('SUCCEEDED');
    expect(entered(exec)).toEqual(['Validate inputs', 'dependsOn.register-customer', 'startVerification']);
    const customerId = (exec.children[0].output as { customerId: string }).customerId;
    expect(exec.output).toEqual({ customerId, verificationId: expect.stringMatching(/^ver_/) });
    // The child is linked to its parent (issue 16.10), and its input check dropped the key: its inputs are the parent's.
    expect(exec.children[0].input).toHaveProperty('AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID', exec.executionArn);
    const childState = JSON.parse(exec.children[0].history.find((h) => h.type === 'TaskStateExited')!.stateExitedEventDetails!.output!) as Record<string, unknown>;
    expect(childState.inputs).not.toHaveProperty('AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID');
    // Only the dependency's outputs are kept, not its DescribeExecution (input, dates, names).
    const parentState = JSON.parse(exec.history.find((h) => h.type === 'TaskStateExited' && h.stateExitedEventDetails!.name === 'dependsOn.register-customer')!.stateExitedEventDetails!.output!) as { workflows: Record<string, unknown> };
    expect(parentState.workflows['register-customer']).toEqual({ outputs: { customerId } });
  });

  it('a failed dependency fails the workflow before its first step, naming the child failure', async () => {
    const before = sandbox.requestLog.filter((r) => r.operationId === 'initiateCustomerVerification').length;
    const exec = await run('verify-registered', [{ operationId: 'createCustomer', status: 400 }]);
    expect(exec.status).toBe('FAILED');
    expect(exec.error).toBe('States.TaskFailed');
    expect(JSON.parse(exec.cause!)).toMatchObject({ Status: 'FAILED', Error: ErrorCodes.StepFailed });
    expect(entered(exec)).toEqual(['Validate inputs', 'dependsOn.register-customer', 'dependsOn.register-customer.failed']);
    expect(sandbox.requestLog.filter((r) => r.operationId === 'initiateCustomerVerification').length).toBe(before);
  });

  it('goto workflowId hands over to the other workflow, and the current one ends with it', async () => {
    const exec = await run('register-with-fallback', [{ operationId: 'createCustomer', status: 409, times: 1 }]);
    expect(exec.status).toBe('SUCCEEDED');
    expect(entered(exec)).toEqual(['Validate inputs', 'createCompanyCustomer', 'createCompanyCustomer.route', 'createCompanyCustomer.goto.register-customer', 'createCompanyCustomer.end']);
    expect(exec.children).toHaveLength(1);
    expect(exec.children[0].output).toEqual({ customerId: expect.stringMatching(/^cus_/) });
    expect(exec.children[0].input).toHaveProperty('AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID', exec.executionArn);
    const stored = JSON.parse(exec.history.find((h) => h.type === 'TaskStateExited' && h.stateExitedEventDetails!.name === 'createCompanyCustomer.goto.register-customer')!.stateExitedEventDetails!.output!) as { nested: Record<string, { goto: unknown }> };
    expect(stored.nested.createCompanyCustomer.goto).toEqual({ status: 'SUCCEEDED', executionArn: exec.children[0].executionArn });
  });

  it('without a failure route, a failed child fails the step with Arazzo.StepFailed naming the child error', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'arazzo-nested-'));
    const text = (await readFile(DOC, 'utf8'))
      .replace('../../../workflows/openapi/', `${join(ROOT, 'workflows/openapi')}/`)
      .replace(/ {4}onFailure:\n {4}- name: registrationFailed\n {6}type: end\n/, '');
    await writeFile(join(dir, 'doc.arazzo.yml'), text);
    const workflows = (await compileFileOrThrow(join(dir, 'doc.arazzo.yml'))).workflows;
    const byId = new Map(workflows.map((w) => [w.plan.workflowId, new LocalWorkflow(w)]));
    sandbox.setScenario({ faults: [{ operationId: 'createCustomer', status: 400 }] });
    const exec = await byId.get('verify-customer')!.run(input(), {
      runtime: { secrets, sealer, serverUrls: { customersApi: sandbox.url } },
      waitMs: 1,
      workflows: (t) => byId.get(t.workflowId),
    });
    sandbox.setScenario({});
    expect(exec.status).toBe('FAILED');
    expect(exec.error).toBe(ErrorCodes.StepFailed);
    expect(exec.cause).toContain('step register: workflow register-customer failed with Arazzo.StepFailed (step createCustomer: POST /v1/customers answered 400');
  });
});

describe('a workflow of an arazzo-typed source', () => {
  it('is compiled with the document and started as a nested execution of its own state machine', async () => {
    const sandbox = await startFintectureSandbox({});
    try {
      const res = await fetch(`${sandbox.url}/oauth/accesstoken`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials&scope=customer&client_id=sandbox-app-id&client_secret=sandbox-app-secret',
      });
      const secrets = new InMemorySecretsProvider({ customers: ((await res.json()) as { access_token: string }).access_token });
      const result = await compileFileOrThrow(join(ROOT, 'test/fixtures/nested/uses-external.arazzo.yml'));
      expect(result.external.map((e) => [e.source, e.workflow.plan.workflowId])).toEqual([
        ['onboarding', 'register-customer'],
        ['onboarding', 'verify-customer'],
        ['onboarding', 'verify-registered'],
        ['onboarding', 'register-with-fallback'],
      ]);
      expect(result.workflows[0].definition.States['register.run']).toMatchObject({
        Parameters: { StateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:onboarding-register-customer' },
      });
      const exec = await new LocalWorkflowSet(result).run('register-elsewhere', { accessToken: 'secret:customers', email: 'grace@example.com' }, {
        runtime: { secrets, sealer: new AesGcmSealer(), serverUrls: { customersApi: sandbox.url } },
        waitMs: 1,
      });
      expect(exec.status).toBe('SUCCEEDED');
      expect(exec.output).toEqual({ customerId: expect.stringMatching(/^cus_/) });
      expect(exec.children[0].stateMachineArn).toBe('arn:aws:states:us-east-1:000000000000:stateMachine:onboarding-register-customer');
    } finally {
      await sandbox.close();
    }
  });
});

describe('nested workflows: compile-time checks', () => {
  async function diagnosticsOf(doc: string): Promise<string[]> {
    const dir = await mkdtemp(join(tmpdir(), 'arazzo-nested-'));
    const file = join(dir, 'doc.arazzo.yml');
    await writeFile(file, doc.replaceAll('OPENAPI', join(ROOT, 'workflows/openapi/fintecture-customers-api-openapi.yml')));
    const result = await compileFile(file);
    return result.diagnostics.filter((d) => d.severity === 'error').map((d) => formatDiagnostic(d).replace(file, 'doc.arazzo.yml'));
  }
  const header = `arazzo: 1.0.1
info: { title: t, version: '1' }
sourceDescriptions:
- { name: api, url: OPENAPI, type: openapi }
workflows:
`;
  const leaf = `- workflowId: leaf
  inputs: { type: object, required: [email], properties: { email: { type: string } }, additionalProperties: false }
  steps:
  - stepId: get
    operationId: listAllCustomers
`;

  it('an unknown workflow, a missing required input, and an input the child does not declare', async () => {
    const errors = await diagnosticsOf(`${header}${leaf}- workflowId: main
  steps:
  - stepId: a
    workflowId: leaf
    parameters:
    - { name: emial, value: x }
  - stepId: b
    workflowId: nowhere
`);
    expect(errors).toEqual([
      'doc.arazzo.yml:13:5: error ASFN1012 step "a": required input "email" of workflow "leaf" has no value [parameters]',
      'doc.arazzo.yml:16:15: error ASFN1011 parameter "emial" is not an input of workflow "leaf"; its inputs are: email [parameters]',
      'doc.arazzo.yml:18:17: error ASFN1015 unknown workflow "nowhere" (workflows: leaf, main) [workflow-target]',
    ]);
  });

  it('a workflow that runs itself through another is a cycle', async () => {
    const errors = await diagnosticsOf(`${header}- workflowId: ping
  steps:
  - { stepId: a, workflowId: pong }
- workflowId: pong
  dependsOn: [ping]
  steps:
  - { stepId: b, operationId: listAllCustomers }
`);
    expect(errors).toEqual(['doc.arazzo.yml:10:15: error ASFN1015 workflow "ping" runs itself (ping → pong → ping): each turn would start another execution, without end [workflow-target]']);
  });
});
