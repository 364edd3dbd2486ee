// signRequest (functions/runtime/signing/sign-request.ts) on requests as build-request makes them:
// draft-cavage and RFC 9421 signatures checked by OpenSSL over a base this test rebuilds itself
// from the sent headers (not the module's base builder), digests checked by OpenSSL too.
import { execFileSync } from 'node:child_process';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { SigningPlan } from '../../../../core/plan.js';
import { InMemorySecretsProvider } from '../../../../functions/runtime/secrets/index.js';
import { PemSigningKeys, producedHeaders, signRequest } from '../../../../functions/runtime/signing/index.js';
import { opensslVerifies } from './openssl-verify.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
const publicPem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
const keys = new PemSigningKeys(new InMemorySecretsProvider({ 'pis-signing': privatePem }));

const body = JSON.stringify({ meta: { psu_name: 'Ada' }, data: { type: 'PIS', attributes: { amount: '12.50', currency: 'EUR' } } });
const request = () => ({
  method: 'POST',
  url: 'https://api-sandbox.fintecture.com/pis/v2/connect?state=abc',
  headers: {
    'content-type': 'application/json',
    accept: 'application/json',
    'x-request-id': '9c4b6a46-6a1c-4b0e-8a1f-1b2f2d0e5a11',
    authorization: 'Bearer t0k3n',
  },
  body,
  parts: { headers: {}, query: {}, path: {} },
});
const cavage: SigningPlan = {
  scheme: 'draft-cavage',
  algorithm: 'rsa-sha256',
  components: ['(request-target)', 'date', 'digest', 'x-request-id'],
  digest: 'digest',
  key: 'pis-signing',
  keyId: 'app-123',
};

/** A draft-cavage verifier's reading of the Signature header: its quoted and bare fields. */
function cavageFields(header: string): Record<string, string> {
  return Object.fromEntries([...header.matchAll(/(\w+)=(?:"([^"]*)"|(\d+))/g)].map((m) => [m[1], m[2] ?? m[3]]));
}

const opensslDigest = (text: string) =>
  execFileSync('sh', ['-c', 'openssl dgst -sha256 -binary | openssl base64 -A'], { input: text, encoding: 'utf8' }).trim();

describe('signRequest, draft-cavage', () => {
  it("signs rsa-sha256 over (request-target) date digest x-request-id, as Fintecture's PIS asks; OpenSSL verifies it", async () => {
    const now = Date.UTC(2026, 11, 6, 1, 2, 3);
    const signed = await signRequest(request(), cavage, keys, now, 'step connect');
    expect(signed.headers.date).toBe('Sun, 06 Dec 2026 01:02:03 GMT');
    expect(signed.headers.digest).toBe(`SHA-256=${opensslDigest(body)}`);
    const fields = cavageFields(signed.headers.signature);
    expect(fields).toMatchObject({ keyId: 'app-123', algorithm: 'rsa-sha256', headers: '(request-target) date digest x-request-id' });
    const base = fields.headers
      .split(' ')
      .map((h) => (h === '(request-target)' ? `${h}: post /pis/v2/connect?state=abc` : `${h}: ${signed.headers[h]}`))
      .join('\n');
    const signature = Buffer.from(fields.signature, 'base64');
    expect(opensslVerifies(publicPem, 'rsa-sha256', base, signature)).toBe(true);
    // The same signature over another body's digest does not verify.
    expect(opensslVerifies(publicPem, 'rsa-sha256', base.replace(signed.headers.digest, `SHA-256=${opensslDigest('{}')}`), signature)).toBe(false);
    // The request's parts ($request.* and so history) are not given the signature.
    expect(signed.parts.headers).toEqual({});
  });

  it('gives every attempt a fresh Date and signature', async () => {
    const first = await signRequest(request(), cavage, keys, Date.UTC(2026, 0, 1, 0, 0, 0), 'step connect');
    const second = await signRequest(request(), cavage, keys, Date.UTC(2026, 0, 1, 0, 0, 7), 'step connect');
    expect(second.headers.date).not.toBe(first.headers.date);
    expect(second.headers.signature).not.toBe(first.headers.signature);
  });

  it('replaces a Date or Digest the step supplied (the declaration wins), and sends (created)/(expires) with hs2019', async () => {
    const supplied = { ...request(), headers: { ...request().headers, date: 'Mon, 01 Jan 2001 00:00:00 GMT', digest: 'SHA-256=forged' } };
    const plan: SigningPlan = { ...cavage, algorithm: 'hs2019', components: ['(request-target)', '(created)', '(expires)', 'digest'], expiresInSeconds: 300 };
    const signed = await signRequest(supplied, plan, keys, 1_700_000_000_000, 'step connect');
    expect(signed.headers.digest).toBe(`SHA-256=${opensslDigest(body)}`);
    const fields = cavageFields(signed.headers.signature);
    expect(fields).toMatchObject({ algorithm: 'hs2019', created: '1700000000', expires: '1700000300' });
    const base = [
      '(request-target): post /pis/v2/connect?state=abc',
      '(created): 1700000000',
      '(expires): 1700000300',
      `digest: ${signed.headers.digest}`,
    ].join('\n');
    expect(opensslVerifies(publicPem, 'rsa-pss-sha512', base, Buffer.from(fields.signature, 'base64'))).toBe(true);
    expect(producedHeaders(cavage)).toEqual(['signature', 'digest', 'date']);
  });

  it('names a covered header the request lacks, refuses a multipart body, and names (never quotes) a key that is not PEM', async () => {
    const noId = { ...request(), headers: { 'content-type': 'application/json' } };
    await expect(signRequest(noId, cavage, keys, Date.now(), 'step connect')).rejects.toThrow(/step connect: the signature covers header "x-request-id"/);
    const { FormData } = await import('undici');
    const multipart = { ...request(), body: new FormData() };
    await expect(signRequest(multipart, cavage, keys, Date.now(), 'step connect')).rejects.toThrow(/multipart body cannot be signed/);
    await expect(new PemSigningKeys(new InMemorySecretsProvider({ k: 'not a key' })).sign('k', 'rsa-sha256', Buffer.from('x'))).rejects.toThrow(
      'signing key "k": is not a PEM private key',
    );
  });
});

describe('signRequest, RFC 9421', () => {
  it('sends Signature-Input and Signature with Content-Digest (RFC 9530); OpenSSL verifies the base rebuilt from them', async () => {
    const plan: SigningPlan = {
      scheme: 'rfc9421',
      algorithm: 'rsa-pss-sha512',
      components: ['@method', '@authority', '@path', '@query', 'content-type', 'content-digest'],
      digest: 'content-digest',
      key: 'pis-signing',
      keyId: 'app-123',
    };
    const signed = await signRequest(request(), plan, keys, 1_700_000_000_000, 'step connect');
    expect(signed.headers['content-digest']).toBe(`sha-256=:${opensslDigest(body)}:`);
    expect(signed.headers['signature-input']).toBe(
      'sig1=("@method" "@authority" "@path" "@query" "content-type" "content-digest");created=1700000000;keyid="app-123"',
    );
    const signature = Buffer.from(/^sig1=:([^:]+):$/.exec(signed.headers.signature)![1], 'base64');
    const base = [
      '"@method": POST',
      '"@authority": api-sandbox.fintecture.com',
      '"@path": /pis/v2/connect',
      '"@query": ?state=abc',
      '"content-type": application/json',
      `"content-digest": ${signed.headers['content-digest']}`,
      `"@signature-params": ${signed.headers['signature-input'].slice('sig1='.length)}`,
    ].join('\n');
    expect(opensslVerifies(publicPem, 'rsa-pss-sha512', base, signature)).toBe(true);
  });

  it('signs ed25519 with a key of that type, and refuses an algorithm the key cannot make', async () => {
    const ed = generateKeyPairSync('ed25519');
    const edKeys = new PemSigningKeys(new InMemorySecretsProvider({ ed: ed.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string }));
    const plan: SigningPlan = { scheme: 'rfc9421', algorithm: 'ed25519', components: ['@method', '@path'], key: 'ed', keyId: 'ed-1' };
    const signed = await signRequest(request(), plan, edKeys, 1_700_000_000_000, 'step connect');
    const base = `"@method": POST\n"@path": /pis/v2/connect\n"@signature-params": ${signed.headers['signature-input'].slice(5)}`;
    const pem = createPublicKey(ed.privateKey).export({ type: 'spki', format: 'pem' }) as string;
    expect(opensslVerifies(pem, 'ed25519', base, Buffer.from(signed.headers.signature.slice(6, -1), 'base64'))).toBe(true);
    await expect(edKeys.sign('ed', 'rsa-sha256', Buffer.from('x'))).rejects.toThrow('a ed25519 key cannot sign with rsa-sha256');
  });
});
