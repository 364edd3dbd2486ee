import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileFileOrThrow, type CompiledWorkflow } from '../../compiler/index.js';
import { AesGcmSealer, InMemorySecretsProvider } from '../../functions/runtime/secrets/index.js';
import { startLocalCallbacks, type LocalCallbacks } from '../../local/local-callbacks.js';
import { LocalWorkflow, type LocalExecution } from '../../local/run-workflow.js';

const FIXTURE = join(import.meta.dirname, '../fixtures/asyncapi/orders.arazzo.yml');

/** What the shop does with an order message: confirm it (how often, when), or stay silent. */
interface Reply {
  readonly status?: string;
  /** Send the confirmation this many times (duplicates). @default 1 */
  readonly times?: number;
  /** Send it before answering the order (it overtakes the step that waits for it). */
  readonly first?: boolean;
  readonly silent?: boolean;
}

/**
 * A stand-in for the shop behind the AsyncAPI description (a test double: no such service runs
 * here): it takes the order message on its HTTP channel and publishes the confirmation to the
 * workflow's receiver over real loopback HTTP, as a webhook sender would.
 */
function startShop(receiverUrl: () => string) {
  let reply: Reply = {};
  const received: { headers: IncomingHttpHeaders; body: unknown }[] = [];
  // Each run its own list: an answer that reaches the shop after its execution ended never lands in the next run's.
  let answers: number[] = [];
  const confirm = async (orderRequestId: string) => {
    const own = answers;
    for (let i = 0; i < (reply.times ?? 1); i++) {
      const res = await fetch(receiverUrl(), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ orderRequestId, orderId: 42, status: reply.status ?? 'confirmed' }),
      });
      own.push(res.status);
    }
  };
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', async () => {
      const body = JSON.parse(raw) as unknown;
      received.push({ headers: req.headers, body });
      const id = String(req.headers.orderrequestid);
      if (reply.first && !reply.silent) await confirm(id);
      res.writeHead(202).end();
      if (!reply.first && !reply.silent) setTimeout(() => void confirm(id), 20);
    });
  });
  return {
    received,
    get answers() {
      return answers;
    },
    play: (next: Reply) => {
      reply = next;
      received.length = 0;
      answers = [];
    },
    listen: () => new Promise<string>((r) => server.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(server.address() as AddressInfo).port}`))),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('AsyncAPI send and receive steps (Arazzo 1.1): HTTP channels, the local receiver, .waitForTaskToken', () => {
  const sealer = new AesGcmSealer();
  const secrets = new InMemorySecretsProvider();
  let callbacks: LocalCallbacks;
  let compiled: CompiledWorkflow;
  let shopUrl: string;
  const shop = startShop(() => callbacks.messageUrl('orders', 'orderConfirmed'));

  beforeAll(async () => {
    callbacks = await startLocalCallbacks({ sealer, secrets });
    shopUrl = await shop.listen();
    compiled = (await compileFileOrThrow(FIXTURE)).workflows[0];
  });
  afterAll(async () => {
    await callbacks.close();
    await shop.close();
  });

  const run = (reply: Reply, orderRequestId: string): Promise<LocalExecution> => {
    shop.play(reply);
    return new LocalWorkflow(compiled).run(
      { orderRequestId, petId: 7 },
      {
        runtime: { secrets, sealer, serverUrls: { orders: shopUrl } },
        waitMs: 1,
        // The step's 6 s timeout becomes 600 ms.
        callbacks: { local: callbacks, secondsToMs: 100 },
        timeoutMs: 10_000,
      },
    );
  };

  it('compiles the receive step to a waitForTaskToken Task whose timeout (6000 ms) is TimeoutSeconds, and a named Arazzo.MessageTimeout', () => {
    const states = compiled.definition.States;
    expect(states.awaitConfirmation).toMatchObject({
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: { Payload: { step: 'awaitConfirmation', 'taskToken.$': '$$.Task.Token' } },
      TimeoutSeconds: 6,
      Catch: [
        { ErrorEquals: ['States.Timeout'], Next: 'awaitConfirmation.timedOut' },
        { ErrorEquals: ['States.ALL'], Next: 'awaitConfirmation.failed' },
      ],
    });
    expect(states['awaitConfirmation.timedOut']).toMatchObject({ Type: 'Fail', Error: 'Arazzo.MessageTimeout' });
    expect(states.awaitConfirmation).not.toHaveProperty('HeartbeatSeconds');
    // The send step publishes on the channel's HTTP binding: an ordinary operation Task.
    expect(states.submitOrder).toMatchObject({ Type: 'Task', Comment: 'POST /orders' });
  });

  it('sends the message (headers from parameters, payload from requestBody) and resumes on the correlated reply, read as $message.payload', async () => {
    const exec = await run({}, 'order-1');
    expect(exec.status).toBe('SUCCEEDED');
    expect(exec.output).toEqual({ orderId: 42 });
    expect(shop.received).toHaveLength(1);
    expect(shop.received[0].headers.orderrequestid).toBe('order-1');
    expect(shop.received[0].body).toEqual({ petId: 7 });
  });

  it('a reply that overtakes its receive step is kept and taken when the step starts waiting', async () => {
    const exec = await run({ first: true }, 'order-2');
    expect(exec.status).toBe('SUCCEEDED');
    expect(exec.output).toEqual({ orderId: 42 });
    expect(shop.answers).toEqual([202]);
  });

  it('a duplicate reply resumes nothing twice (409)', async () => {
    const exec = await run({ times: 2 }, 'order-3');
    expect(exec.status).toBe('SUCCEEDED');
    await expect.poll(() => shop.answers.length).toBe(2);
    expect(shop.answers).toEqual([200, 409]);
  });

  it('a reply that does not meet the successCriteria fails the step by name', async () => {
    const exec = await run({ status: 'rejected' }, 'order-4');
    expect(exec.status).toBe('FAILED');
    expect(exec.error).toBe('Arazzo.StepFailed');
  });

  it('no reply within the timeout fails the execution with Arazzo.MessageTimeout', async () => {
    const exec = await run({ silent: true }, 'order-5');
    expect(exec.status).toBe('FAILED');
    expect(exec.error).toBe('Arazzo.MessageTimeout');
  });

  it('a message no step listens for is refused (404); one for a correlation nobody waits for is kept, bounded, then dropped', async () => {
    const stray = await fetch(callbacks.messageUrl('orders', 'nowhere'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(stray.status).toBe(404);
    const unmatched = await fetch(callbacks.messageUrl('orders', 'orderConfirmed'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ orderRequestId: 'nobody', orderId: 1 }),
    });
    expect(unmatched.status).toBe(202);
  });
});
