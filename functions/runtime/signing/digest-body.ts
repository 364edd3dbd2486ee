import { createHash } from 'node:crypto';

/**
 * The body digest header a signing declaration adds: `Digest: SHA-256=<base64>` (RFC 3230, as
 * draft-cavage providers ask) or `Content-Digest: sha-256=:<base64>:` (RFC 9530, a structured
 * dictionary). Computed over the bytes sent, after encoding; an absent body digests as empty.
 */
export function digestBody(kind: 'digest' | 'content-digest', body: Uint8Array): string {
  const sha256 = createHash('sha256').update(body).digest('base64');
  return kind === 'digest' ? `SHA-256=${sha256}` : `sha-256=:${sha256}:`;
}
