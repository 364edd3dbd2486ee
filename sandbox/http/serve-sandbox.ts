import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiRoute, RouteTable } from './build-route-table.js';
import type { ValidationResult } from './compile-request-validator.js';
import type { FaultTarget } from './create-fault-injector.js';
import type { FaultRule } from './fault-rule.js';
import type { Problem } from './problem.js';
import { PayloadTooLargeError, readRequestBody } from './read-request-body.js';
import type { RequestLogEntry } from './request-log-entry.js';
import type { SandboxResponse } from './sandbox-response.js';
import type { SandboxTlsOptions } from './sandbox-start-options.js';

/** A request as the simulator sees it, body already buffered. */
export interface SandboxExchange {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly rawBody: Buffer;
  /** Fresh per request; error envelopes quote it (Fintecture's `log_id`). */
  readonly logId: string;
  /** `http://host:port` (`https://` when served with TLS) of this server. */
  readonly baseUrl: string;
  /** The certificate the client presented on a TLS connection that asked for one (mutual TLS). */
  readonly clientCertificate?: ClientCertificateSeen;
}

/** What a simulator sees of a client certificate: never the key, which the client keeps. */
export interface ClientCertificateSeen {
  /** Its subject's common name. */
  readonly subject: string;
  /** RFC 8705 §3.1 `x5t#S256`: base64url SHA-256 of the DER certificate, what certificate-bound tokens carry. */
  readonly thumbprint: string;
}

function clientCertificateOf(req: IncomingMessage): ClientCertificateSeen | undefined {
  const socket = req.socket as Partial<TLSSocket>;
  if (typeof socket.getPeerCertificate !== 'function' || !socket.authorized) return undefined;
  const peer = socket.getPeerCertificate();
  if (!peer?.raw) return undefined;
  return { subject: String(peer.subject?.CN ?? ''), thumbprint: createHash('sha256').update(peer.raw).digest('base64url') };
}

/** Validates the exchange's parameters and body against the operation its path matched. */
export function validateExchange(route: ApiRoute, exchange: SandboxExchange, pathParams: Readonly<Record<string, string>>): ValidationResult {
  return route.validate({ pathParams, query: exchange.query, headers: exchange.headers, rawBody: exchange.rawBody });
}

export interface SandboxErrorSpec {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail?: string;
  /** Listed as the envelope's errors; a single problem is made from code/title/detail when absent. */
  readonly problems?: readonly Problem[];
  readonly headers?: Readonly<Record<string, string>>;
  /** The route the request matched, so an envelope can differ per API (OAuth adds RFC 6749 fields). */
  readonly route?: ApiRoute;
  readonly logId: string;
}

export interface ServeSandboxOptions {
  readonly host: string;
  readonly port: number;
  readonly routes: RouteTable;
  /** HTTPS, with client certificates required when it names their CA. */
  readonly tls?: SandboxTlsOptions;
  /** @default 1 MiB */
  readonly bodyLimitBytes?: number;
  takeFault(target: FaultTarget): FaultRule | undefined;
  dispatch(exchange: SandboxExchange, route: ApiRoute, pathParams: Readonly<Record<string, string>>): SandboxResponse | Promise<SandboxResponse>;
  /** Answers paths outside the API descriptions (e.g. a connect page); `undefined` means 404. */
  fallback?(exchange: SandboxExchange): SandboxResponse | undefined;
  /** The provider's error envelope. */
  renderError(spec: SandboxErrorSpec): SandboxResponse;
  onLog(entry: RequestLogEntry): void;
}

export interface SandboxServer {
  readonly url: string;
  close(): Promise<void>;
}

const FAULT_CODES: Record<number, [code: string, title: string]> = {
  429: ['too_many_requests', 'Too many requests'],
  500: ['internal_error', 'Internal server error'],
  502: ['bad_gateway', 'Bad gateway'],
  503: ['service_unavailable', 'Service unavailable'],
  504: ['gateway_timeout', 'Gateway timeout'],
};

function serialise(response: SandboxResponse): string {
  return response.text ?? (response.body === undefined ? '' : JSON.stringify(response.body));
}

function truncate(json: string): string {
  // Any proper prefix of a serialised object or array is invalid JSON.
  return json.slice(0, Math.max(1, Math.floor(json.length / 2)));
}

async function write(res: ServerResponse, response: SandboxResponse, fault: FaultRule | undefined, signal: AbortSignal): Promise<void> {
  const text = serialise(response);
  const headers: Record<string, string | number> = { 'content-length': Buffer.byteLength(text) };
  if (text.length > 0) headers['content-type'] = response.contentType ?? 'application/json; charset=utf-8';
  const relabelled = fault?.contentType === undefined ? {} : { 'content-type': fault.contentType };
  res.writeHead(response.status, { ...headers, ...response.headers, ...relabelled });
  if (fault?.bodyDelayMs) {
    // The status line and headers leave now, so the client's headers timeout is met and only its body timeout can fire.
    res.flushHeaders();
    await sleep(fault.bodyDelayMs, undefined, { signal });
  }
  res.end(text);
}

function formatUrl(host: string, port: number, tls: boolean): string {
  const shown = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `${tls ? 'https' : 'http'}://${shown.includes(':') ? `[${shown}]` : shown}:${port}`;
}

/**
 * The HTTP skeleton shared by the provider simulators: buffers the body, routes against the API
 * descriptions, applies scenario faults, hands the request to the simulator and logs the outcome.
 */
export async function serveSandbox(options: ServeSandboxOptions): Promise<SandboxServer> {
  const closing = new AbortController();
  const bodyLimit = options.bodyLimitBytes ?? 1024 * 1024;
  let baseUrl = '';

  function faultResponse(fault: FaultRule, logId: string, route: ApiRoute | undefined, answered?: SandboxResponse): SandboxResponse {
    const status = fault.status ?? answered?.status ?? 200;
    const retryAfter = fault.retryAfter === false ? undefined : (fault.retryAfter ?? fault.retryAfterSeconds ?? (status === 429 ? 1 : undefined));
    const headers = retryAfter === undefined ? undefined : { 'retry-after': String(retryAfter) };
    if (fault.malformedJson) {
      const base = answered && answered.text === undefined ? serialise(answered) : '{"meta":{"status":"payment_created","session_id":"';
      return { status, text: truncate(base), contentType: 'application/json; charset=utf-8', headers };
    }
    const [code, title] = FAULT_CODES[status] ?? ['sandbox_fault', 'Injected fault'];
    return options.renderError({ status, code, title, detail: 'injected by the sandbox scenario', headers, route, logId });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
    const logId = randomUUID();
    let operationId: string | undefined;
    const log = (status: number, fault: boolean) =>
      options.onLog({
        method,
        path: url.pathname,
        ...(operationId ? { operationId } : {}),
        status,
        durationMs: Math.round((performance.now() - started) * 100) / 100,
        ...(fault ? { fault: true as const } : {}),
      });
    const respond = async (response: SandboxResponse, fault?: FaultRule) => {
      await write(res, response, fault, closing.signal);
      log(response.status, fault !== undefined);
    };
    const reset = () => {
      req.socket.destroy();
      log(0, true);
    };

    const answer = async (): Promise<void> => {
      let rawBody: Buffer;
      try {
        rawBody = await readRequestBody(req, bodyLimit);
      } catch (err) {
        if (!(err instanceof PayloadTooLargeError)) throw err;
        res.setHeader('connection', 'close');
        return respond(options.renderError({ status: 413, code: 'payload_too_large', title: 'Payload too large', detail: err.message, logId }));
      }

      const match = options.routes.match(method, url.pathname);
      const route = match.kind === 'found' ? match.route : undefined;
      operationId = route?.operationId;
      const fault = options.takeFault({ method, path: url.pathname, operationId, pathTemplate: route?.pathTemplate, headers: req.headers });
      const after = fault?.when === 'after';
      const replaces = fault !== undefined && (fault.status !== undefined || fault.malformedJson === true);

      if (fault?.delayMs) await sleep(fault.delayMs, undefined, { signal: closing.signal });
      if (fault?.resetConnection && !after) return reset();
      if (fault && replaces && !after) return respond(faultResponse(fault, logId, route), fault);

      const clientCertificate = clientCertificateOf(req);
      const exchange: SandboxExchange = {
        method,
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        rawBody,
        logId,
        baseUrl,
        ...(clientCertificate ? { clientCertificate } : {}),
      };
      let response: SandboxResponse;
      if (match.kind === 'found') {
        response = await options.dispatch(exchange, match.route, match.pathParams);
      } else if (match.kind === 'method-not-allowed') {
        const allow = match.allow.join(', ');
        const detail = `${method} is not allowed on ${url.pathname}; allowed: ${allow}`;
        response = options.renderError({ status: 405, code: 'method_not_allowed', title: 'Method not allowed', detail, headers: { allow }, logId });
      } else {
        response =
          options.fallback?.(exchange) ??
          options.renderError({ status: 404, code: 'not_found', title: 'Not found', detail: `no operation at ${method} ${url.pathname}`, logId });
      }

      if (fault && after && fault.resetConnection) return reset();
      if (fault && after && replaces) return respond(faultResponse(fault, logId, route, response), fault);
      return respond(response, fault);
    };

    try {
      await answer();
    } catch (err) {
      if (closing.signal.aborted || res.headersSent) return void req.socket.destroy();
      const detail = err instanceof Error ? err.message : String(err);
      await respond(options.renderError({ status: 500, code: 'internal_error', title: 'Internal server error', detail, logId }));
    }
  }

  const listener = (req: IncomingMessage, res: ServerResponse) => void handle(req, res);
  const tls = options.tls;
  // With a client CA, a client without a certificate it issued is refused during the handshake (Node answers the TLS alert).
  const server = tls
    ? createTlsServer({ cert: tls.cert, key: tls.key, ...(tls.clientCa ? { ca: tls.clientCa, requestCert: true, rejectUnauthorized: true } : {}) }, listener)
    : createServer(listener);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  baseUrl = formatUrl(options.host, (server.address() as AddressInfo).port, tls !== undefined);

  return {
    url: baseUrl,
    close: () =>
      new Promise<void>((resolve, reject) => {
        closing.abort();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
