import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  ListExecutionsCommand,
  StartExecutionCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_FINTECTURE_CLIENTS, makeSandboxSigning, startSandboxes } from '../../../sandbox/index.js';
import { RESTART_CAUSE, startSfnEndpoint, type SfnEndpoint } from '../../../local/sfn-endpoint/index.js';
import { pageHistory, ROOT, sfnClient, tempDir, waitForEnd, WORKFLOWS_DIR } from './support/endpoint-harness.js';

const ROLE = 'arn:aws:iam::000000000000:role/test';
const HOLD = JSON.stringify({ StartAt: 'Hold', States: { Hold: { Type: 'Wait', Seconds: 600, Next: 'Done' }, Done: { Type: 'Succeed' } } });
const PASS = JSON.stringify({ StartAt: 'Echo', States: { Echo: { Type: 'Pass', Result: { kept: true }, End: true } } });

/** Starts the endpoint in a child process and resolves with its URL once it listens. */
function spawnEndpoint(db: string): Promise<{ child: ChildProcess; url: string; region: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'support/endpoint-process.ts'), db, WORKFLOWS_DIR], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const line = out.split('\n')[0];
      if (out.includes('\n')) resolve({ child, ...JSON.parse(line) });
    });
    child.stderr!.on('data', (d) => (err += d));
    child.on('exit', (code) => reject(new Error(`the endpoint process exited (${code}) before listening: ${err}`)));
  });
}

describe('executions survive a restart of the endpoint (SQLite)', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  const open: SfnEndpoint[] = [];
  const clients: SFNClient[] = [];
  const start = async (options: Parameters<typeof startSfnEndpoint>[0] = {}) => {
    const endpoint = await startSfnEndpoint({ dbFile: tmp.db, workflowsDir: WORKFLOWS_DIR, ...options });
    open.push(endpoint);
    const client = sfnClient(endpoint);
    clients.push(client);
    return { endpoint, client };
  };

  beforeAll(async () => {
    tmp = await tempDir();
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    for (const e of open.splice(0)) await e.close();
  });
  afterAll(() => tmp?.remove());

  it('after close and a new start on the same file: machines, finished executions and their histories answer as before; a running one was ABORTED by the close', async () => {
    const first = await start();
    const echo = (await first.client.send(new CreateStateMachineCommand({ name: 'echo', definition: PASS, roleArn: ROLE }))).stateMachineArn!;
    const hold = (await first.client.send(new CreateStateMachineCommand({ name: 'hold', definition: HOLD, roleArn: ROLE }))).stateMachineArn!;
    const done = await first.client.send(new StartExecutionCommand({ stateMachineArn: echo, name: 'before-restart', input: '{"a":1}' }));
    const before = await waitForEnd(first.client, done.executionArn!);
    const historyBefore = await pageHistory(first.client, done.executionArn!);
    const running = await first.client.send(new StartExecutionCommand({ stateMachineArn: hold, name: 'cut-short' }));
    await first.endpoint.close();

    const second = await start();
    expect(second.endpoint.abortedAtStart).toEqual([]);
    expect(await second.client.send(new DescribeExecutionCommand({ executionArn: done.executionArn }))).toMatchObject({
      status: 'SUCCEEDED',
      output: '{"kept":true}',
      input: '{"a":1}',
      startDate: before.startDate,
      stopDate: before.stopDate,
    });
    expect(await pageHistory(second.client, done.executionArn!, { maxResults: 2 })).toMatchObject({ events: historyBefore.events });
    expect((await second.client.send(new DescribeStateMachineCommand({ stateMachineArn: echo }))).definition).toBe(PASS);

    const cut = await second.client.send(new DescribeExecutionCommand({ executionArn: running.executionArn }));
    expect(cut).toMatchObject({ status: 'ABORTED', error: 'ArazzoSfn.EndpointStopped' });
    expect((await pageHistory(second.client, running.executionArn!)).events.map((e) => e.type)).toEqual(['ExecutionStarted', 'WaitStateEntered', 'ExecutionAborted']);

    // The names stay taken across the restart.
    await expect(second.client.send(new StartExecutionCommand({ stateMachineArn: echo, name: 'before-restart', input: '{"a":2}' }))).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
  });

  it('an endpoint killed mid-run (SIGKILL): the next one on the same file marks the execution ABORTED, saying the engine cannot resume it', async () => {
    const crashDb = join(tmp.dir, 'crash.db');
    const { child, url, region } = await spawnEndpoint(crashDb);
    const client = sfnClient({ url, region });
    clients.push(client);
    const hold = (await client.send(new CreateStateMachineCommand({ name: 'hold', definition: HOLD, roleArn: ROLE }))).stateMachineArn!;
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn: hold, name: 'orphan', input: '{"x":1}' }));
    expect((await client.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('RUNNING');
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });

    const next = await start({ dbFile: crashDb });
    expect(next.endpoint.abortedAtStart).toEqual([executionArn]);
    const described = await next.client.send(new DescribeExecutionCommand({ executionArn }));
    expect(described).toMatchObject({ status: 'ABORTED', error: 'ArazzoSfn.EndpointRestarted', cause: RESTART_CAUSE, input: '{"x":1}' });
    expect(described.cause).toMatch(/cannot resume/);
    expect(described.stopDate!.getTime()).toBeGreaterThanOrEqual(described.startDate!.getTime());
    const { events } = await pageHistory(next.client, executionArn!);
    expect(events.map((e) => [e.type, e.id, e.previousEventId])).toEqual([
      ['ExecutionStarted', 1, 0],
      ['ExecutionAborted', 2, 0],
    ]);
    expect(events[1].executionAbortedEventDetails).toEqual({ error: 'ArazzoSfn.EndpointRestarted', cause: RESTART_CAUSE });
    const listed = await next.client.send(new ListExecutionsCommand({ stateMachineArn: hold, statusFilter: 'RUNNING' }));
    expect(listed.executions).toEqual([]);
  });

  it('one endpoint per database file: a second one on a file in use refuses to start', async () => {
    await start();
    await expect(startSfnEndpoint({ dbFile: tmp.db, workflowsDir: WORKFLOWS_DIR })).rejects.toThrow(/in use by another endpoint/);
  });

  it('the sealing key is kept beside the database (0600): a token sealed before a restart still opens in an execution after it', async () => {
    const [id, secret] = Object.entries(DEFAULT_FINTECTURE_CLIENTS)[0];
    // One sandbox for both endpoints: the token it minted must still be valid after the restart.
    // It verifies PIS signatures: the endpoints sign with a key registered for the application.
    const signing = makeSandboxSigning([id], 'pis-signing');
    const sandboxes = await startSandboxes({ fintecture: { signatureKeys: signing.signatureKeys } });
    try {
      const sealedDb = join(tmp.dir, 'sealed.db');
      const options = {
        dbFile: sealedDb,
        sandbox: sandboxes,
        signing: signing.signing,
        waitMs: 1,
        retryIntervalMs: 1,
        secrets: { app: JSON.stringify({ id, secret }), ...signing.secrets },
      };
      const first = await start(options);
      const input = { clientId: 'secret:app#id', clientSecret: 'secret:app#secret', amount: '149.99', currency: 'EUR', communication: 'Order 1042', requestId: '0b5c3f8e-2d6a-4c1b-9e7f-3a2d1c0b9e8f' };
      const paid = await first.client.send(new StartExecutionCommand({ stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:token-then-payment', input: JSON.stringify(input) }));
      const described = await waitForEnd(first.client, paid.executionArn!);
      expect(described, described.cause).toMatchObject({ status: 'SUCCEEDED' });
      const { accessToken, sessionId } = JSON.parse(described.output!) as { accessToken: string; sessionId: string };
      expect(accessToken).toMatch(/^sealed:v1:/);
      const keyFile = `${sealedDb}.seal-key`;
      const keyBefore = await readFile(keyFile, 'utf8');
      expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
      await first.endpoint.close();

      const second = await start(options);
      expect(await readFile(keyFile, 'utf8')).toBe(keyBefore);
      // The payment read of seed 001, called by ARN with the sealed token from before the restart: it must unseal it to send it.
      const readPayment = JSON.stringify({
        StartAt: 'Read',
        States: {
          Read: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:000000000000:function:arazzo-sfn-pisApi-getPaymentSession', Parameters: { step: 'getPayment', 'inputs.$': '$.inputs', 'steps.$': '$.steps' }, End: true },
        },
      });
      const stateMachineArn = (await second.client.send(new CreateStateMachineCommand({ name: 'read-payment', definition: readPayment, roleArn: ROLE }))).stateMachineArn!;
      const steps = { mintToken: { outcome: 'success', outputs: { accessToken }, visits: 1 }, createPayment: { outcome: 'success', outputs: { sessionId }, visits: 1 } };
      const read = await second.client.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify({ inputs: input, steps }) }));
      const readEnd = await waitForEnd(second.client, read.executionArn!);
      expect(readEnd, `${readEnd.error}: ${readEnd.cause}`).toMatchObject({ status: 'SUCCEEDED' });
      expect(JSON.parse(readEnd.output!)).toMatchObject({ statusCode: 200, outputs: { status: 'payment_created' } });
    } finally {
      for (const c of clients.splice(0)) c.destroy();
      for (const e of open.splice(0)) await e.close();
      await sandboxes.close();
    }
  });
});
