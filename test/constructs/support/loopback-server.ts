import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the server received it. */
export interface RecordedRequest {
  readonly method: string;
  /** Path without the query string, as sent (still percent-encoded). */
  readonly path: string;
  /** Query parameters; a repeated name keeps its last value (see `rawQuery` for all). */
  readonly query: Readonly<Record<string, string>>;
  readonly rawQuery: string;
  /** Lower-case header names. */
  readonly headers: Readonly<IncomingHttpHeaders>;
  readonly body: string;
  /** The route that answered, or undefined when none matched (the server answered 404). */
  readonly route?: string;
}

export interface ScriptedResponse {
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** An object or array is sent as JSON (with a JSON content type unless one is given); a string as is. */
  readonly body?: unknown;
}

/**
 * What a route answers: one response every time, a sequence by call count (the last one
 * repeats once the sequence is used up), or a function of the request and the 1-based call number.
 */
export type RouteScript =
  | ScriptedResponse
  | readonly ScriptedResponse[]
  | ((request: RecordedRequest, call: number) => ScriptedResponse);

export interface LoopbackServer {
  readonly url: string;
  /** Every request received since the server started, in order. */
  readonly requests: readonly RecordedRequest[];
  /**
   * Answers `METHOD /path` with `script`. Path segments written `{name}` match any one segment;
   * a literal path takes precedence over patterns.
   * A later route for the same key replaces the earlier one and restarts its call count.
   */
  route(method: string, path: string, script: RouteScript): LoopbackServer;
  /** How many requests the route `METHOD /path` (as registered) has answered. */
  callsTo(method: string, path: string): number;
  close(): Promise<void>;
}

interface Route {
  readonly key: string;
  readonly method: string;
  readonly pattern: RegExp;
  readonly script: RouteScript;
  calls: number;
}

function patternOf(path: string): RegExp {
  const source = path
    .split('/')
    .map((segment) => (/^\{[^}]+\}$/.test(segment) ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}$`);
}

function pick(script: RouteScript, request: RecordedRequest, call: number): ScriptedResponse {
  if (typeof script === 'function') return script(request, call);
  if (Array.isArray(script)) return script[Math.min(call, script.length) - 1] ?? {};
  return script as ScriptedResponse;
}

function send(res: ServerResponse, response: ScriptedResponse): void {
  const headers: Record<string, string> = { ...response.headers };
  const hasContentType = Object.keys(headers).some((k) => k.toLowerCase() === 'content-type');
  let body = '';
  if (typeof response.body === 'string') body = response.body;
  else if (response.body !== undefined) {
    body = JSON.stringify(response.body);
    if (!hasContentType) headers['content-type'] = 'application/json';
  }
  res.writeHead(response.status ?? 200, headers);
  res.end(body);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** A scripted HTTP server on 127.0.0.1 (an ephemeral port) that records every request. */
export async function startLoopbackServer(): Promise<LoopbackServer> {
  const routes = new Map<string, Route>();
  const requests: RecordedRequest[] = [];

  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const target = new URL(req.url ?? '/', 'http://127.0.0.1');
      const method = (req.method ?? 'GET').toUpperCase();
      // A literal path wins over a `{name}` pattern, whatever order they were registered in.
      const route =
        routes.get(`${method} ${target.pathname}`) ?? [...routes.values()].find((r) => r.method === method && r.pattern.test(target.pathname));
      const recorded: RecordedRequest = {
        method,
        path: target.pathname,
        query: Object.fromEntries(target.searchParams),
        rawQuery: target.search.replace(/^\?/, ''),
        headers: req.headers,
        body,
        ...(route ? { route: route.key } : {}),
      };
      requests.push(recorded);
      if (!route) {
        send(res, { status: 404, body: { error: `no route for ${method} ${target.pathname}` } });
        return;
      }
      route.calls++;
      send(res, pick(route.script, recorded, route.calls));
    })().catch((err: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`loopback server: ${(err as Error).message}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const keyOf = (method: string, path: string) => `${method.toUpperCase()} ${path}`;
  const api: LoopbackServer = {
    url: `http://127.0.0.1:${port}`,
    requests,
    route(method, path, script) {
      const key = keyOf(method, path);
      routes.set(key, { key, method: method.toUpperCase(), pattern: patternOf(path), script, calls: 0 });
      return api;
    },
    callsTo(method, path) {
      return routes.get(keyOf(method, path))?.calls ?? 0;
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
  return api;
}
