// Encrypted PEM private keys (mTLS client keys, private_key_jwt and request signing keys): made by
// node:crypto and by Debian's OpenSSL, opened with the passphrase their JSON secret holds, and
// used for real: a signature verified by OpenSSL, a TLS handshake with a server that requires
// the client certificate.
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../../../core/errors.js';
import { ClientCertificateAgents } from '../../../../functions/runtime/http/index.js';
import { InMemorySecretsProvider, isEncryptedPem, loadPrivateKey } from '../../../../functions/runtime/secrets/index.js';
import { PemSigningKeys } from '../../../../functions/runtime/signing/signing-keys.js';
import { makeTestPki, type TestPki } from '../../../support/test-pki.js';

const PASSPHRASE = 'correct horse battery staple 7';
const openssl = (args: readonly string[], input?: string) => execFileSync('openssl', args, { input, stdio: ['pipe', 'pipe', 'pipe'] }).toString();
const secretOf = (key: string, passphrase?: string) => JSON.stringify({ key, ...(passphrase !== undefined ? { passphrase } : {}) });

/** The error `fn` throws, or undefined. */
function thrown(fn: () => unknown): Error | undefined {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  return undefined;
}

describe('loadPrivateKey: encrypted PEM keys with the passphrase from the same secret', () => {
  let dir: string;
  const keys: Record<string, string> = {};
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'arazzo-keys-'));
    // node:crypto: PKCS#8 EncryptedPrivateKeyInfo, and the legacy PKCS#1 form with a DEK-Info header.
    const encoding = { format: 'pem', cipher: 'aes-256-cbc', passphrase: PASSPHRASE } as const;
    keys.nodePkcs8 = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', ...encoding }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey;
    keys.nodeLegacyRsa = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', ...encoding }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey;
    // Debian's OpenSSL, as an operator makes them: genpkey -aes256 (PKCS#8), and the traditional EC form.
    keys.opensslPkcs8 = openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-aes256', '-pass', `pass:${PASSPHRASE}`]);
    const ec = openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']);
    keys.opensslLegacyEc = openssl(['ec', '-aes256', '-passout', `pass:${PASSPHRASE}`], ec);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('recognises both encrypted forms, and opens each key with its passphrase', () => {
    expect(keys.nodePkcs8).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    expect(keys.opensslPkcs8).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    expect(keys.nodeLegacyRsa).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n/);
    expect(keys.opensslLegacyEc).toMatch(/^-----BEGIN EC PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n/);
    for (const [name, pem] of Object.entries(keys)) {
      expect(isEncryptedPem(pem), name).toBe(true);
      const key = loadPrivateKey(secretOf(pem, PASSPHRASE), `key ${name}`);
      expect(key.type, name).toBe('private');
      expect(key.asymmetricKeyType, name).toBe(name.endsWith('Ec') ? 'ec' : 'rsa');
    }
    // An unencrypted PEM is read as it always was, as the whole secret or under "key".
    const plain = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    expect(isEncryptedPem(plain)).toBe(false);
    expect(loadPrivateKey(plain, 'plain').asymmetricKeyType).toBe('ed25519');
    expect(loadPrivateKey(secretOf(plain), 'plain').asymmetricKeyType).toBe('ed25519');
  });

  it('names a missing or wrong passphrase Arazzo.KeyPassphrase, and quotes neither the key nor the passphrase', () => {
    for (const [name, pem] of Object.entries(keys)) {
      const missing = thrown(() => loadPrivateKey(pem, `signing key "${name}"`));
      expect(missing, name).toMatchObject({ name: ErrorCodes.KeyPassphrase, message: `signing key "${name}": the private key is encrypted and its secret has no passphrase (store {"key": "<PEM>", "passphrase": "..."})` });
      const wrong = thrown(() => loadPrivateKey(secretOf(pem, 'Tr0ub4dor&3'), `signing key "${name}"`));
      expect(wrong, name).toMatchObject({ name: ErrorCodes.KeyPassphrase, message: `signing key "${name}": the passphrase does not open the encrypted private key` });
      for (const error of [missing, wrong]) {
        const text = `${error!.message} ${String((error as Error & { cause?: Error }).cause?.message)}`;
        expect(text).not.toMatch(/BEGIN|Tr0ub4dor|correct horse|Proc-Type|DEK-Info/);
        expect(text).not.toContain(pem.split('\n').find((line) => line.length > 40)!);
      }
    }
    // Not a key at all, or a JSON secret without "key": Arazzo.Secret, again without quoting the value.
    expect(thrown(() => loadPrivateKey(secretOf('not a key', PASSPHRASE), 'k'))).toMatchObject({ name: ErrorCodes.Secret, message: 'k: is not a PEM private key' });
    expect(thrown(() => loadPrivateKey('{"pem": "x", "passphrase": "hunter2"}', 'k'))).toMatchObject({ name: ErrorCodes.Secret, message: expect.not.stringContaining('hunter2') });
    expect(thrown(() => loadPrivateKey('{"key": ', 'k'))).toMatchObject({ name: ErrorCodes.Secret, message: expect.stringMatching(/^k: the secret starts as JSON but is not valid JSON/) });
  });

  it('signs requests with an encrypted key from a JSON secret (PemSigningKeys), verified by OpenSSL', async () => {
    for (const name of ['opensslPkcs8', 'nodeLegacyRsa']) {
      const signer = new PemSigningKeys(new InMemorySecretsProvider({ [name]: secretOf(keys[name], PASSPHRASE) }));
      const data = Buffer.from(`(request-target): post /pis/v2/connect\ndate: Sun, 06 Dec 2026 07:00:00 GMT ${name}`);
      const signature = await signer.sign(name, 'rsa-v1_5-sha256', data);
      // OpenSSL opens the key with the same passphrase and verifies with its public half.
      writeFileSync(join(dir, `${name}.key`), keys[name]);
      const publicPem = openssl(['pkey', '-in', join(dir, `${name}.key`), '-passin', `pass:${PASSPHRASE}`, '-pubout']);
      writeFileSync(join(dir, `${name}.pub`), publicPem);
      writeFileSync(join(dir, `${name}.data`), data);
      writeFileSync(join(dir, `${name}.sig`), signature);
      expect(openssl(['dgst', '-sha256', '-verify', join(dir, `${name}.pub`), '-signature', join(dir, `${name}.sig`), join(dir, `${name}.data`)])).toContain('Verified OK');
    }
    const wrong = new PemSigningKeys(new InMemorySecretsProvider({ k: secretOf(keys.nodePkcs8, 'nope') }));
    await expect(wrong.sign('k', 'rsa-sha256', Buffer.from('x'))).rejects.toMatchObject({ name: ErrorCodes.KeyPassphrase, message: 'signing key "k": the passphrase does not open the encrypted private key' });
  });

  describe('mTLS with an encrypted client key', () => {
    let pki: TestPki;
    let server: Server;
    let url: string;
    const agents = new ClientCertificateAgents();
    beforeAll(async () => {
      pki = makeTestPki();
      server = createServer({ cert: pki.serverCert, key: pki.serverKey, ca: pki.caCert, requestCert: true, rejectUnauthorized: true }, (req, res) => {
        const peer = (req.socket as import('node:tls').TLSSocket).getPeerCertificate();
        res.end(JSON.stringify({ client: peer.subject?.CN }));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    });
    afterAll(async () => {
      await agents.close();
      await new Promise<void>((resolve) => server?.close(() => resolve()));
    });

    it('presents the client certificate with a key that OpenSSL encrypted (PKCS#8 and legacy EC), the passphrase from the same secret', async () => {
      const pkcs8 = openssl(['pkcs8', '-topk8', '-v2', 'aes-256-cbc', '-passout', `pass:${PASSPHRASE}`], pki.clientKey);
      const legacy = openssl(['ec', '-aes256', '-passout', `pass:${PASSPHRASE}`], pki.clientKey);
      expect(pkcs8).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
      expect(legacy).toMatch(/Proc-Type: 4,ENCRYPTED/);
      for (const key of [pkcs8, legacy]) {
        const dispatcher = agents.agentFor({ cert: pki.clientCert, key: secretOf(key, PASSPHRASE), ca: pki.caCert }, 'step pay x-security qwac');
        const res = await request(url, { dispatcher });
        expect(res.statusCode).toBe(200);
        expect(await res.body.json()).toEqual({ client: 'client' });
      }
      // Without its passphrase the step fails by name before any connection, naming the value, not quoting it.
      const error = thrown(() => agents.agentFor({ cert: pki.clientCert, key: pkcs8, ca: pki.caCert }, 'step pay x-security qwac'));
      expect(error).toMatchObject({ name: ErrorCodes.KeyPassphrase, message: expect.stringMatching(/^step pay x-security qwac: clientKey: the private key is encrypted and its secret has no passphrase/) });
    });
  });
});
