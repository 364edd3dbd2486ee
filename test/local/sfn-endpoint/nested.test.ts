import { join } from 'node:path';
import { DescribeExecutionCommand, ListExecutionsCommand, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSfnEndpoint, type SfnEndpoint } from '../../../local/sfn-endpoint/index.js';
import { mintCustomersToken, pageHistory, ROOT, sfnClient, tempDir, waitForEnd } from './support/endpoint-harness.js';

const machine = (name: string) => `arn:aws:states:us-east-1:000000000000:stateMachine:${name}`;

describe('nested executions of compiled workflows become executions of their own machines on the endpoint', () => {
  let endpoint: SfnEndpoint;
  let client: SFNClient;
  let tmp: Awaited<ReturnType<typeof tempDir>>;

  beforeAll(async () => {
    tmp = await tempDir();
    endpoint = await startSfnEndpoint({ dbFile: tmp.db, workflowFiles: [join(ROOT, 'test/fixtures/nested/onboarding.arazzo.yml')], sandbox: true, waitMs: 1, retryIntervalMs: 1 });
    await mintCustomersToken(endpoint, 'customers');
    client = sfnClient(endpoint);
  });
  afterAll(async () => {
    client?.destroy();
    await endpoint?.close();
    await tmp?.remove();
  });

  it('a workflow step: the child is listed under register-customer, linked to its parent, with its own history', async () => {
    expect(endpoint.stateMachines.map((m) => m.name).sort()).toEqual(['register-customer', 'register-with-fallback', 'verify-customer', 'verify-registered']);
    const input = { accessToken: 'secret:customers', firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', providerId: 'cmcicfr' };
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn: machine('verify-customer'), name: 'parent-1', input: JSON.stringify(input) }));
    const parent = await waitForEnd(client, executionArn!);
    expect(parent, parent.cause).toMatchObject({ status: 'SUCCEEDED' });

    const { events } = await pageHistory(client, executionArn!);
    const scheduled = events.find((e) => e.type === 'TaskScheduled')!.taskScheduledEventDetails!;
    expect(JSON.parse(scheduled.parameters!)).toMatchObject({ StateMachineArn: machine('register-customer') });
    const childArn = JSON.parse(events.find((e) => e.type === 'TaskSucceeded')!.taskSucceededEventDetails!.output!).ExecutionArn;
    expect(childArn).toMatch(/^arn:aws:states:us-east-1:000000000000:execution:register-customer:parent-1-register-customer-1$/);

    const listed = await client.send(new ListExecutionsCommand({ stateMachineArn: machine('register-customer') }));
    expect(listed.executions!.map((e) => [e.executionArn, e.status])).toEqual([[childArn, 'SUCCEEDED']]);
    const child = await client.send(new DescribeExecutionCommand({ executionArn: childArn }));
    expect(JSON.parse(child.input!)).toMatchObject({ firstName: 'Ada', AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: executionArn });
    expect(JSON.parse(child.output!)).toEqual({ customerId: JSON.parse(parent.output!).customerId });
    const childHistory = await pageHistory(client, childArn);
    expect(childHistory.events[0].executionStartedEventDetails!.roleArn).toBe('arn:aws:iam::000000000000:role/arazzo-sfn-local');
    expect(childHistory.events.at(-1)!.type).toBe('ExecutionSucceeded');
  });
});
