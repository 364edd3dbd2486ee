import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * TEST DOUBLE: a loopback stand-in for Redocly's Cafe API (corpus/redocly-cli/resources/cafe.yaml),
 * which Respect's end-to-end fixtures call at https://api.cafe.redocly.com. It answers the
 * operations those fixtures use from fixed data (no state, no validation), so a conformance run's
 * outputs can be pinned; any other request gets 404. Every request is logged as `METHOD /path status`.
 */
export interface CafeStandIn {
  readonly url: string;
  readonly log: string[];
  close(): Promise<void>;
}

export const MENU_ITEMS = [
  {
    id: 'c8a3b6f2-0d2c-4a4e-9a52-2f1f0b0e7a01',
    name: 'Tiramisu',
    description: 'A classic Italian tiramisu layered with mascarpone and espresso',
    price: 7.5,
    category: 'dessert',
  },
  { id: 'c8a3b6f2-0d2c-4a4e-9a52-2f1f0b0e7a02', name: 'Mermaid Treasure Latte', description: 'A sea-salt caramel latte', price: 5.25, category: 'beverage' },
];

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

function answer(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export async function startCafeStandIn(): Promise<CafeStandIn> {
  const log: string[] = [];
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const body = await bodyOf(req);
      let status = 404;
      const send = (s: number, b: unknown) => {
        status = s;
        answer(res, s, b);
      };
      if (req.method === 'GET' && url.pathname === '/menu') {
        send(200, {
          object: 'list',
          page: { endCursor: null, startCursor: null, hasNextPage: false, hasPrevPage: false, limit: 10, total: MENU_ITEMS.length },
          items: MENU_ITEMS,
        });
      } else if (req.method === 'POST' && url.pathname === '/oauth2/register') {
        const name = (body as { name?: unknown } | undefined)?.name;
        send(201, { name, client_id: 'stand-in-client', client_secret: 'stand-in-client-secret', scopes: ['menu:read'] });
      } else {
        send(404, { type: 'about:blank', title: 'Not Found', status: 404 });
      }
      log.push(`${req.method} ${url.pathname} ${status}`);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    close: () => new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}
