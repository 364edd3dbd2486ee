import { constants, createHash, publicEncrypt, type KeyObject } from 'node:crypto';

/** The headers Fintecture signs on a webhook, in its order. */
const SIGNED_HEADERS = ['date', 'digest', 'x-request-id'] as const;

/**
 * The headers of a Fintecture webhook for a form-encoded body, signed as Fintecture signs them:
 * `Digest: SHA-256=<base64 SHA-256 of the body>`, and `Signature` whose `signature` is the
 * signing string (`date`, `digest`, `x-request-id` as `<name>: <value>` lines) RSA-OAEP
 * encrypted to the application's public key, `keyId` the application id. The receiver opens it
 * with the application's private key (`verify.scheme: fintecture`), as Fintecture's own Node SDK
 * does (Fintecture/fintecture-sdk-javascript, src/Validation.ts `authenticateRequest`:
 * `crypto.privateDecrypt(private_key, signature)` compared with the signing string, after the
 * Digest check). So the key pair is the application's, the one it signs its PIS requests with.
 */
export function signFintectureWebhook(options: {
  readonly body: string;
  readonly appId: string;
  /** The application's public key (PEM or KeyObject): the one it registered with Fintecture. */
  readonly publicKey: string | KeyObject;
  readonly date: Date;
  readonly requestId: string;
}): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    date: options.date.toUTCString(),
    digest: `SHA-256=${createHash('sha256').update(options.body).digest('base64')}`,
    'x-request-id': options.requestId,
  };
  const signingString = SIGNED_HEADERS.map((h) => `${h}: ${headers[h]}`).join('\n');
  const signature = publicEncrypt({ key: options.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING }, Buffer.from(signingString)).toString('base64');
  headers.signature = `keyId="${options.appId}",algorithm="rsa-sha256",headers="${SIGNED_HEADERS.join(' ')}",signature="${signature}"`;
  return headers;
}
