import type { ResponseMediaTypes } from './plan.js';

/** The bare, lower-case media type of a Content-Type value (`application/json`), parameters dropped. */
export function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

/** `application/json`, any `+json` suffix (RFC 6839) and `text/json`, which some servers still send. */
export function isJsonMediaType(mediaType: string): boolean {
  return mediaType === 'application/json' || mediaType === 'text/json' || mediaType.endsWith('+json');
}

/** `application/xml`, `text/xml` and any `+xml` suffix (RFC 7303). */
export function isXmlMediaType(mediaType: string): boolean {
  return mediaType === 'application/xml' || mediaType === 'text/xml' || mediaType.endsWith('+xml');
}

export function isFormMediaType(mediaType: string): boolean {
  return mediaType === 'application/x-www-form-urlencoded';
}

export function isMultipartFormMediaType(mediaType: string): boolean {
  return mediaType === 'multipart/form-data';
}

/** The value of one parameter of a Content-Type (`charset`, `boundary`), unquoted; undefined when absent. */
export function mediaTypeParameter(contentType: string | undefined, name: string): string | undefined {
  for (const part of (contentType ?? '').split(';').slice(1)) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim().toLowerCase() !== name) continue;
    const value = part.slice(eq + 1).trim();
    return value.startsWith('"') && value.endsWith('"') && value.length >= 2 ? value.slice(1, -1).replace(/\\(.)/g, '$1') : value;
  }
  return undefined;
}

/**
 * The response an OpenAPI operation declares for a status (OpenAPI 3.1 §Responses Object): the
 * status's own entry, else its range (`4XX`), else `default`; undefined when it declares none.
 */
export function declaredResponseFor(declared: ResponseMediaTypes, statusCode: number): { readonly key: string; readonly mediaTypes: readonly string[] } | undefined {
  for (const key of [String(statusCode), `${Math.floor(statusCode / 100)}XX`, 'default']) {
    if (Object.hasOwn(declared, key)) return { key, mediaTypes: declared[key] };
  }
  return undefined;
}

/**
 * Whether a Content-Type is one of the declared media types, which may be ranges (`text/*`) or
 * the match-all; parameters and case are ignored on both sides. Types read the same way count as
 * the same: any JSON type for a declared JSON type (`application/problem+json` where
 * `application/json` is declared), any XML type for a declared XML type, since the check guards
 * against a body being misread, not against a spelling. Without a Content-Type, only the
 * match-all takes it.
 */
export function isDeclaredMediaType(contentType: string | undefined, declared: readonly string[]): boolean {
  const received = mediaTypeOf(contentType);
  return declared.some((entry) => {
    const d = mediaTypeOf(entry);
    return (
      d === '*/*' ||
      d === received ||
      (d.endsWith('/*') && received.startsWith(d.slice(0, -1))) ||
      (isJsonMediaType(d) && isJsonMediaType(received)) ||
      (isXmlMediaType(d) && isXmlMediaType(received))
    );
  });
}

/** A non-empty answer labelled with a media type its operation does not declare for its status. */
export interface UndeclaredMediaType {
  /** The bare, lower-case media type received; `''` when the answer had no Content-Type. */
  readonly received: string;
  /** The response key it was checked against: the status, its range (`5XX`) or `default`. */
  readonly responseKey: string;
  readonly declared: readonly string[];
}

/**
 * Checks a success answer's Content-Type against what the operation declares (parameters and
 * case ignored). Nothing to check (undefined) for an error answer (not 2xx: it is read as
 * labelled, for the failure path to judge, as before any check), when the body is empty, when the
 * operation declares no response for the status, or when that response declares no content.
 */
export function findUndeclaredMediaType(
  declared: ResponseMediaTypes | undefined,
  statusCode: number,
  contentType: string | undefined,
  bodyBytes: number,
): UndeclaredMediaType | undefined {
  if (!declared || bodyBytes === 0 || statusCode < 200 || statusCode >= 300) return undefined;
  const response = declaredResponseFor(declared, statusCode);
  if (!response || response.mediaTypes.length === 0) return undefined;
  if (isDeclaredMediaType(contentType, response.mediaTypes)) return undefined;
  return { received: mediaTypeOf(contentType), responseKey: response.key, declared: response.mediaTypes };
}
