import { constants, createHash, createHmac, privateDecrypt, timingSafeEqual } from 'node:crypto';
import type { CallbackVerification } from '../../../core/plan.js';

/** Why a callback was refused: a metric dimension and a log field, never a value from the request. */
export type ForgedReason = 'missing-signature' | 'bad-signature' | 'bad-digest' | 'unknown-key' | 'stale' | 'replayed';

export type SignatureCheck =
  | {
      readonly ok: true;
      /** What a replay would repeat: the seen-id set keeps it until the callback record expires. */
      readonly deliveryId: string;
    }
  | { readonly ok: false; readonly reason: Exclude<ForgedReason, 'replayed'> };

export interface SignedCallback {
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body exactly as received: signatures cover bytes, not a parsed value. */
  readonly rawBody: Buffer;
}

const refuse = (reason: Exclude<ForgedReason, 'replayed'>): SignatureCheck => ({ ok: false, reason });

const sameBytes = (a: Buffer, b: Buffer) => a.length === b.length && timingSafeEqual(a, b);

/** `a="x",b="y"` (Fintecture's Signature) or `t=1,v1=ab` (the HMAC header), as a map; a repeated key keeps its first value. */
export function parseSignatureParameters(header: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const part of header.slice(0, 8_192).split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const key = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    if (!found.has(key)) found.set(key, value);
  }
  return found;
}

function withinWindow(signedAtMs: number, nowMs: number, toleranceSeconds: number): boolean {
  return Number.isFinite(signedAtMs) && Math.abs(nowMs - signedAtMs) <= toleranceSeconds * 1000;
}

/** `<header>: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`. */
function checkHmac(request: SignedCallback, key: string, verify: CallbackVerification, nowMs: number): SignatureCheck {
  const header = request.headers[verify.header ?? 'x-webhook-signature'];
  if (!header) return refuse('missing-signature');
  const params = parseSignatureParameters(header);
  const t = params.get('t') ?? '';
  const v1 = params.get('v1') ?? '';
  if (!/^\d{1,12}$/.test(t) || !/^[0-9a-f]{64}$/i.test(v1)) return refuse('bad-signature');
  const expected = createHmac('sha256', key).update(`${t}.`).update(request.rawBody).digest();
  if (!sameBytes(expected, Buffer.from(v1, 'hex'))) return refuse('bad-signature');
  // Judged after the signature: an unsigned timestamp proves nothing either way.
  if (!withinWindow(Number(t) * 1000, nowMs, verify.toleranceSeconds)) return refuse('stale');
  return { ok: true, deliveryId: `${t}.${v1.toLowerCase()}` };
}

/** The headers Fintecture signs; a Signature that leaves one out does not cover the body or the replay id. */
const FINTECTURE_SIGNED = ['date', 'digest', 'x-request-id'];

/**
 * Fintecture's webhook: `Digest: SHA-256=<base64 SHA-256 of the raw body>`, and `Signature` with
 * keyId (the application id), algorithm `rsa-sha256`, headers and signature: the signing string
 * (`<name>: <value>` per listed header, joined by newlines) RSA-OAEP encrypted to the
 * application's public key, so only its private key opens it (as Fintecture's SDKs check it).
 */
function checkFintecture(request: SignedCallback, privateKeyPem: string, verify: CallbackVerification, nowMs: number): SignatureCheck {
  const signature = request.headers.signature;
  const digest = request.headers.digest;
  if (!signature || !digest) return refuse('missing-signature');
  const expectedDigest = `SHA-256=${createHash('sha256').update(request.rawBody).digest('base64')}`;
  if (!sameBytes(Buffer.from(digest), Buffer.from(expectedDigest))) return refuse('bad-digest');
  const params = parseSignatureParameters(signature);
  if (params.get('keyId') !== verify.keyId) return refuse('unknown-key');
  const listed = (params.get('headers') ?? '').toLowerCase().split(' ').filter(Boolean);
  if (!FINTECTURE_SIGNED.every((h) => listed.includes(h)) || listed.some((h) => h !== '(request-target)' && request.headers[h] === undefined))
    return refuse('bad-signature');
  const values: Record<string, string> = { ...request.headers, '(request-target)': 'post /webhook' };
  const signingString = listed.map((h) => `${h}: ${values[h]}`).join('\n');
  let opened: Buffer;
  try {
    opened = privateDecrypt({ key: privateKeyPem, padding: constants.RSA_PKCS1_OAEP_PADDING }, Buffer.from(params.get('signature') ?? '', 'base64'));
  } catch {
    return refuse('bad-signature');
  }
  if (!sameBytes(opened, Buffer.from(signingString))) return refuse('bad-signature');
  if (!withinWindow(Date.parse(request.headers.date ?? ''), nowMs, verify.toleranceSeconds)) return refuse('stale');
  const requestId = request.headers['x-request-id'] ?? '';
  return { ok: true, deliveryId: `fintecture:${requestId}` };
}

/**
 * Checks a callback's signature with the step's declared scheme and key, and that it was signed
 * within the tolerance window. Pure: the caller keeps the seen-id set (`CallbackStore.markSeen`).
 */
export function verifyCallbackSignature(request: SignedCallback, key: string, verify: CallbackVerification, nowMs: number): SignatureCheck {
  switch (verify.scheme) {
    case 'hmac-sha256':
      return checkHmac(request, key, verify, nowMs);
    case 'fintecture':
      return checkFintecture(request, key, verify, nowMs);
  }
}

/** The `hmac-sha256` header value for a body (the connectFi simulator signs with it; tests forge with it). */
export function signHmacCallback(rawBody: string | Buffer, key: string, unixSeconds: number): string {
  const v1 = createHmac('sha256', key).update(`${unixSeconds}.`).update(rawBody).digest('hex');
  return `t=${unixSeconds},v1=${v1}`;
}
