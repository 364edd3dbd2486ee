import type { IncomingMessage } from 'node:http';

export class PayloadTooLargeError extends Error {
  override readonly name = 'PayloadTooLargeError';
}

/** Buffers the whole body, refusing more than `limit` bytes so a client cannot exhaust memory. */
export async function readRequestBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new PayloadTooLargeError(`request body exceeds ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export class MultipartSyntaxError extends Error {
  override readonly name = 'MultipartSyntaxError';
}

export interface MultipartPart {
  readonly name: string;
  readonly filename?: string;
  /** The part's Content-Type as sent; RFC 7578 §4.4 reads an absent one as text/plain. */
  readonly contentType?: string;
  readonly data: Buffer;
}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');

/** `name="va\"lue"` and `name=value` parameters of a header value, names lower-cased. */
function headerParameters(value: string): Map<string, string> {
  const params = new Map<string, string>();
  const pattern = /;\s*([^\s=;]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g;
  for (const m of value.matchAll(pattern)) params.set(m[1].toLowerCase(), m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3].trim());
  return params;
}

// The HTML form encoding escapes these three in names and file names (undici does, as browsers do).
const unescapeFormName = (s: string) => s.replace(/%22/g, '"').replace(/%0D/gi, '\r').replace(/%0A/gi, '\n');

/**
 * Splits a multipart/form-data body (RFC 7578, framing of RFC 2046 §5.1.1) into its parts.
 * Throws MultipartSyntaxError when the framing is broken: no opening or closing delimiter, a
 * part without a header block or without a `Content-Disposition: form-data; name=...`.
 */
export function parseMultipartFormData(body: Buffer, boundary: string): MultipartPart[] {
  if (!boundary || boundary.length > 70) throw new MultipartSyntaxError('the boundary parameter is missing or longer than 70 characters');
  const delimiter = Buffer.from(`--${boundary}`);
  // The first delimiter may open the body or follow a preamble that ends with CRLF.
  let at = body.subarray(0, delimiter.length).equals(delimiter) ? 0 : body.indexOf(Buffer.concat([CRLF, delimiter]));
  if (at < 0) throw new MultipartSyntaxError('the body does not contain the boundary');
  if (at > 0) at += CRLF.length;
  const next = Buffer.concat([CRLF, delimiter]);
  const parts: MultipartPart[] = [];
  while (true) {
    at += delimiter.length;
    if (body[at] === 0x2d && body[at + 1] === 0x2d) return parts;
    // RFC 2046 allows linear white space after a delimiter, before its CRLF.
    while (body[at] === 0x20 || body[at] === 0x09) at++;
    if (!body.subarray(at, at + 2).equals(CRLF)) throw new MultipartSyntaxError('a boundary delimiter is not followed by a line break');
    at += CRLF.length;
    const end = body.indexOf(next, at);
    if (end < 0) throw new MultipartSyntaxError('the body ends without its closing boundary');
    const part = body.subarray(at, end);
    const split = part.subarray(0, 2).equals(CRLF) ? 0 : part.indexOf(HEADER_END);
    if (split < 0) throw new MultipartSyntaxError(`part ${parts.length + 1} has no header block`);
    const headers = new Map<string, string>();
    for (const line of part.subarray(0, split).toString('utf8').split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    const disposition = headers.get('content-disposition') ?? '';
    const params = headerParameters(disposition);
    const name = params.get('name');
    if (!/^form-data\s*(;|$)/i.test(disposition) || name === undefined) {
      throw new MultipartSyntaxError(`part ${parts.length + 1} has no Content-Disposition: form-data with a name`);
    }
    const filename = params.get('filename');
    const contentType = headers.get('content-type');
    parts.push({
      name: unescapeFormName(name),
      ...(filename !== undefined ? { filename: unescapeFormName(filename) } : {}),
      ...(contentType ? { contentType } : {}),
      data: part.subarray(split === 0 ? 2 : split + HEADER_END.length),
    });
    at = end + CRLF.length;
  }
}
