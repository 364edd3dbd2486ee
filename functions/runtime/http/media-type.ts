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
