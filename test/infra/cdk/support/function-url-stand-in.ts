import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FunctionUrlEvent, FunctionUrlResult } from '../../../../functions/handlers/create-webhook-handler.js';

export interface FunctionUrlStandIn {
  /** What `Fn::GetAtt [<url>, FunctionUrl]` resolves to: `https://<id>.lambda-url.<region>.on.aws/`, here on loopback. */
  readonly url: string;
  close(): Promise<void>;
}

/** Function URLs hand the function text bodies as they are and anything else base64-encoded. */
const isText = (contentType: string) => /^(text\/|application\/(json|xml|x-www-form-urlencoded|[\w.+-]+\+(json|xml)))/i.test(contentType);

/**
 * A Lambda Function URL on loopback: each HTTP request becomes the payload format 2.0 event
 * Lambda delivers (lower-cased headers, duplicates joined with commas, raw path and query string,
 * `isBase64Encoded` for binary bodies), and the handler's `{ statusCode, headers, body }` becomes
 * the response. `handler` is read per request, so a bundle loaded after the server started serves.
 */
export async function startFunctionUrlStandIn(handler: () => ((event: FunctionUrlEvent) => Promise<FunctionUrlResult>) | undefined): Promise<FunctionUrlStandIn> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const url = new URL(req.url ?? '/', 'http://function-url');
      const headers: Record<string, string> = {};
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        const name = req.rawHeaders[i].toLowerCase();
        headers[name] = headers[name] === undefined ? req.rawHeaders[i + 1] : `${headers[name]},${req.rawHeaders[i + 1]}`;
      }
      const raw = Buffer.concat(chunks);
      const text = isText(headers['content-type'] ?? '');
      const event = {
        version: '2.0',
        routeKey: '$default',
        rawPath: url.pathname,
        rawQueryString: url.search.replace(/^\?/, ''),
        headers,
        ...(url.search ? { queryStringParameters: Object.fromEntries(url.searchParams) } : {}),
        requestContext: {
          accountId: 'anonymous',
          apiId: 'standin',
          domainName: headers.host,
          http: { method: req.method, path: url.pathname, protocol: 'HTTP/1.1', sourceIp: req.socket.remoteAddress, userAgent: headers['user-agent'] ?? '' },
          requestId: randomUUID(),
          routeKey: '$default',
          stage: '$default',
          time: new Date().toUTCString(),
          timeEpoch: Date.now(),
        },
        ...(raw.length ? { body: text ? raw.toString('utf8') : raw.toString('base64'), isBase64Encoded: !text } : { isBase64Encoded: false }),
      };
      const fn = handler();
      if (!fn) {
        res.writeHead(502).end();
        return;
      }
      try {
        const result = await fn(event);
        res.writeHead(result.statusCode, result.headers);
        res.end(result.body);
      } catch {
        // What a Function URL answers when the function throws.
        res.writeHead(502, { 'content-type': 'application/json' }).end('{"Message":"Internal Server Error"}');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
