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

async function compileText(text: string): Promise<{ result: CompileResult; messages: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'arazzo-11-steps-'));
  const file = join(dir, 'doc.arazzo.yml');
  await writeFile(file, text);
  await copyFile(PETSTORE, join(dir, 'petstore.openapi.yaml'));
  const result = await compileFile(file);
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

  it('compiles timeout to the Task: TimeoutSeconds is the timeout plus one second (the handler reports it first), the call bounded by it', async () => {
    const { result, messages } = await compileText(document(`- workflowId: w\n${inputs}  steps:\n${findByStatus('find')}    timeout: 1500\n`));
    expect(messages).toEqual([]);
    const [wf] = result.workflows;
    expect(wf.definition.States.find).toMatchObject({ Type: 'Task', TimeoutSeconds: 3 });
    expect(wf.plan.steps[0]).toMatchObject({ timeoutMs: 1500, transport: { connectTimeoutMs: 1500, requestTimeoutMs: 1500 } });
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
    expect(entered).toEqual(['Validate inputs', 'find', 'find.route', 'fallback']);
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
  it('a timeout longer than a Lambda Task can wait is lowered to the limit, with a warning; zero is refused', async () => {
    const long = await compileText(document(`- workflowId: w\n${inputs}  steps:\n${findByStatus('find')}    timeout: 3600000\n`));
    expect(long.messages).toEqual([
      'doc.arazzo.yml:21:14: warning ASFN2105 step "find": timeout 3600000 ms is longer than its Task can wait: its call runs in a Lambda function, which stops after 900 s (the function also needs 15 s besides the call); it waits 885000 ms [step-timeout-limit]',
    ]);
    expect(long.result.workflows[0].plan.steps[0]).toMatchObject({ timeoutMs: 885_000 });
    expect(long.result.workflows[0].definition.States.find).toMatchObject({ TimeoutSeconds: 886 });

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

  it('refuses a querystring parameter beside query parameters, and a literal that is not a string', async () => {
    const { messages } = await compileWith(doc("    - { name: filter, in: querystring, value: { status: sold } }\n    - { name: status, in: query, value: sold }\n"));
    expect(messages.filter((m) => m.includes('ASFN1107'))).toEqual([
      'doc.arazzo.yml:13:5: error ASFN1107 step "find": operation findPetsByStatus takes its whole query string from a querystring parameter, which cannot be combined with query parameters (status) [querystring]',
      'doc.arazzo.yml:13:5: error ASFN1107 step "find": querystring parameter "filter" must be a string (the complete query string, such as "a=1&b=2") [querystring]',
    ]);
  });
});
