import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { DescribeStateMachineCommand, ListStateMachinesCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runServeCommand, serveHelp } from '../../../cli/commands/serve.js';
import { UsageError } from '../../../cli/cli-error.js';
import { secretForms } from '../../../functions/runtime/secrets/index.js';
import { pageHistory, ROOT, sfnClient, tempDir, waitForEnd, WORKFLOWS_DIR } from './support/endpoint-harness.js';

/** Runs `serve` in-process until the returned `stop()`, with its output collected. */
async function serve(args: string[]) {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d) => (text += d));
  const stop = new AbortController();
  const exit = runServeCommand(args, out, stop.signal);
  exit.catch(() => undefined);
  // A kill limit, not a timing: compiling every seed on a shared 2-core machine can take a while.
  const deadline = Date.now() + 90_000;
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
      // The seeds' personal inputs are declared as npm start declares them: sealed before the execution exists.
      expect(server.output()).toContain('customer-verification-poll  (workflows/arazzo/customer-verification-poll.arazzo.yml); sealed inputs: firstName, lastName, email, expectedName');
      const startedInput = JSON.parse(described.input!) as Record<string, string>;
      for (const name of ['firstName', 'lastName', 'email', 'expectedName']) expect(startedInput[name], name).toMatch(/^sealed:v1:/);
      const text = JSON.stringify(described) + JSON.stringify(await pageHistory(client, executionArn!));
      const personal = Object.values(JSON.parse(input) as Record<string, string>).filter((v) => /@|Jane|Doe/.test(v));
      expect(personal).toHaveLength(4);
      expect(personal.filter((v) => secretForms(v).some((form) => text.includes(form)))).toEqual([]);
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
  }, 180_000);

  it('--personal seals an input the document does not declare, in the input and the whole history, and the step that sends it opens it; --throttle reaches the compiled machines', async () => {
    // GIVEN seed 001, which declares no personal data, with its order reference marked personal, and 429 handling off
    const server = await serve(['--port', '0', '--db', join(tmp.dir, 'personal.db'), '--dir', WORKFLOWS_DIR, '--sandbox', '--personal', 'token-then-payment:communication', '--throttle', 'off', '--wait-ms', '1', '--retry-ms', '1']);
    const client = sfnClient({ url: server.url, region: 'us-east-1' });
    try {
      expect(server.output()).toContain('token-then-payment.arazzo.yml); sealed inputs: communication');
      // WHEN the example input starts an execution through the real SDK client
      const input = await readFile(join(ROOT, 'workflows/examples/token-then-payment.inputs.json'), 'utf8');
      const stateMachineArn = 'arn:aws:states:us-east-1:000000000000:stateMachine:token-then-payment';
      const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn, name: 'sealed-reference', input }));
      const described = await waitForEnd(client, executionArn!);
      // THEN the payment was opened with the reference (createPayment opened it), which no event of the history shows in plain
      expect(described, described.cause).toMatchObject({ status: 'SUCCEEDED' });
      expect((JSON.parse(described.input!) as Record<string, string>).communication).toMatch(/^sealed:v1:/);
      const history = await pageHistory(client, executionArn!);
      expect(history.events.length).toBeGreaterThan(5);
      const text = JSON.stringify(described) + JSON.stringify(history);
      expect(secretForms('Order 1042').filter((form) => text.includes(form))).toEqual([]);
      // AND --throttle off compiled every machine without the Wait a 429 with Retry-After would take
      const { definition } = await client.send(new DescribeStateMachineCommand({ stateMachineArn }));
      expect(definition).not.toContain('.throttled');
    } finally {
      client.destroy();
      expect(await server.stop()).toBe(0);
    }
    // By default a call that may be repeated waits out a 429's Retry-After in `<step>.throttled`.
    const defaults = await serve(['--port', '0', '--db', join(tmp.dir, 'defaults.db'), '--dir', WORKFLOWS_DIR]);
    const plain = sfnClient({ url: defaults.url, region: 'us-east-1' });
    try {
      const { definition } = await plain.send(new DescribeStateMachineCommand({ stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:customer-verification-poll' }));
      expect(definition).toContain('.throttled');
      expect(defaults.output()).not.toContain('sealed inputs');
    } finally {
      plain.destroy();
      expect(await defaults.stop()).toBe(0);
    }
  }, 180_000);

  it('--personal and --throttle are parsed as run parses them: bad values and an input no workflow has are usage errors', async () => {
    await expect(runServeCommand(['--throttle', 'maxWaits=lots'], new PassThrough())).rejects.toThrow(/^--throttle.maxWaits must be a whole number/);
    await expect(runServeCommand(['--throttle', 'soon'], new PassThrough())).rejects.toThrow(/^--throttle expects off, on, or maxWaitSeconds=N,maxWaits=M/);
    await expect(runServeCommand(['--personal', '$foo'], new PassThrough())).rejects.toThrow(/^--personal \$foo: expected an input path/);
    await expect(runServeCommand(['--personal', '$steps.pay.outputs.iban'], new PassThrough())).rejects.toThrow(/name the workflow of a step output/);
    await expect(runServeCommand(['--port', '0', '--db', join(tmp.dir, 'typo.db'), '--dir', WORKFLOWS_DIR, '--personal', 'emial'], new PassThrough())).rejects.toThrow(
      /^--personal emial: no workflow of .*workflows\/arazzo has such an input/,
    );
    expect(serveHelp).toContain('--personal <[id:]path>');
    expect(serveHelp).toContain('--throttle <off|maxWaitSeconds=N,maxWaits=M>');
  }, 180_000);

  it('bad arguments are usage errors', () => {
    expect(() => runServeCommand(['--port', 'eighty'], new PassThrough())).toThrow(UsageError);
    expect(() => runServeCommand(['--region', 'moon'], new PassThrough())).toThrow(UsageError);
    expect(() => runServeCommand(['--bogus'], new PassThrough())).toThrow(/^unknown option --bogus for serve\n/);
    expect(serveHelp).toContain('--endpoint-url');
  });
});
