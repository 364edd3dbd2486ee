import { copyFile, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileFile, formatDiagnostic, hasErrors, type CompileResult } from '../../compiler/index.js';
import { ErrorCodes } from '../../core/errors.js';
import { AesGcmSealer, InMemorySecretsProvider } from '../../functions/runtime/secrets/index.js';
import type { StepLogEntry } from '../../functions/runtime/handle-step.js';
import { LocalWorkflowSet } from '../../local/workflow-set.js';
import { startPetstoreSandbox, type PetstoreSandbox } from '../../sandbox/oai-examples/index.js';
import type { FaultRule } from '../../sandbox/http/index.js';
import { oaiExample, statesEnteredIn } from './support/oai-harness.js';

const PETSTORE = oaiExample('swagger-petstore.openapi.yaml');

/** An Arazzo 1.1 document over the Petstore: `workflows` is YAML for the list under `workflows:`. */
const document = (workflows: string) => `arazzo: 1.1.0
info: { title: arazzo 1.1 steps, version: '1' }
sourceDescriptions:
- { name: pets, url: ./petstore.openapi.yaml, type: openapi }
workflows:
${workflows}`;

/** A step that lists the pets of a status (the Petstore wants a session for /pet). */
const findByStatus = (stepId: string, extra = '') => `  - stepId: ${stepId}
    operationId: findPetsByStatus
    parameters:
    - { name: status, in: query, value: $inputs.status }
    - { name: Authorization, in: header, value: $inputs.session }
    successCriteria: [{ condition: $statusCode == 200 }]
    outputs:
      first: $response.body#/0/name${extra}
`;

const inputs = `  inputs:
    type: object
    properties:
      status: { type: string }
      session: { type: string }
`;

async function compileText(text: string, options: Parameters<typeof compileFile>[1] = {}): Promise<{ result: CompileResult; messages: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'arazzo-11-steps-'));
  const file = join(dir, 'doc.arazzo.yml');
  await writeFile(file, text);
  await copyFile(PETSTORE, join(dir, 'petstore.openapi.yaml'));
  const result = await compileFile(file, options);
  return { result, messages: result.diagnostics.map((d) => formatDiagnostic(d).replace(file, 'doc.arazzo.yml')) };
}

describe('Arazzo 1.1 step timeout, run on the embedded engine against the Petstore sandbox', () => {
  let sandbox: PetstoreSandbox;
  let session: string;
  const secrets = new InMemorySecretsProvider();
  const sealer = new AesGcmSealer();

  beforeAll(async () => {
    sandbox = await startPetstoreSandbox();
    const res = await fetch(`${sandbox.serverUrl}/user/login?username=theUser&password=12345`);
    session = (await res.json()) as string;
  });
  afterAll(() => sandbox.close());

  async function run(text: string, workflowId: string, input: Record<string, unknown>, faults: FaultRule[] = []) {
    const { result, messages } = await compileText(text);
    if (hasErrors(result.diagnostics)) throw new Error(messages.join('\n'));
    const set = new LocalWorkflowSet(result);
    const log: StepLogEntry[] = [];
    sandbox.setFaults(faults);
    try {
      const execution = await set.run(workflowId, { session, ...input }, {
        runtime: { secrets, sealer, serverUrls: { pets: sandbox.serverUrl }, log: (e) => log.push(e) },
        waitMs: 1,
        retryIntervalMs: 1,
        timeoutMs: 30_000,
      });
      return { execution, result, log, entered: statesEnteredIn(execution.history) };
    } finally {
      sandbox.setFaults([]);
    }
  }

  const slow = (delayMs: number): FaultRule[] => [{ operationId: 'findPetsByStatus', delayMs }];

  it("compiles timeout to a Pass that stamps the step's start, then the Task: TimeoutSeconds is the timeout plus one second (the handler reports it first), the call bounded by it", async () => {
    const { result, messages } = await compileText(document(`- workflowId: w\n${inputs}  steps:\n${findByStatus('find')}    timeout: 1500\n`));
    expect(messages).toEqual([
      'doc.arazzo.yml:21:14: warning ASFN2170 step "find": timeout 1500 ms is shorter than one attempt\'s connect timeout (5000 ms): a connection slower than 1500 ms fails the step by its timeout instead of going to the provider-fault Retry [step-timeout-retry]',
    ]);
    const [wf] = result.workflows;
    // The step's start, the same for every attempt of the Task's Retry: what the handler measures the timeout from.
    expect(wf.definition.States.find).toEqual({
      Type: 'Pass',
      Comment: "start find's timeout of 1500 ms: every attempt of the call must end within it",
      Parameters: { 'at.$': '$$.State.EnteredTime' },
      ResultPath: '$.stepStarted',
      Next: 'find.call',
    });
    expect(wf.definition.States['find.call']).toMatchObject({
      Type: 'Task',
      TimeoutSeconds: 3,
      Parameters: { step: 'find', 'startedAt.$': '$.stepStarted.at' },
      Retry: [{ ErrorEquals: expect.arrayContaining([ErrorCodes.ProviderUnavailable]), MaxAttempts: 3 }, expect.anything()],
    });
    expect(wf.tasks['find.call']).toEqual({ functionKey: 'pets.findPetsByStatus', stepId: 'find' });
    expect(wf.plan.steps[0]).toMatchObject({ timeoutMs: 1500, transport: { connectTimeoutMs: 1500, requestTimeoutMs: 1500 } });
  });

  it("a provider answering 503 slowly: the Retry's attempts and their backoff share the one timeout, so the step fails by it after 2-3 calls, not 4 full attempts", async () => {
    // Each 503 takes 600 ms; the step may take 1500 ms in all. Each attempt used to get the whole
    // timeout: 4 attempts (the Retry's 3 more), about 2.4 s, then Arazzo.ProviderUnavailable.
    const { execution, log, entered } = await run(document(`- workflowId: w\n${inputs}  steps:\n${findByStatus('find')}    timeout: 1500\n`), 'w', { status: 'sold' }, [
      { operationId: 'findPetsByStatus', status: 503, delayMs: 600 },
    ]);
    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe(ErrorCodes.StepTimeout);
    expect(execution.cause).toMatch(/^step find: (GET \/pet\/findByStatus did not answer within the step's timeout of 1500 ms|the step's timeout of 1500 ms ran out before this attempt \(the earlier attempts and the waits between them used it\)), and no onFailure action applies$/);
    const calls = log.filter((l) => l.stepId === 'find');
    expect(calls.filter((l) => l.error === ErrorCodes.ProviderUnavailable).length).toBeGreaterThanOrEqual(1);
    expect(calls.length).toBeLessThanOrEqual(3);
    // The Pass once, the Task once: its attempts are retries of one entry (TaskStateEntered once, a TaskFailed per failed attempt).
    expect(entered).toEqual(['Validate inputs', 'find', 'find.call', 'find.failed']);
    // Every attempt failed: the 503s, and the last one by the timeout (cut mid-call, or refused before it).
    expect(execution.history.filter((e) => e.type === 'LambdaFunctionFailed')).toHaveLength(calls.length);
  });

  it('a 429 whose Retry-After outlasts what is left of the timeout fails the step by its timeout at once, without the Wait', async () => {
    const { execution, log, entered } = await run(document(`- workflowId: w\n${inputs}  steps:\n${findByStatus('find')}    timeout: 3000\n`), 'w', { status: 'sold' }, [
      { operationId: 'findPetsByStatus', status: 429, retryAfterSeconds: 5 },
    ]);
    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe(ErrorCodes.StepTimeout);
    expect(execution.cause).toBe("step find: GET /pet/findByStatus answered 429 with Retry-After 5 s, past what is left of the step's timeout of 3000 ms, and no onFailure action applies");
    expect(log.filter((l) => l.stepId === 'find')).toHaveLength(1);
    expect(entered).toEqual(['Validate inputs', 'find', 'find.call', 'find.failed']);
  });

  it("when the Retry's attempts use up the timeout, onFailure applies: a goto to a fallback step", async () => {
    const text = document(`- workflowId: w
${inputs}  steps:
${findByStatus('find')}    timeout: 1500
    onFailure:
    - { name: slow, type: goto, stepId: fallback }
${findByStatus('fallback')}
  outputs:
    found: $steps.fallback.outputs.first
`);
    const { execution, entered, log } = await run(text, 'w', { status: 'sold' }, [{ operationId: 'findPetsByStatus', status: 503, delayMs: 600, times: 3 }]);
    // At most three 503s: the ones find did not meet, fallback's Retry (no timeout) waits out.
    expect(log.filter((l) => l.stepId === 'find').length).toBeLessThanOrEqual(3);
    expect(execution.status).toBe('SUCCEEDED');
    expect(entered).toEqual(['Validate inputs', 'find', 'find.call', 'find.route', 'fallback']);
    expect(execution.output).toEqual({ found: 'Nemo' });
  });

  it('a step that answers within its timeout succeeds as before', async () => {
    const { execution } = await run(document(`- workflowId: w\n${inputs}  steps:\n${findByStatus('find')}    timeout: 5000\n`), 'w', { status: 'sold' }, slow(50));
    expect(execution.status).toBe('SUCCEEDED');
  });

  it('past its timeout the step fails with Arazzo.StepTimeout, not retried as a provider fault, and the workflow fails', async () => {
    const { execution, log } = await run(document(`- workflowId: w\n${inputs}  steps:\n${findByStatus('find')}    timeout: 300\n`), 'w', { status: 'sold' }, slow(3000));
    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe(ErrorCodes.StepTimeout);
    expect(execution.cause).toBe("step find: GET /pet/findByStatus did not answer within the step's timeout of 300 ms, and no onFailure action applies");
    // One call: a timeout is the step's failure, which onFailure actions (here none) decide, not the Task's provider-fault Retry.
    expect(log.filter((l) => l.stepId === 'find')).toHaveLength(1);
  });

  it('past its timeout the onFailure actions apply: a goto to a fallback step', async () => {
    const text = document(`- workflowId: w
${inputs}  steps:
${findByStatus('find')}    timeout: 300
    onFailure:
    - { name: slow, type: goto, stepId: fallback }
${findByStatus('fallback')}
  outputs:
    found: $steps.fallback.outputs.first
`);
    const { execution, entered } = await run(text, 'w', { status: 'sold' }, [{ operationId: 'findPetsByStatus', delayMs: 3000, times: 1 }]);
    expect(execution.status).toBe('SUCCEEDED');
    expect(entered).toEqual(['Validate inputs', 'find', 'find.call', 'find.route', 'fallback']);
    expect(execution.output).toEqual({ found: 'Nemo' });
  });

  it('a workflow step: its nested execution is bounded by the timeout (TimeoutSeconds on <step>.run), then Arazzo.StepTimeout', async () => {
    const text = document(`- workflowId: parent
${inputs}  steps:
  - stepId: child
    workflowId: find-one
    timeout: 1000
    parameters:
    - { name: status, value: $inputs.status }
    - { name: session, value: $inputs.session }
- workflowId: find-one
${inputs}  steps:
${findByStatus('find')}`);
    const { execution, result } = await run(text, 'parent', { status: 'sold' }, slow(2500));
    expect(result.workflows[0].definition.States['child.run']).toMatchObject({ TimeoutSeconds: 1 });
    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe(ErrorCodes.StepTimeout);
    expect(execution.cause).toBe("step child: workflow find-one did not finish within the step's timeout of 1000 ms, and no onFailure action applies");
  });
});

describe('Arazzo 1.1 step timeout, checked at compile time', () => {
  it("a timeout not shorter than the execution's own bound, and a throttle that can outwait it (EXPRESS: 300 s), are warned about with the numbers", async () => {
    const text = document(`- workflowId: w\n${inputs}  steps:\n${findByStatus('find')}    timeout: 300000\n`);
    const express = await compileText(text, { timeoutSeconds: 300 });
    expect(express.messages).toEqual([
      'doc.arazzo.yml:13:5: warning ASFN2172 step "find": a provider\'s Retry-After can hold it for up to 5 × 60 s = 300 s (throttle option), not less than the execution\'s own bound of 300 s (an EXPRESS execution lasts at most 5 minutes): a throttled execution times out (States.Timeout) before the throttle fails the step with Arazzo.Throttled; lower throttle.maxWaits or maxWaitSeconds [throttle-execution]',
      'doc.arazzo.yml:21:14: warning ASFN2171 step "find": timeout 300000 ms is not shorter than the execution\'s own bound of 300 s (an EXPRESS execution lasts at most 5 minutes): the execution times out first (States.Timeout), and the step\'s onFailure actions never run; shorten the timeout or raise the execution\'s [step-timeout-execution]',
    ]);
    // A day (the default bound): neither.
    expect((await compileText(text)).messages).toEqual([]);
    // The throttle against a 10-minute execution: its default 300 s fits, 10 × 60 s does not.
    const plain = document(`- workflowId: w\n${inputs}  steps:\n${findByStatus('find')}`);
    expect((await compileText(plain, { timeoutSeconds: 600 })).messages).toEqual([]);
    expect((await compileText(plain, { timeoutSeconds: 600, throttle: { maxWaits: 10 } })).messages).toEqual([expect.stringContaining('ASFN2172 step "find": a provider\'s Retry-After can hold it for up to 10 × 60 s = 600 s')]);
    expect((await compileText(plain, { timeoutSeconds: 600, throttle: false })).messages).toEqual([]);
  });

  it('a step timeout shorter than the connect timeout is warned about only where the provider-fault Retry would repeat the call', async () => {
    const post = document(`- workflowId: w\n${inputs}  steps:\n  - stepId: add\n    operationId: addPet\n    timeout: 1000\n    parameters:\n    - { name: Authorization, in: header, value: $inputs.session }\n    requestBody:\n      contentType: application/json\n      payload: { name: Rex, photoUrls: [] }\n    successCriteria: [{ condition: $statusCode == 200 }]\n`);
    // A POST without an idempotency key is never repeated: no retry for the timeout to cut short.
    expect((await compileText(post)).messages.filter((m) => m.includes('ASFN2170'))).toEqual([]);
    const configured = await compileText(document(`- workflowId: w\n${inputs}  steps:\n${findByStatus('find')}    timeout: 1500\n`), { connectTimeoutMs: 1000 });
    expect(configured.messages).toEqual([]);
  });

  it('a timeout longer than a Lambda Task can wait is lowered to the limit, with a warning; zero is refused', async () => {
    const long = await compileText(document(`- workflowId: w\n${inputs}  steps:\n${findByStatus('find')}    timeout: 3600000\n`));
    expect(long.messages).toEqual([
      'doc.arazzo.yml:21:14: warning ASFN2105 step "find": timeout 3600000 ms is longer than its Task can wait: its call runs in a Lambda function, which stops after 900 s (the function also needs 15 s besides the call); it waits 885000 ms [step-timeout-limit]',
    ]);
    expect(long.result.workflows[0].plan.steps[0]).toMatchObject({ timeoutMs: 885_000 });
    expect(long.result.workflows[0].definition.States['find.call']).toMatchObject({ TimeoutSeconds: 886 });

    const zero = await compileText(document(`- workflowId: w\n${inputs}  steps:\n${findByStatus('find')}    timeout: 0\n`));
    expect(zero.messages).toEqual([
      'doc.arazzo.yml:21:14: error ASFN1105 step "find": a timeout of 0 ms fails the step before it starts; give the milliseconds it may wait, or leave timeout out [step-timeout]',
    ]);
  });
});

describe('Arazzo 1.1 action parameters: the inputs of the workflow a goto or retry runs', () => {
  let sandbox: PetstoreSandbox;
  let session: string;
  const secrets = new InMemorySecretsProvider();
  const sealer = new AesGcmSealer();

  beforeAll(async () => {
    sandbox = await startPetstoreSandbox();
    const res = await fetch(`${sandbox.serverUrl}/user/login?username=theUser&password=12345`);
    session = (await res.json()) as string;
  });
  afterAll(() => sandbox.close());

  const child = (schema = '') => `- workflowId: child
  inputs:
    type: object
    properties:
      status: { type: string }
      session: { type: string }
      seen: { type: string }
    required: [status]${schema}
  steps:
${findByStatus('find')}  outputs:
    first: $steps.find.outputs.first
    seen: $inputs.seen
`;

  const parent = (action: string) => `- workflowId: parent
${inputs}  steps:
${findByStatus('find')}    onSuccess:
${action}`;

  const handOver = `    - name: handOver
      type: goto
      workflowId: child
      parameters:
      - { name: status, value: pending }
      - { name: session, value: $inputs.session }
      - { name: seen, value: { context: $response.body, selector: '$[0].name', type: jsonpath } }
      - { name: firstId, value: $response.body#/0/id }
`;

  it('a goto to a workflow starts it with exactly the evaluated parameters ($response of the step and a Selector Object included), linked to the parent', async () => {
    const { result, messages } = await compileText(document(parent(handOver) + child()));
    expect(messages).toEqual([]);
    const wf = result.workflows.find((w) => w.plan.workflowId === 'parent')!;
    expect(wf.definition.States['find.goto.child.handOver']).toMatchObject({
      Resource: 'arn:aws:states:::states:startExecution.sync:2',
      Parameters: { 'Input.$': '$.steps.find.childInput' },
    });
    expect(wf.definition.States.find).toMatchObject({ Parameters: { 'executionId.$': '$$.Execution.Id' } });

    const set = new LocalWorkflowSet(result);
    const execution = await set.run('parent', { status: 'sold', session }, {
      runtime: { secrets, sealer, serverUrls: { pets: sandbox.serverUrl } },
      waitMs: 1,
      retryIntervalMs: 1,
      timeoutMs: 30_000,
    });
    expect(execution.status).toBe('SUCCEEDED');
    expect(statesEnteredIn(execution.history)).toEqual(['Validate inputs', 'find', 'find.route', 'find.goto.child.handOver', 'find.end']);
    expect(execution.children).toHaveLength(1);
    const [run] = execution.children;
    // The parent listed sold pets (Nemo); the child was told to list pending ones (Tom) and what the parent saw.
    expect(run.input).toEqual({ status: 'pending', session, seen: 'Nemo', firstId: 5, AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: execution.executionArn });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output).toEqual({ first: 'Tom', seen: 'Nemo' });
  });

  it('checks the parameters against the inputs of the workflow they go to; "in" must not be used; on an action that runs no workflow they are unused', async () => {
    const { messages } = await compileText(
      document(
        parent(`    - name: handOver
      type: goto
      workflowId: child
      parameters:
      - { name: stauts, value: pending }
      - { name: session, in: header, value: $inputs.session }
    - name: again
      type: goto
      stepId: find
      parameters: [{ name: status, value: sold }]
`) + child('\n    additionalProperties: false'),
      ),
    );
    expect(messages.filter((m) => !m.includes('ASFN2004'))).toEqual([
      'doc.arazzo.yml:26:7: error ASFN1012 action "handOver": required input "status" of workflow "child" has no value [parameters]',
      'doc.arazzo.yml:26:17: error ASFN1011 parameter "stauts" is not an input of workflow "child"; its inputs are: status, session, seen [parameters]',
      'doc.arazzo.yml:27:30: error ASFN1106 parameter "session" of action "handOver" is an input of workflow "child": "in" must not be used (Arazzo 1.1) [action-parameters]',
      'doc.arazzo.yml:31:19: warning ASFN2106 action "again" runs no workflow (it goes to step "find"): its parameters, which are the inputs of a workflow named by workflowId, are not used [action-parameters-unused]',
    ]);
  });
});

describe('Arazzo 1.1 in: querystring (OpenAPI 3.2): the whole query string from one value, over real HTTP to the Petstore sandbox', () => {
  let sandbox: PetstoreSandbox;
  let session: string;
  const secrets = new InMemorySecretsProvider();
  const sealer = new AesGcmSealer();
  beforeAll(async () => {
    sandbox = await startPetstoreSandbox();
    session = (await (await fetch(`${sandbox.serverUrl}/user/login?username=theUser&password=12345`)).json()) as string;
  });
  afterAll(() => sandbox.close());

  const openapi32 = `openapi: 3.2.0
info: { title: pets by query string, version: '1' }
servers: [{ url: 'http://127.0.0.1:1/api/v3' }]
paths:
  /pet/findByStatus:
    get:
      operationId: findPetsByStatus
      parameters:
      - name: filter
        in: querystring
        content:
          application/x-www-form-urlencoded:
            schema: { type: object, properties: { status: { type: string } } }
      responses:
        '200': { description: ok, content: { application/json: { schema: { type: array } } } }
`;
  const doc = (parameters: string) => `arazzo: 1.1.0
info: { title: querystring, version: '1' }
sourceDescriptions:
- { name: pets, url: ./pets32.openapi.yaml, type: openapi }
workflows:
- workflowId: w
${inputs}  steps:
  - stepId: find
    operationId: findPetsByStatus
    parameters:
${parameters}    - { name: Authorization, in: header, value: $inputs.session }
    successCriteria: [{ condition: $statusCode == 200 }]
    outputs:
      first: $response.body#/0/name
      sent: $request.query.status
  outputs:
    first: $steps.find.outputs.first
    sent: $steps.find.outputs.sent
`;
  async function compileWith(text: string) {
    const dir = await mkdtemp(join(tmpdir(), 'arazzo-11-qs-'));
    await writeFile(join(dir, 'pets32.openapi.yaml'), openapi32);
    const file = join(dir, 'doc.arazzo.yml');
    await writeFile(file, text);
    const result = await compileFile(file);
    return { result, messages: result.diagnostics.map((d) => formatDiagnostic(d).replace(file, 'doc.arazzo.yml')) };
  }

  it('sends the string as the query, each substituted value percent-encoded: the server lists the pets of that status', async () => {
    const { result, messages } = await compileWith(doc("    - { name: filter, in: querystring, value: 'status={$inputs.status}' }\n"));
    expect(messages).toEqual([]);
    expect(result.workflows[0].plan.steps[0]).toMatchObject({ parameters: [{ name: 'filter', in: 'querystring', contentType: 'application/x-www-form-urlencoded' }, { name: 'Authorization' }] });
    const set = new LocalWorkflowSet(result);
    const run = (status: string) =>
      set.run('w', { status, session }, { runtime: { secrets, sealer, serverUrls: { pets: sandbox.serverUrl } }, waitMs: 1, retryIntervalMs: 1, timeoutMs: 30_000 });
    const sold = await run('sold');
    expect(sold.status).toBe('SUCCEEDED');
    expect(sold.output).toEqual({ first: 'Nemo', sent: 'sold' });
    expect((await run('pending')).output).toEqual({ first: 'Tom', sent: 'pending' });
    // "sold&status=pending" is one value: encoded, the server sees a status it does not know (400), not two parameters.
    const smuggled = await run('sold&status=pending');
    expect(smuggled.status).toBe('FAILED');
    expect(smuggled.cause).toMatch(/answered 400/);
  });

  it('refuses a literal that does not match the media type (ASFN1225) at its value, and never sends a computed one that does not', async () => {
    // A stray "%" starts no percent-escape: the server would have to guess what was meant.
    const literal = await compileWith(doc("    - { name: filter, in: querystring, value: 'status=50%off&x={$inputs.status}' }\n"));
    expect(literal.messages).toEqual([
      'doc.arazzo.yml:16:47: error ASFN1225 querystring parameter "filter" is not application/x-www-form-urlencoded: "%of" at offset 9 is not a percent-escape (write %25 for a literal %) [querystring-media-type]',
    ]);
    // The same text as one whole expression is only known at run time: it fails before the request.
    const computed = await compileWith(doc('    - { name: filter, in: querystring, value: $inputs.status }\n'));
    expect(computed.messages).toEqual([]);
    const set = new LocalWorkflowSet(computed.result);
    const run = (status: string) =>
      set.run('w', { status, session }, { runtime: { secrets, sealer, serverUrls: { pets: sandbox.serverUrl } }, waitMs: 1, retryIntervalMs: 1, timeoutMs: 30_000 });
    const before = sandbox.requestLog.length;
    const refused = await run('status=50%off');
    expect(refused.status).toBe('FAILED');
    expect(refused.error).toBe(ErrorCodes.Expression);
    expect(refused.cause).toContain('querystring parameter "filter" is not application/x-www-form-urlencoded: "%of" at offset 9 is not a percent-escape');
    expect(refused.cause).toContain('the request was not sent');
    expect(sandbox.requestLog.length).toBe(before);
    // A well-formed computed query string is sent.
    expect((await run('status=sold')).output).toEqual({ first: 'Nemo', sent: 'sold' });
    expect(sandbox.requestLog.length).toBe(before + 1);
  });

  it('checks application/json querystring text as JSON: a literal at compile time, a computed value before sending', async () => {
    const json = (value: string) => doc(`    - { name: filter, in: querystring, value: '${value}' }\n`).replace('./pets32.openapi.yaml', './pets32json.openapi.yaml');
    const dir = await mkdtemp(join(tmpdir(), 'arazzo-11-qs-json-'));
    await writeFile(join(dir, 'pets32json.openapi.yaml'), openapi32.replace('application/x-www-form-urlencoded:', 'application/json:'));
    const compileJson = async (text: string) => {
      const file = join(dir, 'doc.arazzo.yml');
      await writeFile(file, text);
      const result = await compileFile(file);
      return { result, messages: result.diagnostics.map((d) => formatDiagnostic(d).replace(file, 'doc.arazzo.yml')) };
    };
    const broken = await compileJson(json('{"status": sold}'));
    expect(broken.messages).toHaveLength(1);
    expect(broken.messages[0]).toMatch(/^doc\.arazzo\.yml:16:47: error ASFN1225 querystring parameter "filter" is not application\/json: .*JSON.* \[querystring-media-type\]$/);
    // A template whose expression stands where a JSON value may stand compiles; what it writes is judged when it runs.
    const template = await compileJson(json('{"status": "{$inputs.status}"}'));
    expect(template.messages).toEqual([]);
    const set = new LocalWorkflowSet(template.result);
    const before = sandbox.requestLog.length;
    const refused = await set.run('w', { status: 'a"b', session }, { runtime: { secrets, sealer, serverUrls: { pets: sandbox.serverUrl } }, waitMs: 1, retryIntervalMs: 1, timeoutMs: 30_000 });
    expect(refused.status).toBe('FAILED');
    expect(refused.error).toBe(ErrorCodes.Expression);
    expect(refused.cause).toMatch(/querystring parameter "filter" is not application\/json: .*; the request was not sent/);
    expect(sandbox.requestLog.length).toBe(before);
  });

  it('refuses a querystring parameter beside query parameters, and a literal that is not a string', async () => {
    const { messages } = await compileWith(doc("    - { name: filter, in: querystring, value: { status: sold } }\n    - { name: status, in: query, value: sold }\n"));
    expect(messages.filter((m) => m.includes('ASFN1107'))).toEqual([
      'doc.arazzo.yml:13:5: error ASFN1107 step "find": operation findPetsByStatus takes its whole query string from a querystring parameter, which cannot be combined with query parameters (status) [querystring]',
      'doc.arazzo.yml:13:5: error ASFN1107 step "find": querystring parameter "filter" must be a string (the complete query string, such as "a=1&b=2") [querystring]',
    ]);
  });
});

describe('a source name outside [A-Za-z0-9_-]+ (Arazzo: SHOULD): read by the longest declared name, compiled with a warning, run over real HTTP to the Petstore sandbox', () => {
  let sandbox: PetstoreSandbox;
  let session: string;
  beforeAll(async () => {
    sandbox = await startPetstoreSandbox();
    session = (await (await fetch(`${sandbox.serverUrl}/user/login?username=theUser&password=12345`)).json()) as string;
  });
  afterAll(() => sandbox.close());

  it('binds $sourceDescriptions.pets.v2.findPetsByStatus to source "pets.v2", not to a source "pets" with an operation "v2.findPetsByStatus"', async () => {
    // Both sources are declared: the split of "pets.v2.findPetsByStatus" is decided by the longest name.
    const text = document(`- workflowId: w
${inputs}  steps:
${findByStatus('find').replace('operationId: findPetsByStatus', 'operationId: $sourceDescriptions.pets.v2.findPetsByStatus')}  outputs:
    first: $steps.find.outputs.first
`).replace('- { name: pets, url: ./petstore.openapi.yaml, type: openapi }', "- { name: 'pets.v2', url: ./petstore.openapi.yaml, type: openapi }\n- { name: pets, url: ./petstore.openapi.yaml, type: openapi }");
    const { result, messages } = await compileText(text);
    expect(messages).toEqual([
      'doc.arazzo.yml:4:11: warning ASFN2015 source name "pets.v2" does not match [A-Za-z0-9_-]+ (Arazzo: SHOULD); operationId, operationPath, channelPath, workflowId and schemeName read it (the longest source name that fits decides), but a runtime expression in a value or condition cannot name it [id-pattern]',
    ]);
    expect(result.workflows[0].plan.steps[0]).toMatchObject({ operation: { source: 'pets.v2' } });
    const execution = await new LocalWorkflowSet(result).run('w', { status: 'sold', session }, {
      runtime: { secrets: new InMemorySecretsProvider(), sealer: new AesGcmSealer(), serverUrls: { 'pets.v2': sandbox.serverUrl } },
      waitMs: 1,
      retryIntervalMs: 1,
      timeoutMs: 30_000,
    });
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.output).toEqual({ first: 'Nemo' });
  });
});
