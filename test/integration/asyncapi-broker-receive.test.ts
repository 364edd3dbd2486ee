import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileFileOrThrow, type CompiledWorkflow } from '../../compiler/index.js';
import { isWorkflowStep, type StepPlan } from '../../core/plan.js';
import { messageKey } from '../../functions/runtime/messages/receive-message.js';
import type { BrokerTransport } from '../../functions/runtime/messages/publish-message.js';
import { AesGcmSealer, InMemorySecretsProvider } from '../../functions/runtime/secrets/index.js';
import { startLocalCallbacks, type LocalCallbacks } from '../../local/local-callbacks.js';
import { LocalWorkflow } from '../../local/run-workflow.js';

const PARCEL = join(import.meta.dirname, '../fixtures/asyncapi/parcel.arazzo.yml');
const TICKETS = join(import.meta.dirname, '../fixtures/asyncapi/ticket-escalation/ticket-escalation.arazzo.yaml');

const transportOf = (compiled: CompiledWorkflow, stepId: string) => (compiled.plan.steps.find((s) => s.stepId === stepId) as StepPlan).channel!.transport as BrokerTransport;

describe('receive steps on SQS, SNS and EventBridge channels, locally: the embedded broker delivers to the broker receiver', () => {
  const sealer = new AesGcmSealer();
  const secrets = new InMemorySecretsProvider();
  let callbacks: LocalCallbacks;
  let parcel: CompiledWorkflow;
  beforeAll(async () => {
    callbacks = await startLocalCallbacks({ sealer, secrets });
    [parcel] = (await compileFileOrThrow(PARCEL)).workflows;
  });
  afterAll(() => callbacks.close());

  const run = (compiled: CompiledWorkflow, input: Record<string, unknown>, serverUrls: Record<string, string> = {}) =>
    new LocalWorkflow(compiled).run(input, {
      runtime: { secrets, sealer, messages: callbacks.broker, serverUrls },
      waitMs: 1,
      callbacks: { local: callbacks },
      timeoutMs: 20_000,
    });
  /** Resolves once a receive step registered its wait for this correlation id. */
  const waiting = (channel: string, correlation: string) => expect.poll(async () => (await callbacks.store.get(messageKey('parcels', channel, correlation)))?.settled, { timeout: 10_000 }).toBe(false);
  const statuses = (from: number) => callbacks.brokered.slice(from).map((e) => e.status);

  it('resumes each step when its message arrives: an SQS message a client POSTs, an EventBridge event and an SNS message (twice: the duplicate resumes nothing)', async () => {
    const from = callbacks.brokered.length;
    const execution = run(parcel, { orderId: 'o-1' });
    await waiting('parcelPacked', 'o-1');
    // A client outside the run: it POSTs to the local receiver, which publishes on the channel's queue.
    const posted = await fetch(callbacks.messageUrl('parcels', 'parcelPacked'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', orderId: 'o-1', 'x-packer': 'ann' },
      body: JSON.stringify({ status: 'packed', parcelId: 'p-1' }),
    });
    expect(posted.status).toBe(202);
    await waiting('parcelShipped', 'p-1');
    await callbacks.broker.publish(transportOf(parcel, 'awaitShipped'), { headers: {}, payload: { parcelId: 'p-1', carrier: 'postal' } });
    await waiting('parcelDelivered', 'p-1');
    await callbacks.broker.publish(transportOf(parcel, 'awaitDelivered'), { headers: {}, payload: { parcelId: 'p-1' } });
    await callbacks.broker.publish(transportOf(parcel, 'awaitDelivered'), { headers: {}, payload: { parcelId: 'p-1' } });
    const exec = await execution;
    expect(exec.status).toBe('SUCCEEDED');
    expect(exec.output).toEqual({ parcelId: 'p-1', packer: 'ann', carrier: 'postal', eventSource: 'shop.shipping' });
    expect(statuses(from)).toEqual([200, 200, 200, 409]);
  });

  it('messages that arrive before their steps wait are kept, and each step takes its own when it starts', async () => {
    const from = callbacks.brokered.length;
    await callbacks.broker.publish(transportOf(parcel, 'awaitPacked'), { headers: { orderId: 'o-2' }, payload: { status: 'packed', parcelId: 'p-2' } });
    await callbacks.broker.publish(transportOf(parcel, 'awaitShipped'), { headers: {}, payload: { parcelId: 'p-2', carrier: 'courier' } });
    await callbacks.broker.publish(transportOf(parcel, 'awaitDelivered'), { headers: {}, payload: { parcelId: 'p-2' } });
    expect(statuses(from)).toEqual([202, 202, 202]);
    const exec = await run(parcel, { orderId: 'o-2' });
    expect(exec.status).toBe('SUCCEEDED');
    expect(exec.output).toMatchObject({ parcelId: 'p-2', carrier: 'courier' });
  });

  it('a message that fails the step\'s criteria fails the step by name (Arazzo.StepFailed), on the broker as over HTTP', async () => {
    const execution = run(parcel, { orderId: 'o-3' });
    await waiting('parcelPacked', 'o-3');
    await callbacks.broker.publish(transportOf(parcel, 'awaitPacked'), { headers: { orderId: 'o-3' }, payload: { status: 'lost', parcelId: 'p-3' } });
    const exec = await execution;
    expect(exec.status).toBe('FAILED');
    expect(exec.error).toBe('Arazzo.StepFailed');
  });

  it('a broker message no step can take is dropped and counted by reason (the DroppedMessages metric), one receiver line per message', async () => {
    const from = callbacks.brokered.length;
    const before = callbacks.dropped.get('NoCorrelationId') ?? 0;
    await callbacks.broker.publish(transportOf(parcel, 'awaitPacked'), { headers: {}, payload: { status: 'packed', parcelId: 'p-4' } });
    expect(statuses(from)).toEqual([400]);
    expect(callbacks.dropped.get('NoCorrelationId')).toBe(before + 1);
  });

  describe('the ticket escalation workflow (the shape of a public SQS example): HTTP steps around an SQS receive', () => {
    let desk: Server;
    let deskUrl: string;
    const calls: { path: string; body: any }[] = [];
    beforeAll(async () => {
      // A stand-in for the support desk (a test double: no such service runs here). Opening a ticket escalates it at once:
      // the desk's escalation is POSTed to the local receiver, which publishes it on the SQS queue the channel names.
      desk = createServer((req, res) => {
        let raw = '';
        req.on('data', (c) => (raw += c));
        req.on('end', async () => {
          const body = JSON.parse(raw) as any;
          calls.push({ path: req.url ?? '', body });
          if (req.url === '/support-tickets') {
            res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ ticketId: 't-100' }));
            await fetch(callbacks.messageUrl('EscalationEvents', 'escalatedTickets'), {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ ticketId: 't-100', priority: 'high', reason: 'customer waited 3 days' }),
            });
            return;
          }
          res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        });
      });
      await new Promise<void>((r) => desk.listen(0, '127.0.0.1', () => r()));
      deskUrl = `http://127.0.0.1:${(desk.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((r) => desk.close(() => r())));

    it('opens the ticket, receives its escalation from the queue, logs it and mails the supervisor', async () => {
      const [tickets] = (await compileFileOrThrow(TICKETS)).workflows;
      const wait = tickets.plan.steps.find((s): s is StepPlan => !isWorkflowStep(s) && s.stepId === 'awaitEscalation')!;
      expect(wait.channel?.transport).toEqual({ kind: 'sqs', queueName: 'escalated-tickets' });
      expect(tickets.definition.States.awaitEscalation).toMatchObject({ Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken', TimeoutSeconds: 15 });
      const exec = await run(tickets, { subject: 'Refund', description: 'not refunded', priority: 'low', supervisorEmail: 'lead@example.com' }, { SupportDesk: deskUrl });
      expect([exec.status, exec.error, exec.cause]).toEqual(['SUCCEEDED', undefined, undefined]);
      expect(exec.output).toEqual({ ticketId: 't-100', reason: 'customer waited 3 days' });
      expect(calls.map((c) => c.path)).toEqual(['/support-tickets', '/audit-log', '/emails']);
      expect(calls[1].body).toEqual({ ticketId: 't-100', priority: 'high', reason: 'customer waited 3 days' });
      expect(calls[2].body.body).toBe('Ticket t-100 was escalated. Reason: customer waited 3 days');
    });
  });
});
