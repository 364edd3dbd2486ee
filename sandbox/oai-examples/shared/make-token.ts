import { randomBytes } from 'node:crypto';

/** An opaque, unguessable token (access token, authorization code, session id). */
export function makeToken(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}
