import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  StopExecutionCommand,
  TaskTimedOut,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSfnEndpoint, type SfnEndpoint } from '../../../local/sfn-endpoint/index.js';
import { awsStepFunctions, debianAwsCli } from './support/debian-aws-cli.js';
import { pageHistory, sfnClient, tempDir, waitForEnd } from './support/endpoint-harness.js';

const OPENAPI = `openapi: 3.1.0
info: { title: kyc, version: '1' }
servers: [{ url: http://unused.example }]
paths:
  /kyc/init:
    post:
      operationId: initKyc
      requestBody:
        required: true
        content:
          application/json:
            schema: { type: object, properties: { customerId: { type: string }, webhookURL: { type: string } } }
      responses: { '200': { description: started } }
`;
// A callback step with no onTimeout: the Task waits for its token, and a failure sent for it fails the step.
const ARAZZO = `arazzo: 1.0.1
info: { title: kyc, version: '1' }
sourceDescriptions: [{ name: kyc, url: ./kyc.openapi.yml, type: openapi }]
workflows:
- workflowId: kyc-by-token
  inputs: { type: object, required: [customerId], properties: { customerId: { type: string } } }
  steps:
  - stepId: startKyc
    operationId: initKyc
    requestBody:
      contentType: application/json
      payload: { customerId: $inputs.customerId, webhookURL: set-by-the-handler }
    x-arazzo-sfn-callback:
      urlTarget: /webhookURL
      statusPointer: /data/kycStatus
      pending: [PENDING]
      heartbeatSeconds: 30
      timeoutSeconds: 60
    outputs:
      status: $response.body#/data/kycStatus
  outputs:
    status: $steps.startKyc.outputs.status
`;
const MACHINE = 'arn:aws:states:us-east-1:000000000000:stateMachine:kyc-by-token';

const cli = await debianAwsCli();
if ('skip' in cli) console.warn(`send-task.test.ts: the AWS CLI case is skipped: ${cli.skip}`);

describe('SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat resume callback steps through the local task tokens', () => {
  let endpoint: SfnEndpoint;
  let client: SFNClient;
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let provider: Server;
  const kycStarts: string[] = [];

  beforeAll(async () => {
    tmp = await tempDir();
    // A provider that takes the KYC start and never calls back: the token is answered through the API instead.
    provider = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        kycStarts.push(JSON.parse(body).customerId);
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ data: { kycStatus: 'PENDING' } }));
      });
    });
    await new Promise<void>((r) => provider.listen(0, '127.0.0.1', r));
    const docs = join(tmp.dir, 'docs');
    await mkdir(docs);
    await writeFile(join(docs, 'kyc.openapi.yml'), OPENAPI);
    await writeFile(join(docs, 'kyc.arazzo.yml'), ARAZZO);
    endpoint = await startSfnEndpoint({
      dbFile: tmp.db,
      workflowsDir: docs,
      serverUrls: { kyc: `http://127.0.0.1:${(provider.address() as AddressInfo).port}` },
    });
    client = sfnClient(endpoint);
  });
  afterAll(async () => {
    client?.destroy();
    await endpoint?.close();
    await new Promise((r) => provider?.close(r));
    await tmp?.remove();
  });

  /** Starts an execution and waits until its callback step holds a token. */
  async function startWaiting(customerId: string): Promise<{ executionArn: string; token: string }> {
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn: MACHINE, input: JSON.stringify({ customerId }) }));
    await expect.poll(() => endpoint.openTaskTokens(executionArn), { timeout: 10_000 }).toHaveLength(1);
    // The token is issued before the provider is called (a provider may call back before it answers).
    await expect.poll(() => kycStarts).toContain(customerId);
    return { executionArn: executionArn!, token: endpoint.openTaskTokens(executionArn)[0] };
  }

  it('SendTaskHeartbeat keeps it waiting; SendTaskSuccess resumes the Task with the output sent; the token is then spent (TaskTimedOut)', async () => {
    const { executionArn, token } = await startWaiting('cust-ok');
    await client.send(new SendTaskHeartbeatCommand({ taskToken: token }));
    // What the webhook receiver would send: the step's result (StepResult), the workflow outputs included as the step ends the workflow.
    const result = { statusCode: 200, outcome: 'success', outputs: { status: 'APPROVED' }, visits: 1, workflowOutputs: { status: 'APPROVED' } };
    await client.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(result) }));
    const described = await waitForEnd(client, executionArn);
    expect(described, `${described.error}: ${described.cause}`).toMatchObject({ status: 'SUCCEEDED' });
    expect(JSON.parse(described.output!)).toEqual({ status: 'APPROVED' });
    const { events } = await pageHistory(client, executionArn);
    expect(events.map((e) => e.type)).toContain('TaskSucceeded');
    expect(events.at(-1)!.type).toBe('ExecutionSucceeded');

    await expect(client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' }))).rejects.toBeInstanceOf(TaskTimedOut);
    expect(endpoint.openTaskTokens(executionArn)).toEqual([]);
  });

  it('SendTaskSuccess with output that is not JSON is InvalidOutput and leaves the Task waiting', async () => {
    const { executionArn, token } = await startWaiting('cust-bad-output');
    await expect(client.send(new SendTaskSuccessCommand({ taskToken: token, output: 'not json' }))).rejects.toMatchObject({ name: 'InvalidOutput' });
    expect(endpoint.openTaskTokens(executionArn)).toEqual([token]);
    await client.send(new StopExecutionCommand({ executionArn }));
  });

  it('SendTaskFailure fails the Task with the error and cause sent: the step fails and so does the execution', async () => {
    const { executionArn, token } = await startWaiting('cust-declined');
    await client.send(new SendTaskFailureCommand({ taskToken: token, error: 'Kyc.Declined', cause: 'the provider declined the customer' }));
    const described = await waitForEnd(client, executionArn);
    expect(described.status).toBe('FAILED');
    const { events } = await pageHistory(client, executionArn);
    expect(events.find((e) => e.type === 'TaskFailed')!.taskFailedEventDetails).toMatchObject({ error: 'Kyc.Declined', cause: 'the provider declined the customer' });
  });

  it('StopExecution while the Task waits releases its token: a late SendTaskSuccess is TaskTimedOut, as on AWS', async () => {
    const { executionArn, token } = await startWaiting('cust-stopped');
    await client.send(new StopExecutionCommand({ executionArn }));
    expect((await waitForEnd(client, executionArn)).status).toBe('ABORTED');
    expect(endpoint.openTaskTokens(executionArn)).toEqual([]);
    await expect(client.send(new SendTaskHeartbeatCommand({ taskToken: token }))).rejects.toBeInstanceOf(TaskTimedOut);
  });

  it.skipIf('skip' in cli)('with the AWS CLI only: start-execution, the token read from get-execution-history (TaskScheduled parameters), send-task-success', async () => {
    const aws = awsStepFunctions(cli as { path: string }, endpoint, tmp.dir);
    const { executionArn } = await aws(['start-execution', '--state-machine-arn', MACHINE, '--input', JSON.stringify({ customerId: 'cust-cli' })]);
    // As AWS writes a waiting callback Task: TaskScheduled (parameters with the token), TaskStarted, TaskSubmitted.
    let waiting: any[] = [];
    await expect
      .poll(async () => ((waiting = (await aws(['get-execution-history', '--execution-arn', executionArn])).events), waiting.at(-1)?.type), { timeout: 20_000, interval: 300 })
      .toBe('TaskSubmitted');
    expect(waiting.slice(-4).map((e) => e.type)).toEqual(['TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSubmitted']);
    const scheduled = waiting.at(-3).taskScheduledEventDetails;
    expect(scheduled).toMatchObject({ resourceType: 'lambda', resource: 'invoke.waitForTaskToken', region: 'us-east-1' });
    const token = JSON.parse(scheduled.parameters).Payload.taskToken;
    expect(endpoint.openTaskTokens(executionArn)).toEqual([token]);
    expect(JSON.parse(waiting.at(-1).taskSubmittedEventDetails.output)).toMatchObject({ StatusCode: 200 });

    const result = { statusCode: 200, outcome: 'success', outputs: { status: 'APPROVED' }, visits: 1, workflowOutputs: { status: 'APPROVED' } };
    await aws(['send-task-success', '--task-token', token, '--task-output', JSON.stringify(result)]);
    await waitForEnd(client, executionArn);
    const described = await aws(['describe-execution', '--execution-arn', executionArn]);
    expect(described.status).toBe('SUCCEEDED');
    const { events } = await aws(['get-execution-history', '--execution-arn', executionArn]);
    const types = events.map((e: any) => e.type);
    expect(types.slice(types.indexOf('TaskScheduled'), types.indexOf('TaskSucceeded') + 1)).toEqual(['TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskSucceeded']);
    expect(JSON.parse(events.find((e: any) => e.type === 'TaskScheduled').taskScheduledEventDetails.parameters).Payload.taskToken).toBe(token);
  }, 90_000);
});
