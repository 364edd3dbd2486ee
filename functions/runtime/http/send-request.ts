import { request, type Dispatcher } from 'undici';
import { ArazzoRuntimeError, authFailed, invalidResponse, providerUnavailable, stepTimeout } from '../../../core/errors.js';
import { describeTlsAlert, TlsAlertAgent } from './tls-alert-agent.js';
import type { BuiltRequest } from './build-request.js';
import type { ResponseMediaTypes } from '../../../core/plan.js';
import { findUndeclaredMediaType, isJsonMediaType, isXmlMediaType, mediaTypeOf, mediaTypeParameter, type UndeclaredMediaType } from '../../../core/media-type.js';

export interface ReceivedResponse {
  readonly statusCode: number;
  /** Lower-case header names; repeated headers joined with ", ". */
  readonly headers: Record<string, string>;
  readonly body: unknown;
  readonly durationMs: number;
  /**
   * Set when the answer's Content-Type is not one the operation declares for its status: the
   * body is then left as text, unparsed (its label cannot be trusted), for the caller to refuse.
   */
  readonly undeclaredMediaType?: UndeclaredMediaType;
}

export interface SendOptions {
  readonly dispatcher?: Dispatcher;
  readonly connectTimeoutMs: number;
  readonly requestTimeoutMs: number;
  /** Larger bodies are refused: only declared outputs leave the handler, but the body must be read first. */
  readonly maxBodyBytes?: number;
  /** How messages name the request (method and path template): never the resolved URL. */
  readonly describe: string;
  /**
   * What is left of the step's Arazzo 1.1 `timeout`, in ms: past it the exchange is aborted and
   * fails with `Arazzo.StepTimeout` (the step's failure, not a provider fault to retry).
   */
  readonly stepTimeout?: { readonly remainingMs: number; readonly timeoutMs: number };
  /** What the operation declares it answers with (the plan's `operation.responseMediaTypes`); unchecked when absent. */
  readonly responseMediaTypes?: ResponseMediaTypes;
}

const TRANSPORT_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED',
]);

// The provider answered, but not in a form HTTP/1.1 can read (a header block past undici's cap, a line
// break inside a header value, a body shorter or longer than its Content-Length): its answer, not the wire, is at fault.
const UNREADABLE_RESPONSE_CODES = new Set(['HTTPParserError', 'UND_ERR_HEADERS_OVERFLOW', 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH', 'UND_ERR_RES_EXCEEDED_MAX_SIZE']);

/**
 * JSON nested deeper than this is refused before parsing: V8 parses any depth, but everything
 * after it that walks a value recursively (JSON.stringify, structuredClone, the engine's copy of
 * the state) overflows the stack some thousands of levels down, with a RangeError that names
 * nothing. Real provider payloads nest a few dozen levels.
 */
export const MAX_JSON_DEPTH = 1000;

/** Whether the JSON text opens more than `limit` arrays/objects inside one another; strings are skipped. */
export function jsonNestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return false;
}

function describe(err: unknown): string {
  const e = err as { code?: string; cause?: { code?: string } };
  return e.code ?? e.cause?.code ?? (err as Error).name ?? 'unknown error';
}

// Only the start of the document: the XML declaration must come first (XML 1.0 §2.8).
const XML_DECLARED_ENCODING = /^<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z][A-Za-z0-9._-]*)["']/;

/**
 * The body as text, in the encoding its byte-order mark names, else the charset of the
 * Content-Type, else (XML) the encoding of its declaration, else UTF-8: the order of the
 * WHATWG and XML 1.0 Appendix F sniffing. An unknown charset falls back to UTF-8 rather than
 * failing the step. The mark itself is dropped, so JSON.parse and the XML parser see the document.
 */
export function decodeBody(bytes: Uint8Array, contentType: string): string {
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 'utf-8' : bytes[0] === 0xff && bytes[1] === 0xfe ? 'utf-16le' : bytes[0] === 0xfe && bytes[1] === 0xff ? 'utf-16be' : undefined;
  let charset = bom ?? mediaTypeParameter(contentType, 'charset');
  if (!charset && isXmlMediaType(mediaTypeOf(contentType))) {
    charset = XML_DECLARED_ENCODING.exec(Buffer.from(bytes.subarray(0, 200)).toString('latin1'))?.[1];
  }
  // The common case without a decoder object: UTF-8 with no mark decodes the same way (invalid sequences become U+FFFD).
  if (!bom && (!charset || /^utf-?8$/i.test(charset))) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  try {
    return new TextDecoder(charset ?? 'utf-8').decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}

/**
 * JSON media types are parsed; every other body (XML included, which an xpath criterion parses
 * itself) stays text, so `$response.body#/pointer` finds nothing in it.
 */
export function parseBody(text: string, contentType: string, what: string): unknown {
  if (text === '') return undefined;
  if (isJsonMediaType(mediaTypeOf(contentType))) {
    if (jsonNestsDeeperThan(text, MAX_JSON_DEPTH)) throw invalidResponse(`${what} answered with JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
    try {
      return JSON.parse(text);
    } catch {
      throw invalidResponse(`${what} answered with malformed JSON (${text.length} bytes)`);
    }
  }
  return text;
}

/**
 * Sends one request with undici (pooled by the dispatcher, bounded by connect/headers/body
 * timeouts). Transport faults become `Arazzo.ProviderUnavailable`; an answer labelled with a
 * media type the operation does not declare comes back marked (`undeclaredMediaType`), unparsed.
 * Messages name the method and path only, never headers or bodies, since they reach the
 * execution history.
 */
export async function sendRequest(req: BuiltRequest, options: SendOptions): Promise<ReceivedResponse> {
  const started = performance.now();
  const what = options.describe;
  const maxBodyBytes = options.maxBodyBytes ?? 5 * 1024 * 1024;
  // One bound on the whole exchange, cleared as soon as it ends (AbortSignal.timeout would keep a timer per call alive until it fires).
  const deadline = new AbortController();
  const transportMs = options.connectTimeoutMs + options.requestTimeoutMs;
  const step = options.stepTimeout;
  const stepBound = step !== undefined && step.remainingMs <= transportMs;
  const timedOut = () => stepTimeout(`${what} did not answer within the step's timeout of ${step!.timeoutMs} ms`);
  if (step !== undefined && step.remainingMs <= 0) throw timedOut();
  let stepExpired = false;
  const timer = setTimeout(
    () => {
      stepExpired = stepBound;
      deadline.abort();
    },
    stepBound ? step.remainingMs : transportMs,
  );
  try {
    const res = await request(req.url, {
      method: req.method as Dispatcher.HttpMethod,
      headers: req.headers,
      body: req.body,
      dispatcher: options.dispatcher,
      headersTimeout: options.requestTimeoutMs,
      bodyTimeout: options.requestTimeoutMs,
      signal: deadline.signal,
    });
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
    const declared = Number(headers['content-length'] ?? 0);
    if (declared > maxBodyBytes) {
      await res.body.dump();
      throw invalidResponse(`${what} answered with a ${declared}-byte body, over the ${maxBodyBytes}-byte limit`);
    }
    let bytes: Uint8Array;
    if (headers['content-length'] !== undefined) {
      // Length declared and within the limit (undici fails a body that disagrees with it): read it whole.
      bytes = await res.body.bytes();
    } else {
      const chunks: Buffer[] = [];
      let read = 0;
      for await (const chunk of res.body) {
        read += chunk.length;
        if (read > maxBodyBytes) {
          res.body.destroy();
          throw invalidResponse(`${what} answered with a body over the ${maxBodyBytes}-byte limit`);
        }
        chunks.push(chunk as Buffer);
      }
      bytes = Buffer.concat(chunks);
    }
    const size = bytes.byteLength;
    const contentType = headers['content-type'] ?? '';
    const text = decodeBody(bytes, contentType);
    // Checked before parsing: JSON labelled text/plain, or HTML labelled JSON, is the provider's contract fault, not a body to read.
    const undeclaredMediaType = findUndeclaredMediaType(options.responseMediaTypes, res.statusCode, contentType, size);
    if (undeclaredMediaType) return { statusCode: res.statusCode, headers, body: text, durationMs: performance.now() - started, undeclaredMediaType };
    return { statusCode: res.statusCode, headers, body: parseBody(text, contentType, what), durationMs: performance.now() - started };
  } catch (err) {
    if (err instanceof ArazzoRuntimeError) throw err;
    // The step's own bound ran out (undici may report it as its headers or body timeout, or as the abort).
    if (stepExpired || (stepBound && performance.now() - started >= step.remainingMs)) throw timedOut();
    const name = (err as Error).name;
    if (name === 'TimeoutError' || name === 'AbortError') throw providerUnavailable(`${what} failed: timed out`, { cause: err });
    const code = describe(err);
    // A TLS alert from the server (a client certificate missing or refused) is not mended by retrying.
    const alert = describeTlsAlert(code);
    const refused = options.dispatcher instanceof TlsAlertAgent ? options.dispatcher.refusal(err) : alert && `the server refused the TLS handshake (alert: ${alert})`;
    if (refused) throw authFailed(`${what} failed: ${refused}`, { cause: err });
    if (TRANSPORT_CODES.has(code)) throw providerUnavailable(`${what} failed: ${code}`, { cause: err });
    if (UNREADABLE_RESPONSE_CODES.has(code)) throw invalidResponse(`${what} answered with a response HTTP/1.1 cannot read: ${code}`, { cause: err });
    // Anything else (an argument undici refuses, ...) will not get better by retrying.
    throw invalidResponse(`${what} could not be sent: ${code}`, { cause: err });
  } finally {
    clearTimeout(timer);
  }
}
