// RFC 9421 Appendix B: the signature bases and signatures of its examples, with its example keys
// (Appendix B.1, in test/fixtures/signing/rfc9421/), against functions/runtime/signing.
import { createPublicKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InMemorySecretsProvider } from '../../../../functions/runtime/secrets/index.js';
import { buildRfc9421Base, PemSigningKeys } from '../../../../functions/runtime/signing/index.js';
import { opensslVerifies } from './openssl-verify.js';

const key = (name: string) => readFileSync(new URL(`../../../fixtures/signing/rfc9421/${name}.pem`, import.meta.url), 'utf8');
const keys = new PemSigningKeys(
  new InMemorySecretsProvider({
    'test-key-rsa-pss': key('test-key-rsa-pss-private'),
    'test-key-ecc-p256': key('test-key-ecc-p256-private'),
    'test-key-ed25519': key('test-key-ed25519-private'),
  }),
);

// Appendix B.2's test request.
const request = {
  method: 'POST',
  url: 'https://example.com/foo?param=Value&Pet=dog',
  headers: {
    host: 'example.com',
    date: 'Tue, 20 Apr 2021 02:07:55 GMT',
    'content-type': 'application/json',
    'content-digest': 'sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:',
    'content-length': '18',
  },
};
const created = 1618884473;

describe('RFC 9421 Appendix B.2', () => {
  it('B.2.1: the minimal signature base (no components, a nonce), signed rsa-pss-sha512 and verified by OpenSSL', async () => {
    const { base, signatureParams } = buildRfc9421Base(request, [], { created, keyid: 'test-key-rsa-pss', nonce: 'b3k2pp5k7z-50gnwp.yemd' }, 'B.2.1');
    expect(base).toBe('"@signature-params": ();created=1618884473;keyid="test-key-rsa-pss";nonce="b3k2pp5k7z-50gnwp.yemd"');
    expect(signatureParams).toBe('();created=1618884473;keyid="test-key-rsa-pss";nonce="b3k2pp5k7z-50gnwp.yemd"');
    const signature = Buffer.from(await keys.sign('test-key-rsa-pss', 'rsa-pss-sha512', Buffer.from(base)));
    expect(opensslVerifies(key('test-key-rsa-pss-public'), 'rsa-pss-sha512', base, signature)).toBe(true);
  });

  it('B.2.3: the full-coverage signature base, byte for byte; rsa-pss-sha512 verified by OpenSSL, and a changed base is not', async () => {
    const components = ['date', '@method', '@path', '@query', '@authority', 'content-type', 'content-digest', 'content-length'];
    const { base } = buildRfc9421Base(request, components, { created, keyid: 'test-key-rsa-pss' }, 'B.2.3');
    expect(base).toBe(
      [
        '"date": Tue, 20 Apr 2021 02:07:55 GMT',
        '"@method": POST',
        '"@path": /foo',
        '"@query": ?param=Value&Pet=dog',
        '"@authority": example.com',
        '"content-type": application/json',
        '"content-digest": sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:',
        '"content-length": 18',
        '"@signature-params": ("date" "@method" "@path" "@query" "@authority" "content-type" "content-digest" "content-length");created=1618884473;keyid="test-key-rsa-pss"',
      ].join('\n'),
    );
    const signature = Buffer.from(await keys.sign('test-key-rsa-pss', 'rsa-pss-sha512', Buffer.from(base)));
    expect(opensslVerifies(key('test-key-rsa-pss-public'), 'rsa-pss-sha512', base, signature)).toBe(true);
    expect(opensslVerifies(key('test-key-rsa-pss-public'), 'rsa-pss-sha512', base.replace('POST', 'GET'), signature)).toBe(false);
  });

  it("B.2.4: the RFC's ecdsa-p256-sha256 signature (r‖s) verifies over its base, and ours over the same base too", async () => {
    const base = [
      '"@status": 200',
      '"content-type": application/json',
      '"content-digest": sha-512=:mEWXIS7MaLRuGgxOBdODa3xqM1XdEvxoYhvlCFJ41QJgJc4GTsPp29l5oGX69wWdXymyU0rjJuahq4l5aGgfLQ==:',
      '"content-length": 23',
      '"@signature-params": ("@status" "content-type" "content-digest" "content-length");created=1618884473;keyid="test-key-ecc-p256"',
    ].join('\n');
    const publicKey = { key: createPublicKey(key('test-key-ecc-p256-public')), dsaEncoding: 'ieee-p1363' as const };
    const published = Buffer.from('wNmSUAhwb5LxtOtOpNa6W5xj067m5hFrj0XQ4fvpaCLx0NKocgPquLgyahnzDnDAUy5eCdlYUEkLIj+32oiasw==', 'base64');
    expect(verify('sha256', Buffer.from(base), publicKey, published)).toBe(true);
    const ours = Buffer.from(await keys.sign('test-key-ecc-p256', 'ecdsa-p256-sha256', Buffer.from(base)));
    expect(ours).toHaveLength(64);
    expect(verify('sha256', Buffer.from(base), publicKey, ours)).toBe(true);
  });

  it("B.2.6: Ed25519 is deterministic, so the base built from the request signs to the RFC's exact signature (and OpenSSL verifies it)", async () => {
    const components = ['date', '@method', '@path', '@authority', 'content-type', 'content-length'];
    const { base } = buildRfc9421Base(request, components, { created, keyid: 'test-key-ed25519' }, 'B.2.6');
    const signature = Buffer.from(await keys.sign('test-key-ed25519', 'ed25519', Buffer.from(base)));
    expect(signature.toString('base64')).toBe('wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==');
    expect(opensslVerifies(key('test-key-ed25519-public'), 'ed25519', base, signature)).toBe(true);
  });
});
