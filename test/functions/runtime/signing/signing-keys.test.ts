import { generateKeyPairSync, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InMemorySecretsProvider } from '../../../../functions/runtime/secrets/index.js';
import { PemSigningKeys } from '../../../../functions/runtime/signing/index.js';

describe('PemSigningKeys', () => {
  it('signs in the threadpool: the event loop turns while RSA signatures are being made', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const keys = new PemSigningKeys(new InMemorySecretsProvider({ k: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string }));
    await keys.sign('k', 'rsa-sha256', Buffer.from('warm'));
    let done = 0;
    const data = Buffer.from('(request-target): post /pis/v2/connect');
    const signing = Array.from({ length: 40 }, () => keys.sign('k', 'rsa-sha256', data).then((s) => (done++, s)));
    // Synchronous signing would make all 40 (some 40 ms of CPU) before the loop reaches this.
    const doneAtNextTurn = await new Promise<number>((resolve) => setImmediate(() => resolve(done)));
    const signatures = await Promise.all(signing);
    expect(doneAtNextTurn).toBeLessThan(40);
    expect(signatures.every((s) => verify('sha256', data, publicKey, s))).toBe(true);
  });
});
