import { lookup as dnsLookup } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { Agent, request } from 'undici';
import { formatBytes } from './load-limits.js';

/**
 * Addresses a compile-time fetch never connects to unless allowed (`--allow-private-fetch`):
 * link-local (169.254.0.0/16, where the AWS, GCP and Azure instance metadata services answer;
 * fe80::/10) and the unique-local fd00::/8 (AWS's IPv6 metadata endpoint is fd00:ec2::254), plus
 * the unspecified addresses. A source description is untrusted input: a URL or redirect into the
 * metadata service would hand the build machine's role credentials to whoever wrote the document.
 * Loopback stays allowed: it reaches only this machine's own servers (the tests serve documents
 * from 127.0.0.1), never another machine's credentials.
 */
const REFUSED = new BlockList();
REFUSED.addSubnet('169.254.0.0', 16, 'ipv4');
REFUSED.addSubnet('0.0.0.0', 8, 'ipv4');
REFUSED.addSubnet('fe80::', 10, 'ipv6');
REFUSED.addSubnet('fd00::', 8, 'ipv6');
REFUSED.addAddress('::', 'ipv6');

/** Whether a compile-time fetch refuses this IP address (IPv4-mapped IPv6 addresses are checked as IPv4). */
export function isRefusedAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return REFUSED.check(mapped[1], 'ipv4');
  const family = isIP(address);
  if (family === 0) return false;
  return REFUSED.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export interface FetchLimits {
  readonly maxFileBytes: number;
  /** Time for one fetch, redirects included. */
  readonly timeoutMs: number;
  /** Connect to link-local and metadata addresses too. */
  readonly allowPrivate?: boolean;
  readonly maxRedirects?: number;
}

/** What a fetch got: the bytes and the URL they came from (after redirects), or why not, as a sentence quoting nothing of the body. */
export type FetchOutcome =
  | { readonly bytes: Buffer; readonly finalUrl: string; readonly problem?: undefined }
  | { readonly problem: string; readonly refused?: boolean; readonly bytes?: undefined };

class RefusedAddress extends Error {
  constructor(readonly host: string, readonly address: string) {
    super(`${host} resolves to ${address}, a link-local or metadata address`);
  }
}

/** dns.lookup that fails when any address of the name is refused: checked where the socket connects, so a second resolution cannot differ. */
function checkedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const refused = allowPrivate ? undefined : addresses.find((a) => isRefusedAddress(a.address));
      if (refused) return callback(new RefusedAddress(hostname, refused.address), '', 0);
      if (options.all) return callback(null, addresses);
      return callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

function causeOf(err: unknown): unknown {
  let e = err as { cause?: unknown } | undefined;
  for (let i = 0; i < 5 && e; i++) {
    if (e instanceof RefusedAddress) return e;
    e = e.cause as typeof e;
  }
  return err;
}

function describeError(err: unknown, timeoutMs: number): string {
  const seconds = +(timeoutMs / 1000).toFixed(1);
  const e = err as { code?: string; name?: string; message?: string };
  switch (e?.code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
      return `the connection did not open within ${seconds} s`;
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
    case 'UND_ERR_ABORTED':
      return `no complete answer within ${seconds} s`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the host name does not resolve';
    case 'ECONNREFUSED':
      return 'the connection was refused';
    case 'ECONNRESET':
      return 'the connection was reset';
    default:
      if (e?.name === 'AbortError' || e?.name === 'TimeoutError') return `no complete answer within ${seconds} s`;
      return `the request failed (${e?.code ?? e?.name ?? 'error'})`;
  }
}

/** Drops an answer's body unread: its abort error has a listener, not an uncaught exception. */
function discard(body: { on(event: 'error', listener: () => void): unknown; destroy(): unknown }): void {
  body.on('error', () => undefined);
  body.destroy();
}

/**
 * GETs one remote document at compile time: http(s) only, every address checked after DNS
 * resolution (and a literal IP before any connection), at most `maxRedirects` redirects (each
 * target checked the same way), the body read while it streams and cut off one byte past
 * `maxFileBytes`, the whole exchange bounded by `timeoutMs`.
 */
export async function fetchRemote(url: string, limits: FetchLimits): Promise<FetchOutcome> {
  const allowPrivate = limits.allowPrivate === true;
  // Timers take whole milliseconds.
  limits = { ...limits, timeoutMs: Math.max(1, Math.ceil(limits.timeoutMs)) };
  const maxRedirects = limits.maxRedirects ?? 5;
  const agent = new Agent({
    connect: { timeout: limits.timeoutMs, lookup: checkedLookup(allowPrivate) },
    headersTimeout: limits.timeoutMs,
    bodyTimeout: limits.timeoutMs,
  });
  const signal = AbortSignal.timeout(limits.timeoutMs);
  let current = url;
  try {
    for (let hop = 0; ; hop++) {
      let parsed: URL;
      try {
        parsed = new URL(current);
      } catch {
        return { problem: `${current} is not a valid URL` };
      }
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return { problem: `${current} is not an http(s) URL` };
      if (parsed.username || parsed.password) return { problem: `${parsed.origin} carries credentials in the URL; they are not sent` };
      const host = parsed.hostname.replace(/^\[|\]$/g, '');
      if (!allowPrivate && isRefusedAddress(host)) {
        return { problem: `${parsed.origin} is a link-local or metadata address; refused (--allow-private-fetch allows it)`, refused: true };
      }
      let response: Awaited<ReturnType<typeof request>>;
      try {
        response = await request(parsed, { method: 'GET', dispatcher: agent, signal, headers: { accept: 'application/yaml, application/json;q=0.9, */*;q=0.5' } });
      } catch (err) {
        const cause = causeOf(err);
        if (cause instanceof RefusedAddress) return { problem: `${cause.message}; refused (--allow-private-fetch allows it)`, refused: true };
        return { problem: `${parsed.origin}${parsed.pathname}: ${describeError(cause, limits.timeoutMs)}` };
      }
      const { statusCode, headers, body } = response;
      if (statusCode >= 300 && statusCode < 400 && headers.location) {
        discard(body);
        if (hop >= maxRedirects) return { problem: `${url}: more than ${maxRedirects} redirects` };
        const location = Array.isArray(headers.location) ? headers.location[0] : headers.location;
        try {
          current = new URL(location, parsed).href;
        } catch {
          return { problem: `${parsed.href} redirects to an invalid URL` };
        }
        continue;
      }
      if (statusCode !== 200) {
        discard(body);
        return { problem: `${parsed.href} answered HTTP ${statusCode}` };
      }
      const declared = Number(headers['content-length']);
      if (Number.isFinite(declared) && declared > limits.maxFileBytes) {
        discard(body);
        return { problem: `${parsed.href} is ${formatBytes(declared)}, over the ${formatBytes(limits.maxFileBytes)} limit per file (--max-file-size)` };
      }
      const chunks: Buffer[] = [];
      let length = 0;
      try {
        for await (const chunk of body as AsyncIterable<Buffer>) {
          length += chunk.length;
          if (length > limits.maxFileBytes) {
            discard(body);
            return { problem: `${parsed.href} is over the ${formatBytes(limits.maxFileBytes)} limit per file (--max-file-size)` };
          }
          chunks.push(chunk);
        }
      } catch (err) {
        return { problem: `${parsed.href}: ${describeError(causeOf(err), limits.timeoutMs)}` };
      }
      return { bytes: Buffer.concat(chunks, length), finalUrl: parsed.href };
    }
  } finally {
    await agent.destroy().catch(() => undefined);
  }
}
