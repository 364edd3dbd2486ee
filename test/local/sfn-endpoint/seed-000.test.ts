import { CreateStateMachineCommand, DescribeExecutionCommand, DescribeStateMachineCommand, ListExecutionsCommand, ListStateMachinesCommand, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSfnEndpoint, type SfnEndpoint } from '../../../local/sfn-endpoint/index.js';
import { mintCustomersToken, pageHistory, seed000Input, sfnClient, tempDir, waitForEnd, WORKFLOWS_DIR } from './support/endpoint-harness.js';

const MACHINE = 'arn:aws:states:us-east-1:000000000000:stateMachine:customer-verification-poll';

/** An endpoint with the sandbox and seed 000's token for the tests of one describe, and the real SDK client pointed at it. */
function sandboxEndpoint(waitMs: number): { readonly client: SFNClient } {
  let endpoint: SfnEndpoint;
  let client: SFNClient;
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    tmp = await tempDir();
    endpoint = await startSfnEndpoint({ dbFile: tmp.db, workflowsDir: WORKFLOWS_DIR, sandbox: true, waitMs, retryIntervalMs: 1 });
    await mintCustomersToken(endpoint);
    client = sfnClient(endpoint);
  });
  afterAll(async () => {
    client?.destroy();
    await endpoint?.close();
    await tmp?.remove();
  });
  return {
    get client() {
      return client;
    },
  };
}

describe('the local Step Functions endpoint runs seed 000 for the real @aws-sdk/client-sfn', () => {
  const endpoint = sandboxEndpoint(1);

  it('pre-registers one state machine per workflow id of workflows/arazzo, with the compiled definition', async () => {
    const { stateMachines } = await endpoint.client.send(new ListStateMachinesCommand({}));
    expect(stateMachines!.map((m) => m.name).sort()).toEqual(['connectfi-kyc-async', 'connectfi-kyc-callback', 'customer-verification-poll', 'fintecture-payment-webhook', 'mbanq-verify-customer', 'token-then-payment']);
    expect(stateMachines!.find((m) => m.name === 'customer-verification-poll')).toMatchObject({ stateMachineArn: MACHINE, type: 'STANDARD' });
    expect(stateMachines![0].creationDate).toBeInstanceOf(Date);

    const described = await endpoint.client.send(new DescribeStateMachineCommand({ stateMachineArn: MACHINE }));
    expect(described).toMatchObject({ name: 'customer-verification-poll', status: 'ACTIVE', type: 'STANDARD', roleArn: 'arn:aws:iam::000000000000:role/arazzo-sfn-local' });
    const definition = JSON.parse(described.definition!);
    expect(definition.StartAt).toBe('Validate inputs');
    expect(definition.States.pollVerification).toMatchObject({ Type: 'Task' });
  });

  it('StartExecution returns at once; DescribeExecution polls to SUCCEEDED; the history pages through with ids, previousEventId and the AWS event sequence', async () => {
    const input = seed000Input('jane+pending3+verified@example.com');
    const started = await endpoint.client.send(new StartExecutionCommand({ stateMachineArn: MACHINE, name: 'seed-000-run-1', input: JSON.stringify(input) }));
    expect(started.executionArn).toBe('arn:aws:states:us-east-1:000000000000:execution:customer-verification-poll:seed-000-run-1');
    expect(started.startDate).toBeInstanceOf(Date);

    const described = await waitForEnd(endpoint.client, started.executionArn!);
    expect(described.status).toBe('SUCCEEDED');
    expect(described.stateMachineArn).toBe(MACHINE);
    expect(JSON.parse(described.input!)).toEqual(input);
    const output = JSON.parse(described.output!);
    expect(output).toEqual({ customerId: expect.stringMatching(/^cus_/), verificationId: expect.stringMatching(/^ver_/), finalStatus: 'verified' });
    expect(described.stopDate!.getTime()).toBeGreaterThanOrEqual(described.startDate!.getTime());

    const whole = await pageHistory(endpoint.client, started.executionArn!, { maxResults: 1000 });
    expect(whole.pages).toBe(1);
    const events = whole.events;
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));

    // Paged 7 at a time, the same events in the same order, every page full but the last.
    const paged = await pageHistory(endpoint.client, started.executionArn!, { maxResults: 7 });
    expect(paged.pages).toBe(Math.ceil(events.length / 7));
    expect(paged.pageSizes.slice(0, -1).every((n) => n === 7)).toBe(true);
    expect(paged.events).toEqual(events);
    const reversed = await pageHistory(endpoint.client, started.executionArn!, { maxResults: 5, reverseOrder: true });
    expect(reversed.events).toEqual([...events].reverse());

    expect(events.slice(0, 6).map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
    ]);
    expect(events[1].stateEnteredEventDetails!.name).toBe('Validate inputs');
    expect(events[2].lambdaFunctionScheduledEventDetails!.resource).toMatch(/^arn:aws:lambda:us-east-1:000000000000:function:arazzo-sfn-/);
    expect(events[0].executionStartedEventDetails).toMatchObject({ roleArn: 'arn:aws:iam::000000000000:role/arazzo-sfn-local' });
    expect(JSON.parse(events[0].executionStartedEventDetails!.input!)).toEqual(input);
    expect(events.at(-1)!.type).toBe('ExecutionSucceeded');
    expect(JSON.parse(events.at(-1)!.executionSucceededEventDetails!.output!)).toEqual(output);

    // Each event points at the one before it in this linear run; ExecutionStarted and the first state's entry at 0, as AWS writes them.
    expect(events[0].previousEventId).toBe(0);
    expect(events[1].previousEventId).toBe(0);
    for (const e of events.slice(2)) expect(e.previousEventId, `event ${e.id} ${e.type}`).toBe(e.id! - 1);

    const entered = events.filter((e) => e.stateEnteredEventDetails).map((e) => e.stateEnteredEventDetails!.name);
    expect(entered.filter((n) => n === 'pollVerification')).toHaveLength(4);
    expect(entered.filter((n) => n === 'pollVerification.wait')).toHaveLength(3);
    expect(entered.at(-1)).toBe('pollVerification.end');
    for (const e of events) expect(e.timestamp).toBeInstanceOf(Date);

    // Without execution data: the same events, no input or output in them.
    const dataless = await pageHistory(endpoint.client, started.executionArn!, { maxResults: 1000, includeExecutionData: false });
    expect(dataless.events.map((e) => e.type)).toEqual(events.map((e) => e.type));
    expect(dataless.events[0].executionStartedEventDetails).not.toHaveProperty('input');
    expect(dataless.events.at(-1)!.executionSucceededEventDetails).not.toHaveProperty('output');

    const listed = await endpoint.client.send(new ListExecutionsCommand({ stateMachineArn: MACHINE, statusFilter: 'SUCCEEDED' }));
    expect(listed.executions!.map((e) => e.executionArn)).toContain(started.executionArn);
  });

  it('a refused verification fails nothing: the execution routes to reportFailure and succeeds with failedStatus', async () => {
    const started = await endpoint.client.send(new StartExecutionCommand({ stateMachineArn: MACHINE, input: JSON.stringify(seed000Input('jane+pending1+failed@example.com')) }));
    // Without a name the endpoint names it, as the service does, with a UUID.
    expect(started.executionArn).toMatch(/:execution:customer-verification-poll:[0-9a-f-]{36}$/);
    const described = await waitForEnd(endpoint.client, started.executionArn!);
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output!)).toMatchObject({ failedStatus: 'failed' });
  });

  it('a workflow failure is FAILED with the Arazzo error and cause, in DescribeExecution and in ExecutionFailed', async () => {
    const started = await endpoint.client.send(new StartExecutionCommand({ stateMachineArn: MACHINE, input: JSON.stringify({ ...seed000Input('jane@example.com'), accessToken: 'secret:no-such-secret' }) }));
    const described = await waitForEnd(endpoint.client, started.executionArn!);
    expect(described.status).toBe('FAILED');
    expect(described.error).toMatch(/^Arazzo\./);
    expect(described.cause).toBeTruthy();
    const { events } = await pageHistory(endpoint.client, started.executionArn!);
    expect(events.at(-1)).toMatchObject({ type: 'ExecutionFailed', executionFailedEventDetails: { error: described.error, cause: described.cause } });
  });

  it('CreateStateMachine with the compiled definition under another name runs it as the compiled workflow', async () => {
    const { definition, roleArn } = await endpoint.client.send(new DescribeStateMachineCommand({ stateMachineArn: MACHINE }));
    // Key order and spacing do not matter: the same definition is the same workflow.
    const { stateMachineArn } = await endpoint.client.send(new CreateStateMachineCommand({ name: 'my-verification', definition: JSON.stringify(JSON.parse(definition!)), roleArn }));
    const started = await endpoint.client.send(new StartExecutionCommand({ stateMachineArn, name: 'copy-1', input: JSON.stringify(seed000Input('jane+verified@example.com')) }));
    expect(started.executionArn).toBe('arn:aws:states:us-east-1:000000000000:execution:my-verification:copy-1');
    const described = await waitForEnd(endpoint.client, started.executionArn!);
    expect(described, described.cause).toMatchObject({ status: 'SUCCEEDED', stateMachineArn });
    expect(JSON.parse(described.output!)).toMatchObject({ finalStatus: 'verified' });
  });
});

describe('the local endpoint streams the history of a running compiled workflow', () => {
  // Waits long enough to look at the execution between two polls.
  const endpoint = sandboxEndpoint(400);

  it('GetExecutionHistory while it runs shows the steps so far, and they are the start of the final history', async () => {
    const { executionArn } = await endpoint.client.send(
      new StartExecutionCommand({ stateMachineArn: MACHINE, name: 'seed-000-live', input: JSON.stringify(seed000Input('jane+pending2+verified@example.com')) }),
    );
    const entered = (events: { type?: string; stateEnteredEventDetails?: { name?: string } }[]) =>
      events.filter((e) => e.type?.endsWith('StateEntered')).map((e) => e.stateEnteredEventDetails!.name);
    // As on AWS: between two polls the history already holds the calls made and the Wait under way.
    let live: Awaited<ReturnType<typeof pageHistory>>['events'] = [];
    await expect
      .poll(async () => {
        live = (await pageHistory(endpoint.client, executionArn!)).events;
        return entered(live);
      }, { timeout: 10_000, interval: 50 })
      .toEqual(expect.arrayContaining(['createCustomer', 'startVerification', 'pollVerification', 'pollVerification.wait']));
    expect((await endpoint.client.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('RUNNING');
    expect(live.at(-1)?.type).not.toMatch(/^Execution(Succeeded|Failed|Aborted)$/);
    expect(live.map((e) => e.id)).toEqual(live.map((_, i) => i + 1));

    expect((await waitForEnd(endpoint.client, executionArn!)).status).toBe('SUCCEEDED');
    const final = (await pageHistory(endpoint.client, executionArn!)).events;
    expect(final.length).toBeGreaterThan(live.length);
    // What was shown while it ran is what the finished history says happened first.
    expect(entered(final).slice(0, entered(live).length)).toEqual(entered(live));
    expect(final.at(-1)?.type).toBe('ExecutionSucceeded');
  });
});
