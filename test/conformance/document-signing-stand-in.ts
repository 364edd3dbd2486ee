import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CafeStandIn } from './cafe-stand-in.js';

/**
 * TEST DOUBLE: a loopback stand-in for the Document Signing API of frankkilcommins/arazzo-examples
 * (`http-webhooks/document-signing.openapi.yaml`, which names no server) and for the signing
 * system behind its AsyncAPI webhook (`document-webhook.asyncapi.yaml`, channel `documentSigned`).
 * A submitted document is signed at once: 20 ms after answering `POST /documents` it POSTs the
 * `documentSigned` message (`{documentId, status: "signed"}`) to the workflow's receiver, over
 * real loopback HTTP as a webhook sender would. Every request it answers is logged as
 * `METHOD /path status`, and each message as `MESSAGE documentSigned <documentId>` (or with the
 * receiver's status when it refused it).
 */
export interface DocumentSigningStandIn extends CafeStandIn {
  /** Where `documentSigned` messages go: set before each run (the receiver's message URL). */
  messageUrl: string;
}

async function bodyOf(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return text;
  }
}

function answer(res: ServerResponse, status: number, body?: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(body === undefined ? undefined : JSON.stringify(body));
}

export async function startDocumentSigningStandIn(): Promise<DocumentSigningStandIn> {
  const log: string[] = [];
  const signed = new Set<string>();
  let next = 0;
  const standIn = { messageUrl: '' } as DocumentSigningStandIn;
  const deliver = async (documentId: string) => {
    log.push(`MESSAGE documentSigned ${documentId}`);
    const res = await fetch(standIn.messageUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ documentId, status: 'signed' }),
    });
    // 200: the waiting step took it; 202: it came first and is kept until the step waits.
    if (res.status !== 200 && res.status !== 202) log.push(`MESSAGE documentSigned ${documentId} refused ${res.status}`);
  };
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const body = (await bodyOf(req)) as Record<string, unknown> | undefined;
      let status = 404;
      const send = (s: number, b?: unknown) => {
        status = s;
        answer(res, s, b);
      };
      const documentPath = /^\/documents\/([^/]+)$/.exec(url.pathname);
      if (req.method === 'POST' && url.pathname === '/documents' && typeof body?.documentName === 'string' && typeof body.email === 'string') {
        const documentId = `doc-${++next}`;
        send(201, { documentId });
        signed.add(documentId);
        setTimeout(() => void deliver(documentId), 20);
      } else if (req.method === 'GET' && documentPath) {
        const id = decodeURIComponent(documentPath[1]);
        if (signed.has(id)) send(200, { status: 'signed' });
        else send(404);
      } else if (req.method === 'POST' && url.pathname === '/notifications' && typeof body?.email === 'string') {
        send(200);
      } else {
        send(req.method === 'POST' ? 400 : 404);
      }
      log.push(`${req.method} ${url.pathname} ${status}`);
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
