import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CafeStandIn } from './cafe-stand-in.js';

/**
 * TEST DOUBLES: loopback stand-ins for the providers behind frankkilcommins/arazzo-examples'
 * documents, which name no server (or a cloud one): each answers its OpenAPI operations from
 * fixed data, and, 20 ms after the request that starts the provider's work, sends the AsyncAPI
 * message the workflow waits for to the local receiver's path for that channel (over real
 * loopback HTTP, as a webhook sender does; for a broker channel the local receiver publishes it on
 * the embedded broker, which delivers it as SQS or EventBridge would). Every request answered is
 * logged as `METHOD /path status`, each message as `MESSAGE <channel> <correlation id>` (with the
 * receiver's status when it refused it).
 */
export interface MessageProviderStandIn extends CafeStandIn {
  /** Where the scenario's messages go: set before each run (the receiver's URL for `source`/`channel`). */
  messageUrl: string;
}

interface Answer {
  readonly status: number;
  readonly body?: unknown;
  /** A message to send afterwards: its correlation id (for the log) and payload. */
  readonly message?: { readonly id: string; readonly payload: unknown };
}

export interface Scenario {
  /** The AsyncAPI source and channel its messages are for. */
  readonly source: string;
  readonly channel: string;
  /** The answer to a request, or undefined for 404 (400 for a POST it does not take). */
  answer(method: string, path: string, body: Record<string, unknown> | undefined, n: number): Answer | undefined;
}

export const SCENARIOS = {
  /** http-webhooks/: the Document Signing API signs at once and calls the documentSigned webhook. */
  'document-signing': {
    source: 'WebhookApi',
    channel: 'documentSigned',
    answer: (method, path, body, n) => {
      if (method === 'POST' && path === '/documents' && typeof body?.documentName === 'string' && typeof body.email === 'string')
        return { status: 201, body: { documentId: `doc-${n}` }, message: { id: `doc-${n}`, payload: { documentId: `doc-${n}`, status: 'signed' } } };
      if (method === 'GET' && /^\/documents\/doc-\d+$/.test(path)) return { status: 200, body: { status: 'signed' } };
      if (method === 'POST' && path === '/notifications' && typeof body?.email === 'string') return { status: 200 };
      return undefined;
    },
  },
  /** sqs/: the support desk escalates each new ticket on the escalated-tickets queue. */
  'ticket-escalation': {
    source: 'EscalationEvents',
    channel: 'escalatedTickets',
    answer: (method, path, body, n) => {
      if (method === 'POST' && path === '/support-tickets' && typeof body?.subject === 'string')
        return {
          status: 201,
          body: { ticketId: `T-${n}` },
          message: { id: `T-${n}`, payload: { ticketId: `T-${n}`, priority: 'high', reason: 'customer waiting' } },
        };
      if (method === 'POST' && path === '/audit-log' && typeof body?.ticketId === 'string') return { status: 200 };
      if (method === 'POST' && path === '/emails' && typeof body?.to === 'string') return { status: 200 };
      return undefined;
    },
  },
} satisfies Record<string, Scenario>;

async function bodyOf(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function reply(res: ServerResponse, status: number, body?: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(body === undefined ? undefined : JSON.stringify(body));
}

export async function startMessageProviderStandIn(scenario: Scenario): Promise<MessageProviderStandIn> {
  const log: string[] = [];
  let n = 0;
  const standIn = { messageUrl: '' } as MessageProviderStandIn;
  const deliver = async ({ id, payload }: NonNullable<Answer['message']>) => {
    log.push(`MESSAGE ${scenario.channel} ${id}`);
    const res = await fetch(standIn.messageUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) });
    // 200: the waiting step took it; 202: it came first (or went to a broker) and is kept until the step waits.
    if (res.status !== 200 && res.status !== 202) log.push(`MESSAGE ${scenario.channel} ${id} refused ${res.status}`);
  };
  const server = createServer((req, res) => {
    void (async () => {
      const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
      const answer = scenario.answer(req.method ?? 'GET', path, await bodyOf(req), n + 1) ?? { status: req.method === 'POST' ? 400 : 404 };
      if (answer.message) n++;
      reply(res, answer.status, answer.body);
      log.push(`${req.method} ${path} ${answer.status}`);
      if (answer.message) {
        const message = answer.message;
        setTimeout(() => void deliver(message), 20);
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(standIn, {
    url: `http://127.0.0.1:${port}`,
    log,
    close: () => new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  });
}
