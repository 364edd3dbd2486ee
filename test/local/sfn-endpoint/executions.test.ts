import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  InvalidToken,
  ListExecutionsCommand,
  StartExecutionCommand,
  StopExecutionCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSfnEndpoint, type SfnEndpoint } from '../../../local/sfn-endpoint/index.js';
import { pageHistory, sfnClient, tempDir, waitForEnd, WORKFLOWS_DIR } from './support/endpoint-harness.js';

const ROLE = 'arn:aws:iam::000000000000:role/test';
const HOLD = { StartAt: 'Hold', States: { Hold: { Type: 'Wait', Seconds: 60, Next: 'Done' }, Done: { Type: 'Succeed' } } };
/** seed 000's workflow function, called by ARN from a hand-written definition. */
const VALIDATE_FUNCTION = 'arn:aws:lambda:us-east-1:000000000000:function:arazzo-sfn-customer-verification-poll-workflow';

describe('executions on the endpoint: stop, list, live history, and definitions not compiled from Arazzo', () => {
  let endpoint: SfnEndpoint;
  let client: SFNClient;
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  const create = async (name: string, definition: object) =>
    (await client.send(new CreateStateMachineCommand({ name, definition: JSON.stringify(definition), roleArn: ROLE }))).stateMachineArn!;

  beforeAll(async () => {
    tmp = await tempDir();
    endpoint = await startSfnEndpoint({ dbFile: tmp.db, workflowsDir: WORKFLOWS_DIR });
    client = sfnClient(endpoint);
  });
  afterAll(async () => {
    client?.destroy();
    await endpoint?.close();
    await tmp?.remove();
  });

  it('StopExecution aborts a running execution: ABORTED with its error and cause, the history ends with ExecutionAborted', async () => {
    const stateMachineArn = await create('stoppable', HOLD);
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn, name: 'to-stop', input: '{"k":"v"}' }));
    // While it runs, the history already shows where it is (the definition runner streams it).
    await expect.poll(async () => (await client.send(new GetExecutionHistoryCommand({ executionArn }))).events!.map((e) => e.type)).toEqual(['ExecutionStarted', 'WaitStateEntered']);
    expect((await client.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('RUNNING');

    const { stopDate } = await client.send(new StopExecutionCommand({ executionArn, error: 'Operator.Cancelled', cause: 'not needed any more' }));
    expect(stopDate).toBeInstanceOf(Date);
    const described = await client.send(new DescribeExecutionCommand({ executionArn }));
    expect(described).toMatchObject({ status: 'ABORTED', error: 'Operator.Cancelled', cause: 'not needed any more' });
    expect(described.stopDate).toEqual(stopDate);
    expect(described).not.toHaveProperty('output');
    const { events } = await pageHistory(client, executionArn!);
    expect(events.map((e) => e.type)).toEqual(['ExecutionStarted', 'WaitStateEntered', 'ExecutionAborted']);
    expect(events.at(-1)).toMatchObject({ id: 3, previousEventId: 0, executionAbortedEventDetails: { error: 'Operator.Cancelled', cause: 'not needed any more' } });

    // Stopping it again changes nothing.
    const again = await client.send(new StopExecutionCommand({ executionArn }));
    expect(again.stopDate).toEqual(stopDate);
  });

  it("$$.State.EnteredTime: a Pass reads the time it was entered (AWS fills it; the engine does not, the worker adds it), as a timed step's Pass stamps its start", async () => {
    const stamps = {
      StartAt: 'First',
      States: {
        First: { Type: 'Pass', Parameters: { 'at.$': '$$.State.EnteredTime' }, ResultPath: '$.first', Next: 'Pause' },
        Pause: { Type: 'Wait', Seconds: 1, Next: 'Second' },
        Second: { Type: 'Pass', Parameters: { 'at.$': '$$.State.EnteredTime' }, ResultPath: '$.second', End: true },
      },
    };
    const stateMachineArn = await create('entered-time', stamps);
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn, input: '{}' }));
    const ended = await waitForEnd(client, executionArn!);
    expect(ended.status).toBe('SUCCEEDED');
    const output = JSON.parse(ended.output!) as { first: { at: string }; second: { at: string } };
    const [first, second] = [Date.parse(output.first.at), Date.parse(output.second.at)];
    // ISO 8601 times within the execution, one Wait of a second apart: each is its own Pass's entry, not the execution's start.
    expect(output.first.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(first).toBeGreaterThanOrEqual(ended.startDate!.getTime());
    expect(second - first).toBeGreaterThanOrEqual(900);
    expect(second).toBeLessThanOrEqual(ended.stopDate!.getTime());
  });

  it('ListExecutions: newest first, statusFilter, pages of maxResults with nextToken, a token only for the listing it came from', async () => {
    const mixed = await create('list-mixed', { StartAt: 'Route', States: { Route: { Type: 'Choice', Choices: [{ Variable: '$.hold', BooleanEquals: true, Next: 'Hold' }], Default: 'Done' }, Hold: { Type: 'Wait', Seconds: 60, Next: 'Done' }, Done: { Type: 'Succeed' } } });
    const arns: string[] = [];
    for (const [i, hold] of [false, true, false, true, false, true].entries()) {
      arns.push((await client.send(new StartExecutionCommand({ stateMachineArn: mixed, name: `run-${i}`, input: JSON.stringify({ hold }) }))).executionArn!);
    }
    for (const arn of [arns[0], arns[2], arns[4]]) expect((await waitForEnd(client, arn)).status).toBe('SUCCEEDED');
    await client.send(new StopExecutionCommand({ executionArn: arns[5] }));

    const all = await client.send(new ListExecutionsCommand({ stateMachineArn: mixed }));
    expect(all.executions!.map((e) => e.name)).toEqual(['run-5', 'run-4', 'run-3', 'run-2', 'run-1', 'run-0']);
    expect(all.nextToken).toBeUndefined();
    expect(all.executions![0]).toMatchObject({ executionArn: arns[5], stateMachineArn: mixed, status: 'ABORTED' });
    expect(all.executions![0].startDate).toBeInstanceOf(Date);

    const names = async (statusFilter: 'RUNNING' | 'SUCCEEDED' | 'ABORTED' | 'FAILED') =>
      (await client.send(new ListExecutionsCommand({ stateMachineArn: mixed, statusFilter }))).executions!.map((e) => e.name);
    expect(await names('RUNNING')).toEqual(['run-3', 'run-1']);
    expect(await names('SUCCEEDED')).toEqual(['run-4', 'run-2', 'run-0']);
    expect(await names('ABORTED')).toEqual(['run-5']);
    expect(await names('FAILED')).toEqual([]);

    const pages: string[][] = [];
    let nextToken: string | undefined;
    do {
      const page = await client.send(new ListExecutionsCommand({ stateMachineArn: mixed, maxResults: 4, nextToken }));
      pages.push(page.executions!.map((e) => e.name!));
      nextToken = page.nextToken;
    } while (nextToken);
    expect(pages).toEqual([
      ['run-5', 'run-4', 'run-3', 'run-2'],
      ['run-1', 'run-0'],
    ]);

    const first = await client.send(new ListExecutionsCommand({ stateMachineArn: mixed, statusFilter: 'SUCCEEDED', maxResults: 1 }));
    expect(first.nextToken).toBeTruthy();
    await expect(client.send(new ListExecutionsCommand({ stateMachineArn: mixed, statusFilter: 'RUNNING', nextToken: first.nextToken }))).rejects.toBeInstanceOf(InvalidToken);
    const second = await client.send(new ListExecutionsCommand({ stateMachineArn: mixed, statusFilter: 'SUCCEEDED', maxResults: 1, nextToken: first.nextToken }));
    expect(second.executions!.map((e) => e.name)).toEqual(['run-2']);

    for (const arn of [arns[1], arns[3]]) await client.send(new StopExecutionCommand({ executionArn: arn }));
  });

  it('GetExecutionHistory pages the same events forward and backward, and refuses a token of another execution or order', async () => {
    const stateMachineArn = await create('steps', {
      StartAt: 'A',
      States: { A: { Type: 'Pass', Next: 'B' }, B: { Type: 'Pass', Next: 'C' }, C: { Type: 'Pass', Result: { done: true }, End: true } },
    });
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn, input: '{}' }));
    await waitForEnd(client, executionArn!);
    const whole = await pageHistory(client, executionArn!);
    expect(whole.events.map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'PassStateEntered',
      'PassStateExited',
      'PassStateEntered',
      'PassStateExited',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
    expect(whole.events.map((e) => e.previousEventId)).toEqual([0, 0, 2, 3, 4, 5, 6, 7]);
    const forward = await pageHistory(client, executionArn!, { maxResults: 3 });
    expect(forward.pageSizes).toEqual([3, 3, 2]);
    expect(forward.events).toEqual(whole.events);
    const backward = await pageHistory(client, executionArn!, { maxResults: 3, reverseOrder: true });
    expect(backward.events.map((e) => e.id)).toEqual([8, 7, 6, 5, 4, 3, 2, 1]);

    const page = await client.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 3 }));
    await expect(client.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 3, reverseOrder: true, nextToken: page.nextToken }))).rejects.toBeInstanceOf(InvalidToken);
  });

  it('a hand-written definition runs when its Tasks are functions of the compiled workflows (here seed 000 input validation)', async () => {
    const stateMachineArn = await create('validate-only', {
      StartAt: 'Check',
      States: { Check: { Type: 'Task', Resource: VALIDATE_FUNCTION, Parameters: { workflow: 'customer-verification-poll', 'inputs.$': '$' }, End: true } },
    });
    const good = { accessToken: 'secret:t', firstName: 'Jane', lastName: 'Doe', email: 'jane@example.com', providerId: 'p', expectedName: 'Jane Doe' };
    const ok = await client.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(good) }));
    const okEnd = await waitForEnd(client, ok.executionArn!);
    expect(okEnd.status).toBe('SUCCEEDED');
    expect(JSON.parse(okEnd.output!)).toMatchObject({ inputs: good });
    const { events } = await pageHistory(client, ok.executionArn!);
    expect(events.map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
    expect(events[2].lambdaFunctionScheduledEventDetails!.resource).toBe(VALIDATE_FUNCTION);

    const bad = await client.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify({ firstName: 'Jane' }) }));
    const badEnd = await waitForEnd(client, bad.executionArn!);
    expect(badEnd).toMatchObject({ status: 'FAILED', error: 'Arazzo.InvalidInputs' });
    expect(badEnd.cause).toMatch(/accessToken/);
  });

  it('states:startExecution.sync:2 starts a nested execution on the endpoint: its own ARN, listed under its machine, its output back in the parent', async () => {
    const child = await create('child', { StartAt: 'Shape', States: { Shape: { Type: 'Pass', Parameters: { 'doubled.$': 'States.MathAdd($.n, $.n)' }, End: true } } });
    const parent = await create('parent', {
      StartAt: 'Run child',
      States: {
        'Run child': {
          Type: 'Task',
          Resource: 'arn:aws:states:::states:startExecution.sync:2',
          Parameters: { StateMachineArn: child, 'Name.$': "States.Format('{}-child', $$.Execution.Name)", 'Input.$': '$' },
          ResultSelector: { 'output.$': '$.Output', 'child.$': '$.ExecutionArn' },
          End: true,
        },
      },
    });
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn: parent, name: 'p1', input: '{"n":21}' }));
    const described = await waitForEnd(client, executionArn!);
    expect(described.status).toBe('SUCCEEDED');
    const childArn = 'arn:aws:states:us-east-1:000000000000:execution:child:p1-child';
    expect(JSON.parse(described.output!)).toEqual({ output: { doubled: 42 }, child: childArn });
    const listed = await client.send(new ListExecutionsCommand({ stateMachineArn: child }));
    expect(listed.executions!.map((e) => [e.executionArn, e.status])).toEqual([[childArn, 'SUCCEEDED']]);
    expect(JSON.parse((await client.send(new DescribeExecutionCommand({ executionArn: childArn }))).input!)).toEqual({ n: 21 });
  });
});
