import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TICKETS = 'test/fixtures/asyncapi/ticket-escalation/ticket-escalation.arazzo.yaml';

describe('arazzo-sfn run: a workflow whose receive step reads an SQS queue (the embedded broker)', () => {
  // Where the run's local receiver takes messages for awaitEscalation: the run prints it as it starts.
  let messagesUrl: Promise<string>;
  let announce: (url: string) => void;
  const deskCalls: string[] = [];
  // A stand-in for the support desk (a test double: no such service runs here). Once a ticket is opened it
  // escalates it through the run's receiver, which publishes on the channel's SQS queue.
  const desk = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', async () => {
      deskCalls.push(req.url ?? '');
      if (req.url !== '/support-tickets') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ ticketId: 't-7' }));
      const escalation = JSON.stringify({ ticketId: 't-7', priority: 'high', reason: 'no answer' });
      // Twice: the second is a duplicate and resumes nothing.
      for (let i = 0; i < 2; i++) await fetch(await messagesUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: escalation });
    });
  });
  beforeAll(() => new Promise<void>((r) => desk.listen(0, '127.0.0.1', () => r())));
  afterAll(() => new Promise<void>((r) => desk.close(() => r())));

  it('opens the ticket, takes the escalation from the queue, logs and mails it, and exits 0', async () => {
    messagesUrl = new Promise((resolve) => (announce = resolve));
    const deskUrl = `http://127.0.0.1:${(desk.address() as AddressInfo).port}`;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'cli/main.ts', 'run', TICKETS, '--server', `SupportDesk=${deskUrl}`, '--input', 'subject=Refund', '--input', 'description=late', '--input', 'priority=low', '--input', 'supervisorEmail=lead@example.com'],
      { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
      const line = /messages for awaitEscalation: (\S+) \(published on sqs:escalated-tickets\)/.exec(stdout);
      if (line) announce(line[1]);
    });
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toMatch(/SUCCEEDED/);
    expect(stdout).toContain('no answer');
    expect(deskCalls).toEqual(['/support-tickets', '/audit-log', '/emails']);
  }, 120_000);
});
