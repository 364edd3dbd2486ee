import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { SfnApi } from './api.js';
import { checkAccess, type AccessOptions } from './check-access.js';
import { SfnError } from './errors.js';
import { isOperation } from './requests.js';

const CONTENT_TYPE = 'application/x-amz-json-1.0';
const TARGET_PREFIX = 'AWSStepFunctions.';
/** A definition may be 1 MiB and an input 256 KiB; more than this is no request the service would take. */
const MAX_BODY = 2 * 1024 * 1024;

function send(res: ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': CONTENT_TYPE, 'content-length': Buffer.byteLength(text), 'x-amzn-requestid': randomUUID() });
  res.end(text);
}

function sendError(res: ServerResponse, error: SfnError): void {
  send(res, error.statusCode, { __type: error.type, message: error.message });
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_BODY ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * The Step Functions wire protocol (AWS JSON 1.0): `POST /` with `X-Amz-Target:
 * AWSStepFunctions.<Operation>` and a JSON body. Only loopback Host names (or the listening
 * address's) are served; signatures are not verified, but with a token the access key id of the
 * credential must be that token (see check-access.ts).
 */
export function createSfnServer(api: SfnApi, options: AccessOptions & { readonly report: (message: string) => void }): Server {
  return createServer(async (req, res) => {
    try {
      const refused = checkAccess(req.headers, options);
      if (refused) {
        // Nothing of the request is read: the connection closes after the answer.
        res.setHeader('connection', 'close');
        return sendError(res, refused);
      }
      const target = String(req.headers['x-amz-target'] ?? '');
      if (req.method === 'GET' && !target) {
        return send(res, 200, { service: 'arazzo-sfn local Step Functions endpoint', protocol: 'awsJson1_0', target: `${TARGET_PREFIX}<Operation>` });
      }
      if (req.method !== 'POST') return sendError(res, new SfnError('UnknownOperationException', `${req.method} is not a Step Functions request`, 405));
      const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
      const text = await readBody(req);
      if (!isOperation(operation)) return sendError(res, new SfnError('UnknownOperationException', target ? 'Unknown operation: X-Amz-Target names no Step Functions operation this endpoint serves' : 'Missing X-Amz-Target header'));
      if (text === undefined) return sendError(res, new SfnError('ValidationException', `Request body larger than ${MAX_BODY} bytes`, 413));
      let body: unknown = {};
      if (text.trim()) {
        try {
          body = JSON.parse(text);
        } catch {
          return sendError(res, new SfnError('SerializationException', 'Request body is not valid JSON'));
        }
      }
      if (!body || typeof body !== 'object' || Array.isArray(body)) return sendError(res, new SfnError('SerializationException', 'Request body must be a JSON object'));
      send(res, 200, await api.call(operation, body));
    } catch (err) {
      if (err instanceof SfnError) return sendError(res, err);
      const target = String(req.headers['x-amz-target'] ?? '').slice(TARGET_PREFIX.length);
      options.report(`internal error answering ${isOperation(target) ? target : 'a request'}: ${(err as Error).stack ?? String(err)}`);
      sendError(res, new SfnError('InternalFailure', 'The endpoint failed to answer this request (see its log)'));
    }
  });
}
