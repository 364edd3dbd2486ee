import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli } from '../../cli/bundle-cli.js';
import { sfnClient, waitForEnd } from '../local/sfn-endpoint/support/endpoint-harness.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// Inside the checkout, as dist/bin is (the bundle's remaining requires resolve from node_modules).
const outdir = join(ROOT, 'node_modules', '.cache', `arazzo-sfn-serve-receiver-${process.pid}`);
let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'arazzo-sfn-serve-receiver-'));
  await bundleCli(outdir);
}, 60_000);
afterAll(async () => {
  await rm(outdir, { recursive: true, force: true });
  await rm(tmp, { recursive: true, force: true });
});

describe('arazzo-sfn serve (bundled CLI): the webhook receiver a receive step waits on', () => {
  it('prints where each receive step takes its messages, as run does; a message POSTed there is accepted and resumes the execution', async () => {
    // GIVEN the bundled CLI serving a workflow whose one step waits for an order confirmation on an HTTP channel
    const child = spawn(process.execPath, [join(outdir, 'main.js'), 'serve', '--port', '0', '--db', join(tmp, 'endpoint.db'), '--dir', 'test/fixtures/serve-receiver'], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      // A kill limit, not a timing: the shared machine may be slow to compile.
      await expect.poll(() => stdout, { timeout: 60_000, interval: 50 }).toContain('Ctrl-C');
      const endpointUrl = /endpoint at (http:\/\/\S+)/.exec(stdout)![1];
      const receiver = /^webhook receiver at (http:\/\/127\.0\.0\.1:\d+) \(callbacks: \1\/callbacks\?id=<id>; messages: \1\/messages\/<source>\/<channel>\)$/m.exec(stdout);
      expect(receiver, stdout).not.toBeNull();
      const line = /^ {4}messages for awaitConfirmation: (\S+)$/m.exec(stdout);
      expect(line, stdout).not.toBeNull();
      const messageUrl = line![1];
      expect(messageUrl).toBe(`${receiver![1]}/messages/orders/orderConfirmed`);

      // WHEN an execution waits and the confirmation is POSTed to the printed URL
      const client = sfnClient({ url: endpointUrl, region: 'us-east-1' });
      try {
        const { executionArn } = await client.send(
          new StartExecutionCommand({ stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:await-order', name: 'o-17', input: JSON.stringify({ orderRequestId: 'o-17' }) }),
        );
        const posted = await fetch(messageUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ orderRequestId: 'o-17', orderId: 4242, status: 'confirmed' }) });
        // THEN the receiver accepts it (200 resumed the step; 202 kept it for the step about to wait) and the execution succeeds with it
        expect([200, 202]).toContain(posted.status);
        const described = await waitForEnd(client, executionArn!, 30_000);
        expect(described, described.cause).toMatchObject({ status: 'SUCCEEDED' });
        expect(JSON.parse(described.output!)).toEqual({ orderId: 4242 });
        // A message no step waits for with an unknown channel is refused by name: the URL is the receiver's, not any port's.
        const wrong = await fetch(`${receiver![1]}/messages/orders/nowhere`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
        expect(wrong.status).toBe(404);
      } finally {
        client.destroy();
      }
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(stderr).toBe('');
  }, 120_000);
});
