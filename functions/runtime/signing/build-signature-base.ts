import { planError } from '../../../core/errors.js';

/** The parts of a request a signature base reads: header names lower-case. */
export interface SignedMessage {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** Signature parameters: serialised in the order the object lists them. */
export interface SignatureParameters {
  readonly created?: number;
  readonly expires?: number;
  readonly nonce?: string;
  readonly alg?: string;
  readonly keyid?: string;
  readonly tag?: string;
}

function headerValue(message: SignedMessage, name: string, where: string): string {
  const value = message.headers[name];
  if (value === undefined) throw planError(`${where}: the signature covers header "${name}", which the request does not have`);
  // RFC 9421 §2.1 / cavage §2.3: leading and trailing whitespace trimmed, obs-fold and line breaks never reach here (build-request refuses them).
  return value.trim();
}

/** Host as HTTP sends it: lower-case, with the port only when it is not the scheme's default. */
const authorityOf = (url: URL) => url.host.toLowerCase();

/**
 * draft-cavage-http-signatures-12 §2.3: one `name: value` line per covered component, joined
 * by `\n`. `(request-target)` is the lower-case method, a space, the path and query;
 * `(created)`/`(expires)` are the parameters' Unix times; `host` comes from the URL when the
 * request carries no Host header (undici adds it from the URL).
 */
export function buildCavageBase(message: SignedMessage, components: readonly string[], params: SignatureParameters, where: string): string {
  const url = new URL(message.url);
  return components
    .map((c) => {
      switch (c) {
        case '(request-target)':
          return `${c}: ${message.method.toLowerCase()} ${url.pathname}${url.search}`;
        case '(created)':
        case '(expires)': {
          const value = c === '(created)' ? params.created : params.expires;
          if (value === undefined) throw planError(`${where}: the signature covers ${c}, but no ${c.slice(1, -1)} parameter was set`);
          return `${c}: ${value}`;
        }
        case 'host':
          return `host: ${message.headers.host ?? authorityOf(url)}`;
        default:
          return `${c}: ${headerValue(message, c, where)}`;
      }
    })
    .join('\n');
}

/**
 * `("c1" "c2");created=…;keyid="…"`: the inner list and parameters RFC 9421 §2.3 serialises as
 * an sf-inner-list, the parameters in the order given (integers bare, strings quoted).
 */
export function serializeSignatureParams(components: readonly string[], params: SignatureParameters): string {
  const parts = [`(${components.map((c) => JSON.stringify(c)).join(' ')})`];
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined) parts.push(`${name}=${typeof value === 'number' ? value : JSON.stringify(value)}`);
  }
  return parts.join(';');
}

function derivedComponent(url: URL, method: string, name: string, where: string): string {
  switch (name) {
    case '@method':
      return method.toUpperCase();
    case '@authority':
      return authorityOf(url);
    case '@scheme':
      return url.protocol.slice(0, -1).toLowerCase();
    case '@target-uri':
      return url.toString();
    case '@path':
      return url.pathname || '/';
    case '@query':
      return url.search || '?';
    case '@request-target':
      return `${url.pathname}${url.search}`;
    default:
      throw planError(`${where}: the signature covers "${name}", a derived component arazzo-sfn does not produce for requests`);
  }
}

/**
 * RFC 9421 §2.5: one `"name": value` line per covered component, then the
 * `"@signature-params"` line; lines joined by `\n` with no trailing newline. Returns the base and
 * the serialised parameters (the `Signature-Input` member's value).
 */
export function buildRfc9421Base(
  message: SignedMessage,
  components: readonly string[],
  params: SignatureParameters,
  where: string,
): { base: string; signatureParams: string } {
  const url = new URL(message.url);
  const lines = components.map(
    (c) => `${JSON.stringify(c)}: ${c.startsWith('@') ? derivedComponent(url, message.method, c, where) : headerValue(message, c, where)}`,
  );
  const signatureParams = serializeSignatureParams(components, params);
  lines.push(`"@signature-params": ${signatureParams}`);
  return { base: lines.join('\n'), signatureParams };
}
