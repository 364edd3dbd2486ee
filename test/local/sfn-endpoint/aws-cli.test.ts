import type { SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSfnEndpoint, type SfnEndpoint } from '../../../local/sfn-endpoint/index.js';
import { awsStepFunctions, debianAwsCli } from './support/debian-aws-cli.js';
import { mintCustomersToken, pageHistory, seed000Input, sfnClient, tempDir, waitForEnd, WORKFLOWS_DIR } from './support/endpoint-harness.js';

const MACHINE = 'arn:aws:states:us-east-1:000000000000:stateMachine:customer-verification-poll';

const cli = await debianAwsCli();
if ('skip' in cli) console.warn(`aws-cli.test.ts skipped: ${cli.skip}`);

describe.skipIf('skip' in cli)(`the AWS CLI (Debian's awscli${'version' in cli ? `, ${cli.version}` : ''}) against the endpoint with --endpoint-url`, () => {
  let endpoint: SfnEndpoint;
  let client: SFNClient;
  let tmp: Awaited<ReturnType<typeof tempDir>>;

  let aws: (args: string[]) => Promise<any>;

  beforeAll(async () => {
    tmp = await tempDir();
    endpoint = await startSfnEndpoint({ dbFile: tmp.db, workflowsDir: WORKFLOWS_DIR, sandbox: true, waitMs: 1, retryIntervalMs: 1 });
    await mintCustomersToken(endpoint);
    client = sfnClient(endpoint);
    aws = awsStepFunctions(cli as { path: string }, endpoint, tmp.dir);
  });
  afterAll(async () => {
    client?.destroy();
    await endpoint?.close();
    await tmp?.remove();
  });

  it('start-execution runs seed 000; describe-execution reports SUCCEEDED; get-execution-history pages through nextToken to the same events the SDK reads', async () => {
    const input = seed000Input('jane+pending2+verified@example.com');
    const started = await aws(['start-execution', '--state-machine-arn', MACHINE, '--name', 'from-the-cli', '--input', JSON.stringify(input)]);
    expect(started.executionArn).toBe('arn:aws:states:us-east-1:000000000000:execution:customer-verification-poll:from-the-cli');
    expect(Number.isNaN(Date.parse(started.startDate))).toBe(false);

    // Each CLI call starts a Python process: wait with the SDK, then read the end with the CLI.
    await waitForEnd(client, started.executionArn);
    const described = await aws(['describe-execution', '--execution-arn', started.executionArn]);
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output)).toMatchObject({ finalStatus: 'verified' });

    // --page-size 5: the CLI follows nextToken itself, one request per 5 events.
    const history = await aws(['get-execution-history', '--execution-arn', started.executionArn, '--page-size', '5']);
    const sdk = (await pageHistory(client, started.executionArn)).events;
    expect(history.events.length).toBe(sdk.length);
    expect(history.events.length).toBeGreaterThan(5);
    expect(history.events.map((e: any) => [e.id, e.previousEventId, e.type])).toEqual(sdk.map((e) => [e.id, e.previousEventId, e.type]));
    expect(history.events[0].type).toBe('ExecutionStarted');
    expect(history.events.at(-1).type).toBe('ExecutionSucceeded');
    expect(Date.parse(history.events[0].timestamp)).toBe(sdk[0].timestamp!.getTime());

    const newest = await aws(['get-execution-history', '--execution-arn', started.executionArn, '--reverse-order', '--max-items', '3']);
    expect(newest.events.map((e: any) => e.id)).toEqual([sdk.length, sdk.length - 1, sdk.length - 2]);
    expect(newest.NextToken).toBeTruthy();
  }, 90_000);

  it('an error comes back as the CLI prints service errors: exit 254, "An error occurred (ExecutionDoesNotExist)"', async () => {
    const missing = 'arn:aws:states:us-east-1:000000000000:execution:customer-verification-poll:not-there';
    const failure = await aws(['describe-execution', '--execution-arn', missing]).then(
      () => undefined,
      (err: { code: number; stderr: string }) => err,
    );
    expect(failure?.code).toBe(254);
    expect(failure?.stderr).toContain(`An error occurred (ExecutionDoesNotExist) when calling the DescribeExecution operation: Execution Does Not Exist: '${missing}'`);
  }, 60_000);

  it('create-state-machine, update-state-machine, tag-resource, list-tags-for-resource, untag-resource and delete-state-machine', async () => {
    const definition = (result: string) => JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Pass', Result: result, End: true } } });
    const role = 'arn:aws:iam::000000000000:role/cli';
    const { stateMachineArn } = await aws(['create-state-machine', '--name', 'cli-made', '--definition', definition('one'), '--role-arn', role, '--tags', 'key=team,value=payments']);
    const updated = await aws(['update-state-machine', '--state-machine-arn', stateMachineArn, '--definition', definition('two')]);
    expect(Number.isNaN(Date.parse(updated.updateDate))).toBe(false);
    expect((await aws(['describe-state-machine', '--state-machine-arn', stateMachineArn])).definition).toBe(definition('two'));

    await aws(['tag-resource', '--resource-arn', stateMachineArn, '--tags', 'key=env,value=local']);
    expect((await aws(['list-tags-for-resource', '--resource-arn', stateMachineArn])).tags).toEqual([
      { key: 'team', value: 'payments' },
      { key: 'env', value: 'local' },
    ]);
    await aws(['untag-resource', '--resource-arn', stateMachineArn, '--tag-keys', 'team']);
    expect((await aws(['list-tags-for-resource', '--resource-arn', stateMachineArn])).tags).toEqual([{ key: 'env', value: 'local' }]);

    await aws(['delete-state-machine', '--state-machine-arn', stateMachineArn]);
    const gone = await aws(['describe-state-machine', '--state-machine-arn', stateMachineArn]).then(
      () => undefined,
      (err: { stderr: string }) => err.stderr,
    );
    expect(gone).toContain('An error occurred (StateMachineDoesNotExist) when calling the DescribeStateMachine operation');
  }, 90_000);
});
