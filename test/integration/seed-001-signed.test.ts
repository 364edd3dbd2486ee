// Seed 001, unedited, signed by configuration (the signing compile option for its PIS source)
// against the Fintecture simulator verifying signatures as the real API does; the local key is
// generated for the test and read through the runtime's secrets provider.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWireTap, SEED_001, seed001Input, startSeedHarness, type SeedHarness, type WireTap } from './support/seed-harness.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PRIVATE_PEM = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
const SIGNING = {
  pisApi: {
    scheme: 'draft-cavage',
    algorithm: 'rsa-sha256',
    components: ['(request-target)', 'date', 'digest', 'x-request-id'],
    key: 'fintecture-signing',
    keyId: 'sandbox-app-id',
  },
};

describe('seed 001 signed against the verifying PIS simulator', () => {
  let harness: SeedHarness;
  let tap: WireTap;

  beforeAll(async () => {
    harness = await startSeedHarness({ signatureKeys: { 'sandbox-app-id': publicKey.export({ type: 'spki', format: 'pem' }) as string } });
    harness.secrets.set('fintecture-signing', PRIVATE_PEM);
    tap = createWireTap();
  });
  afterAll(async () => {
    await tap.close();
    await harness.close();
  });

  it('signs the payment creation (Signature, Digest, Date) and the simulator accepts it; no key or signature in history or logs', async () => {
    const requestId = randomUUID();
    const run = await harness.run(SEED_001, seed001Input(requestId), { compile: { signing: SIGNING }, dispatcher: tap.dispatcher });
    expect(run.execution.status).toBe('SUCCEEDED');
    expect(run.requests.map((r) => [r.operationId, r.status])).toEqual([
      ['createAccessToken', 200],
      ['createPisV2Connect', 200],
      ['getPaymentSession', 200],
    ]);
    const create = tap.requests.find((r) => r.path === '/pis/v2/connect')!;
    expect(create.headers.signature).toMatch(
      /^keyId="sandbox-app-id",algorithm="rsa-sha256",headers="\(request-target\) date digest x-request-id",signature="[A-Za-z0-9+/=]+"$/,
    );
    expect(create.headers.digest).toMatch(/^SHA-256=/);
    expect(Math.abs(Date.parse(create.headers.date) - Date.now())).toBeLessThan(60_000);
    const signatureValue = /signature="([^"]+)"/.exec(create.headers.signature)![1];
    for (const text of [run.historyJson, run.formattedHistory, run.logLines.join('\n')]) {
      expect(text).not.toContain('PRIVATE KEY');
      expect(text).not.toContain(signatureValue);
      expect(text).not.toContain('(request-target): post');
    }
  });

  it('signs with a keyId read from the inputs at send time ($inputs.clientId, a credential input: the application id)', async () => {
    const run = await harness.run(SEED_001, seed001Input(randomUUID()), {
      compile: { signing: { pisApi: { ...SIGNING.pisApi, keyId: '$inputs.clientId' } } },
      dispatcher: tap.dispatcher,
    });
    expect(run.execution.status).toBe('SUCCEEDED');
    // The input holds a secret reference; the signature names the application id it resolves to, which the simulator knows the key of.
    expect(seed001Input('x').clientId).toMatch(/^secret:/);
    expect(tap.requests.filter((r) => r.path === '/pis/v2/connect').at(-1)!.headers.signature).toMatch(/^keyId="sandbox-app-id",/);
  });

  it('unsigned (no signing declared), the simulator answers 401 with its error body and the step fails quoting it', async () => {
    const run = await harness.run(SEED_001, seed001Input(randomUUID()), { unsigned: true });
    expect(run.execution.status).toBe('FAILED');
    expect(run.requests.map((r) => [r.operationId, r.status])).toEqual([
      ['createAccessToken', 200],
      ['createPisV2Connect', 401],
    ]);
    expect(run.historyJson).toContain('invalid_signature');
  });

  it('a retried creation (503 after the payment exists) is signed afresh and accepted: one payment', async () => {
    const requestId = randomUUID();
    const run = await harness.run(SEED_001, seed001Input(requestId), {
      compile: { signing: SIGNING },
      faults: [{ operationId: 'createPisV2Connect', status: 503, when: 'after', times: 1 }],
    });
    expect(run.execution.status).toBe('SUCCEEDED');
    expect(run.requests.filter((r) => r.operationId === 'createPisV2Connect').map((r) => r.status)).toEqual([503, 200]);
    expect(harness.sandbox.stats.paymentCreationsByRequestId[requestId]).toBe(1);
  });
});
