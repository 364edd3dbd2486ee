import { createPrivateKey, type KeyObject } from 'node:crypto';
import { keyPassphraseError, secretError } from '../../../core/errors.js';

/**
 * A private key as a secret holds it (mTLS client keys, private_key_jwt and request signing keys,
 * from Secrets Manager, a local file or an environment secret):
 *
 * - the PEM itself: PKCS#8 (`BEGIN PRIVATE KEY`), PKCS#1 (`BEGIN RSA PRIVATE KEY`), SEC1
 *   (`BEGIN EC PRIVATE KEY`), unencrypted;
 * - or a JSON object `{"key": "<PEM>", "passphrase": "<text>"}`, as Secrets Manager stores
 *   key/value pairs, for an encrypted PEM: PKCS#8 (`BEGIN ENCRYPTED PRIVATE KEY`, what
 *   `openssl genpkey -aes256` writes) or the legacy OpenSSL form (`Proc-Type: 4,ENCRYPTED`,
 *   `DEK-Info`). Key and passphrase in one secret rotate together: a new key never meets an old
 *   passphrase.
 *
 * Errors name `what` (the key's name or its use), never the key or the passphrase:
 * `Arazzo.KeyPassphrase` when the key is encrypted and the secret has no passphrase, or the
 * passphrase does not open it; `Arazzo.Secret` when the text is no private key at all.
 */
export function loadPrivateKey(secretText: string, what: string): KeyObject {
  const { pem, passphrase } = readKeySecret(secretText, what);
  const encrypted = isEncryptedPem(pem);
  if (encrypted && passphrase === undefined) {
    throw keyPassphraseError(`${what}: the private key is encrypted and its secret has no passphrase (store {"key": "<PEM>", "passphrase": "..."})`);
  }
  try {
    return createPrivateKey(passphrase === undefined ? pem : { key: pem, format: 'pem', passphrase });
  } catch (err) {
    if (encrypted) throw keyPassphraseError(`${what}: the passphrase does not open the encrypted private key`, { cause: codeOnly(err) });
    throw secretError(`${what}: is not a PEM private key`, { cause: codeOnly(err) });
  }
}

/** The PEM text of a key secret (unencrypted after `loadPrivateKey`), for APIs that take PEM (a TLS context). */
export function privateKeyPem(secretText: string, what: string): string {
  return loadPrivateKey(secretText, what).export({ type: 'pkcs8', format: 'pem' }) as string;
}

/** Whether a PEM private key is encrypted: PKCS#8 EncryptedPrivateKeyInfo, or OpenSSL's legacy Proc-Type header. */
export const isEncryptedPem = (pem: string): boolean => /-----BEGIN ENCRYPTED PRIVATE KEY-----/.test(pem) || /^Proc-Type:\s*4,\s*ENCRYPTED\s*$/m.test(pem);

function readKeySecret(text: string, what: string): { pem: string; passphrase?: string } {
  const trimmed = text.trimStart();
  if (!trimmed.startsWith('{')) return { pem: text };
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    throw secretError(`${what}: the secret starts as JSON but is not valid JSON (expected {"key": "<PEM>", "passphrase": "..."})`);
  }
  const value = parsed as Record<string, unknown>;
  if (!value || typeof value !== 'object' || Array.isArray(value) || typeof value.key !== 'string') {
    throw secretError(`${what}: a JSON key secret must have "key" (the PEM) and, for an encrypted key, "passphrase"`);
  }
  if (value.passphrase !== undefined && typeof value.passphrase !== 'string') throw secretError(`${what}: the key secret's "passphrase" must be a string`);
  return { pem: value.key, ...(typeof value.passphrase === 'string' ? { passphrase: value.passphrase } : {}) };
}

/** OpenSSL's message may quote parts of its input: only the error code is kept as the cause. */
function codeOnly(err: unknown): Error {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return new Error(code ?? 'key parse failed');
}
