import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { ListStateMachinesCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runServeCommand, serveHelp } from '../../../cli/commands/serve.js';
import { UsageError } from '../../../cli/cli-error.js';
import { ROOT, sfnClient, tempDir, waitForEnd, WORKFLOWS_DIR } from './support/endpoint-harness.js';

/** Runs `serve` in-process until the returned `stop()`, with its output collected. */
async function serve(args: string[]) {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d) => (text += d));
  const stop = new AbortController();
  const exit = runServeCommand(args, out, stop.signal);
  exit.catch(() => undefined);
  const deadline = Date.now() + 20_000;
  while (!/Ctrl-C/.test(text)) {
    if (Date.now() > deadline) throw new Error(`serve did not start:\n${text}`);
    await Promise.race([new Promise((r) => setTimeout(r, 20)), exit]);
  }
  const url = /endpoint at (http:\/\/\S+)/.exec(text)![1];
  return { url, output: () => text, stop: async () => (stop.abort(), exit) };
}

describe('arazzo-sfn serve', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    tmp = await tempDir();
  });
  afterAll(() => tmp?.remove());

  it('--sandbox serves the seeds with demo credentials: the example inputs run as they are; stopping exits 0', async () => {
    const server = await serve(['--port', '0', '--db', tmp.db, '--dir', WORKFLOWS_DIR, '--sandbox', '--wait-ms', '1', '--retry-ms', '1']);
    try {
      expect(server.output()).toContain('arn:aws:states:us-east-1:000000000000:stateMachine:customer-verification-poll');
      expect(server.output()).toMatch(/try: {2}aws stepfunctions start-execution --endpoint-url http:\/\/127\.0\.0\.1:\d+ /);
      const client = sfnClient({ url: server.url, region: 'us-east-1' });
      const { stateMachines } = await client.send(new ListStateMachinesCommand({}));
      expect(stateMachines!.map((m) => m.name).sort()).toEqual(['connectfi-kyc-async', 'connectfi-kyc-callback', 'customer-verification-poll', 'fintecture-payment-webhook', 'mbanq-verify-customer', 'token-then-payment']);
      const input = await readFile(join(ROOT, 'workflows/examples/customer-verification-poll.inputs.json'), 'utf8');
      const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:customer-verification-poll', name: 'example', input }));
      const described = await waitForEnd(client, executionArn!);
      expect(described, described.cause).toMatchObject({ status: 'SUCCEEDED' });
      // Fintecture's signed payment webhook reaches the endpoint's receiver (the demo application's webhook URL): no hour-long wait.
      const payment = await readFile(join(ROOT, 'workflows/examples/fintecture-payment-webhook.inputs.json'), 'utf8');
      const started = await client.send(new StartExecutionCommand({ stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:fintecture-payment-webhook', name: 'paid', input: payment }));
      const paid = await waitForEnd(client, started.executionArn!);
      expect(paid, paid.cause).toMatchObject({ status: 'SUCCEEDED' });
      expect(JSON.parse(paid.output!)).toMatchObject({ webhookStatus: 'payment_created', confirmedStatus: 'payment_created' });
      client.destroy();
      // The log names each execution and the calls its steps made.
      expect(server.output()).toMatch(/customer-verification-poll:example started/);
      expect(server.output()).toMatch(/customer-verification-poll:example createCustomer +POST \/v1\/customers/);
      expect(server.output()).toMatch(/customer-verification-poll:example SUCCEEDED/);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    expect(server.output()).toMatch(/stopping\n$/);
  });

  it('bad arguments are usage errors', () => {
    expect(() => runServeCommand(['--port', 'eighty'], new PassThrough())).toThrow(UsageError);
    expect(() => runServeCommand(['--region', 'moon'], new PassThrough())).toThrow(UsageError);
    expect(() => runServeCommand(['--bogus'], new PassThrough())).toThrow(/^unknown option --bogus for serve\n/);
    expect(serveHelp).toContain('--endpoint-url');
  });
});
