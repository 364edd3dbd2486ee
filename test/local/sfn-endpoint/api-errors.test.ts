import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  InvalidArn,
  ListExecutionsCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  StopExecutionCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSfnEndpoint, type SfnEndpoint } from '../../../local/sfn-endpoint/index.js';
import { pageHistory, sfnClient, tempDir, waitForEnd, WORKFLOWS_DIR } from './support/endpoint-harness.js';

const ROLE = 'arn:aws:iam::000000000000:role/test';
const PASS = JSON.stringify({ StartAt: 'Echo', States: { Echo: { Type: 'Pass', End: true } } });
const WAIT = JSON.stringify({ StartAt: 'Hold', States: { Hold: { Type: 'Wait', Seconds: 60, Next: 'Done' }, Done: { Type: 'Succeed' } } });

/** What a rejected call must look like to the SDK: its own exception class, HTTP 400. */
async function rejection(promise: Promise<unknown>): Promise<Error & { name: string; $metadata: { httpStatusCode?: number }; message: string }> {
  try {
    await promise;
  } catch (err) {
    return err as never;
  }
  throw new Error('the call succeeded');
}

describe('the endpoint answers with the Step Functions error shapes', () => {
  let endpoint: SfnEndpoint;
  let client: SFNClient;
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let echo: string;
  let hold: string;

  beforeAll(async () => {
    tmp = await tempDir();
    endpoint = await startSfnEndpoint({ dbFile: tmp.db, workflowsDir: WORKFLOWS_DIR });
    client = sfnClient(endpoint);
    echo = (await client.send(new CreateStateMachineCommand({ name: 'echo', definition: PASS, roleArn: ROLE }))).stateMachineArn!;
    hold = (await client.send(new CreateStateMachineCommand({ name: 'hold', definition: WAIT, roleArn: ROLE }))).stateMachineArn!;
  });
  afterAll(async () => {
    client?.destroy();
    await endpoint?.close();
    await tmp?.remove();
  });

  it('an unknown execution ARN is ExecutionDoesNotExist, for every execution operation', async () => {
    const executionArn = 'arn:aws:states:us-east-1:000000000000:execution:echo:never-started';
    const described = await rejection(client.send(new DescribeExecutionCommand({ executionArn })));
    expect(described).toBeInstanceOf(ExecutionDoesNotExist);
    expect(described.$metadata.httpStatusCode).toBe(400);
    expect(described.message).toBe(`Execution Does Not Exist: '${executionArn}'`);
    expect((await rejection(client.send(new GetExecutionHistoryCommand({ executionArn })))).name).toBe('ExecutionDoesNotExist');
    expect((await rejection(client.send(new StopExecutionCommand({ executionArn })))).name).toBe('ExecutionDoesNotExist');
  });

  it('a malformed ARN, or one of another resource type, is InvalidArn', async () => {
    const malformed = await rejection(client.send(new DescribeExecutionCommand({ executionArn: 'not-an-arn' })));
    expect(malformed).toBeInstanceOf(InvalidArn);
    expect(malformed.message).toMatch(/^Invalid Arn: /);
    expect((await rejection(client.send(new DescribeExecutionCommand({ executionArn: echo })))).name).toBe('InvalidArn');
    expect((await rejection(client.send(new DescribeStateMachineCommand({ stateMachineArn: 'arn:aws:states:us-east-1:000000000000:execution:echo:x' })))).name).toBe('InvalidArn');
    expect((await rejection(client.send(new StartExecutionCommand({ stateMachineArn: 'arn:aws:lambda:us-east-1:000000000000:function:f' })))).name).toBe('InvalidArn');
  });

  it('an unknown state machine is StateMachineDoesNotExist', async () => {
    const stateMachineArn = 'arn:aws:states:us-east-1:000000000000:stateMachine:no-such-machine';
    const err = await rejection(client.send(new StartExecutionCommand({ stateMachineArn })));
    expect(err.name).toBe('StateMachineDoesNotExist');
    expect(err.message).toBe(`State Machine Does Not Exist: '${stateMachineArn}'`);
    expect((await rejection(client.send(new ListExecutionsCommand({ stateMachineArn })))).name).toBe('StateMachineDoesNotExist');
  });

  it('StartExecution with a name already used and another input is ExecutionAlreadyExists; the same input while it runs returns the same execution', async () => {
    const first = await client.send(new StartExecutionCommand({ stateMachineArn: echo, name: 'once', input: '{"n":1}' }));
    await waitForEnd(client, first.executionArn!);
    const again = await rejection(client.send(new StartExecutionCommand({ stateMachineArn: echo, name: 'once', input: '{"n":2}' })));
    expect(again).toBeInstanceOf(ExecutionAlreadyExists);
    expect(again.message).toBe(`Execution Already Exists: '${first.executionArn}'`);
    // A closed execution's name stays taken even with the same input.
    expect((await rejection(client.send(new StartExecutionCommand({ stateMachineArn: echo, name: 'once', input: '{"n":1}' })))).name).toBe('ExecutionAlreadyExists');

    const running = await client.send(new StartExecutionCommand({ stateMachineArn: hold, name: 'idempotent', input: '{"a":1}' }));
    const repeated = await client.send(new StartExecutionCommand({ stateMachineArn: hold, name: 'idempotent', input: '{"a":1}' }));
    expect(repeated.executionArn).toBe(running.executionArn);
    expect(repeated.startDate).toEqual(running.startDate);
    expect((await rejection(client.send(new StartExecutionCommand({ stateMachineArn: hold, name: 'idempotent', input: '{"a":2}' })))).name).toBe('ExecutionAlreadyExists');
    await client.send(new StopExecutionCommand({ executionArn: running.executionArn }));
  });

  it('bad members are ValidationException, InvalidName or InvalidExecutionInput, worded as the service words them', async () => {
    const tooMany = await rejection(client.send(new ListExecutionsCommand({ stateMachineArn: echo, maxResults: 5000 })));
    expect(tooMany.name).toBe('ValidationException');
    expect(tooMany.message).toBe("1 validation error detected: Value '5000' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000");
    expect((await rejection(client.send(new StartExecutionCommand({ stateMachineArn: echo, name: 'has space' })))).name).toBe('InvalidName');
    expect((await rejection(client.send(new StartExecutionCommand({ stateMachineArn: echo, input: '{not json' })))).name).toBe('InvalidExecutionInput');
    expect((await rejection(client.send(new ListExecutionsCommand({ stateMachineArn: echo, nextToken: 'bm90LWEtdG9rZW4' })))).name).toBe('InvalidToken');
  });

  it('CreateStateMachine: InvalidDefinition for bad JSON or ASL, StateMachineAlreadyExists for another definition or type under a taken name, idempotent for the same one', async () => {
    expect((await rejection(client.send(new CreateStateMachineCommand({ name: 'broken', definition: '{', roleArn: ROLE })))).name).toBe('InvalidDefinition');
    const noStart = await rejection(client.send(new CreateStateMachineCommand({ name: 'broken', definition: JSON.stringify({ States: {} }), roleArn: ROLE })));
    expect(noStart.name).toBe('InvalidDefinition');
    expect(noStart.message).toMatch(/^Invalid State Machine Definition: /);
    expect((await rejection(client.send(new CreateStateMachineCommand({ name: 'echo', definition: WAIT, roleArn: ROLE })))).name).toBe('StateMachineAlreadyExists');
    const same = await client.send(new CreateStateMachineCommand({ name: 'echo', definition: JSON.stringify(JSON.parse(PASS), null, 4), roleArn: ROLE }));
    expect(same.stateMachineArn).toBe(echo);
    expect((await rejection(client.send(new CreateStateMachineCommand({ name: 'bad/name', definition: PASS, roleArn: ROLE })))).name).toBe('InvalidName');
    // An EXPRESS machine of the same name and definition is another machine: the name is taken.
    expect((await rejection(client.send(new CreateStateMachineCommand({ name: 'echo', definition: PASS, roleArn: ROLE, type: 'EXPRESS' })))).name).toBe('StateMachineAlreadyExists');
  });

  it('SendTask*: a malformed token is InvalidToken, a well-formed token nobody issued is TaskDoesNotExist', async () => {
    const forged = 'local-task-token-00000000-0000-4000-8000-000000000000';
    expect((await rejection(client.send(new SendTaskSuccessCommand({ taskToken: 'garbage', output: '{}' })))).name).toBe('InvalidToken');
    expect((await rejection(client.send(new SendTaskSuccessCommand({ taskToken: forged, output: '{}' })))).name).toBe('TaskDoesNotExist');
    expect((await rejection(client.send(new SendTaskFailureCommand({ taskToken: forged, error: 'E' })))).name).toBe('TaskDoesNotExist');
    expect((await rejection(client.send(new SendTaskHeartbeatCommand({ taskToken: forged })))).name).toBe('TaskDoesNotExist');
  });

  it('speaks AWS JSON 1.0 on the wire: __type and message, application/x-amz-json-1.0; an unknown target is UnknownOperationException', async () => {
    const call = (target: string, body: string) =>
      fetch(endpoint.url, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': target }, body });
    const missing = await call('AWSStepFunctions.DescribeExecution', '{}');
    expect(missing.status).toBe(400);
    expect(missing.headers.get('content-type')).toBe('application/x-amz-json-1.0');
    expect(await missing.json()).toEqual({
      __type: 'com.amazon.coral.validate#ValidationException',
      message: "1 validation error detected: Value null at 'executionArn' failed to satisfy constraint: Member must not be null",
    });
    const unknown = await call('AWSStepFunctions.DeleteEverything', '{}');
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { __type: string }).__type).toBe('com.amazon.coral.service#UnknownOperationException');
    const notJson = await call('AWSStepFunctions.ListStateMachines', '{');
    expect(((await notJson.json()) as { __type: string }).__type).toBe('com.amazon.coral.service#SerializationException');
    const ok = await call('AWSStepFunctions.DescribeStateMachine', JSON.stringify({ stateMachineArn: echo }));
    const body = (await ok.json()) as { creationDate: number; definition: string };
    expect(ok.status).toBe(200);
    // Epoch seconds, as the service sends timestamps in this protocol.
    expect(body.creationDate).toBeGreaterThan(1.5e9);
    expect(body.creationDate).toBeLessThan(1e11);
    expect(body.definition).toBe(PASS);
  });

  it('a definition not compiled from Arazzo whose Task the endpoint cannot run fails its execution at once with a clear error, calling nothing', async () => {
    const definition = JSON.stringify({
      StartAt: 'Before',
      States: {
        Before: { Type: 'Pass', Next: 'Remote' },
        Remote: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:000000000000:function:somebody-elses-function', End: true },
      },
    });
    const stateMachineArn = (await client.send(new CreateStateMachineCommand({ name: 'foreign-task', definition, roleArn: ROLE }))).stateMachineArn!;
    const started = await client.send(new StartExecutionCommand({ stateMachineArn }));
    const described = await waitForEnd(client, started.executionArn!);
    expect(described.status).toBe('FAILED');
    expect(described.error).toBe('ArazzoSfn.UnsupportedTask');
    expect(described.cause).toContain('"Remote" (arn:aws:lambda:us-east-1:000000000000:function:somebody-elses-function)');
    const { events } = await pageHistory(client, started.executionArn!);
    expect(events.map((e) => [e.type, e.id, e.previousEventId])).toEqual([
      ['ExecutionStarted', 1, 0],
      ['ExecutionFailed', 2, 1],
    ]);
    expect(events[1].executionFailedEventDetails).toEqual({ error: 'ArazzoSfn.UnsupportedTask', cause: described.cause });
  });
});
