import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { SandboxResponse } from '../http/index.js';
import type { SandboxExchange } from '../http/serve-sandbox.js';

/** What the PIS API's signature must cover (its published description): draft-cavage rsa-sha256. */
export const FINTECTURE_SIGNED_HEADERS = ['(request-target)', 'date', 'digest', 'x-request-id'];
/** How far a request's `Date` may be from the sandbox's clock. */
const DATE_SKEW_MS = 5 * 60_000;

type Fail = (status: number, code: string, title: string, detail?: string) => SandboxResponse;

const header = (exchange: SandboxExchange, name: string) => {
  const value = exchange.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
};

/** `keyId="…",algorithm="…",headers="…",signature="…"` as a map (draft-cavage-12 §4.1). */
function parseSignatureHeader(value: string): Record<string, string> {
  return Object.fromEntries([...value.matchAll(/([A-Za-z]+)=(?:"([^"]*)"|(\d+))/g)].map((m) => [m[1], m[2] ?? m[3]]));
}

/**
 * Checks a PIS request's signature as the real API does: `Signature` (draft-cavage, rsa-sha256,
 * over `(request-target) date digest x-request-id`), `Digest` the SHA-256 of the body, `Date`
 * within five minutes, signed with the public key registered for the `keyId`. Anything else
 * answers 401 in Fintecture's error envelope, saying what is wrong (never echoing the signature).
 */
export function verifyFintectureSignature(
  exchange: SandboxExchange,
  keys: ReadonlyMap<string, KeyObject>,
  now: number,
  fail: Fail,
): SandboxResponse | undefined {
  const deny = (detail: string) => fail(401, 'invalid_signature', 'Invalid signature', detail);
  const signature = header(exchange, 'signature');
  if (!signature) return deny('the request is not signed: the Signature, Digest and Date headers are required');
  const fields = parseSignatureHeader(signature);
  if (fields.algorithm !== 'rsa-sha256') return deny('the signature algorithm must be rsa-sha256');
  const covered = (fields.headers ?? '').toLowerCase().split(' ').filter(Boolean);
  if (FINTECTURE_SIGNED_HEADERS.some((h) => !covered.includes(h))) return deny(`the signature must cover ${FINTECTURE_SIGNED_HEADERS.join(' ')}`);
  const key = fields.keyId === undefined ? undefined : keys.get(fields.keyId);
  if (!key) return deny('the signature names no registered key (keyId)');
  const digest = header(exchange, 'digest');
  if (digest?.trim() !== `SHA-256=${createHash('sha256').update(exchange.rawBody).digest('base64')}`)
    return deny('the Digest header does not match the SHA-256 of the body');
  const date = Date.parse(header(exchange, 'date') ?? '');
  if (Number.isNaN(date) || Math.abs(date - now) > DATE_SKEW_MS) return deny('the Date header is missing or more than five minutes from now');
  const query = exchange.query.toString();
  const lines: string[] = [];
  for (const h of covered) {
    if (h === '(request-target)') lines.push(`${h}: ${exchange.method.toLowerCase()} ${exchange.path}${query ? `?${query}` : ''}`);
    else {
      const value = header(exchange, h);
      if (value === undefined) return deny(`the signed header ${h} is missing`);
      lines.push(`${h}: ${value.trim()}`);
    }
  }
  const ok = verify('sha256', Buffer.from(lines.join('\n')), key, Buffer.from(fields.signature ?? '', 'base64'));
  return ok ? undefined : deny('the signature does not verify with the registered key');
}

/** Public keys (PEM or KeyObject) by keyId, as the sandbox option gives them. */
export function readSignatureKeys(keys: Readonly<Record<string, string | KeyObject>>): ReadonlyMap<string, KeyObject> {
  return new Map(Object.entries(keys).map(([id, key]) => [id, typeof key === 'string' ? createPublicKey(key) : createPublicKey(key)]));
}
