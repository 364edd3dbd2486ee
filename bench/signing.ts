// Signing cost per request (issue 18): signRequest (digest, base, signature) with a PEM key of each kind, after a warm-up. Run: npx tsx bench/signing.ts
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { InMemorySecretsProvider } from '../functions/runtime/secrets/index.js';
import { PemSigningKeys, signRequest } from '../functions/runtime/signing/index.js';
const out: string[] = [];
for (const [type, opts, plan] of [
  [
    'rsa',
    { modulusLength: 2048 },
    { scheme: 'draft-cavage', algorithm: 'rsa-sha256', components: ['(request-target)', 'date', 'digest', 'x-request-id'], digest: 'digest' },
  ],
  [
    'rsa',
    { modulusLength: 2048 },
    { scheme: 'rfc9421', algorithm: 'rsa-pss-sha512', components: ['@method', '@authority', '@path', 'content-digest'], digest: 'content-digest' },
  ],
  [
    'ec',
    { namedCurve: 'prime256v1' },
    { scheme: 'rfc9421', algorithm: 'ecdsa-p256-sha256', components: ['@method', '@authority', '@path', 'content-digest'], digest: 'content-digest' },
  ],
  ['ed25519', {}, { scheme: 'rfc9421', algorithm: 'ed25519', components: ['@method', '@authority', '@path', 'content-digest'], digest: 'content-digest' }],
] as const) {
  const { privateKey } = generateKeyPairSync(type as 'rsa', opts as { modulusLength: number }) as unknown as { privateKey: KeyObject };
  const keys = new PemSigningKeys(new InMemorySecretsProvider({ k: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string }));
  const req = {
    method: 'POST',
    url: 'https://api.fintecture.com/pis/v2/connect',
    headers: { 'x-request-id': 'r' },
    body: JSON.stringify({ meta: {}, data: { type: 'PIS', attributes: { amount: '149.99', currency: 'EUR' } } }),
    parts: { headers: {}, query: {}, path: {} },
  };
  const p = { ...plan, key: 'k', keyId: 'app' } as any;
  for (let i = 0; i < 200; i++) await signRequest(req, p, keys, Date.now(), 'b');
  const n = 2000;
  const t = performance.now();
  for (let i = 0; i < n; i++) await signRequest(req, p, keys, Date.now(), 'b');
  out.push(`${plan.scheme} ${plan.algorithm}: ${(((performance.now() - t) / n) * 1000).toFixed(0)} µs per request`);
}
console.log(out.join('\n'));
