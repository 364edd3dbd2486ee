// Seed 001, unedited, signed through KMS end to end: the real @aws-sdk/client-kms asks the
// loopback KMS stand-in (a test double: it holds the private key, as KMS does) to sign the
// payment request's signature base, on the embedded engine, and the Fintecture simulator (the
// product's own, verifying as the real API does) checks the signature with the public key that
// KMS GetPublicKey returned, as a merchant registers it with the provider.
import { KMSClient } from '@aws-sdk/client-kms';
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileFileOrThrow } from '../../compiler/index.js';
import { AesGcmSealer, InMemorySecretsProvider } from '../../functions/runtime/secrets/index.js';
import { fetchSigningPublicKey, KmsSigningKeys } from '../../functions/runtime/signing/index.js';
import { LocalWorkflow } from '../../local/run-workflow.js';
import { DEFAULT_FINTECTURE_CLIENTS, startFintectureSandbox, type FintectureSandbox } from '../../sandbox/index.js';
import { startAwsStandIn, STAND_IN_CLIENT_CONFIG, type AwsStandIn } from '../infra/cdk/support/aws-stand-in.js';
import { SEED_001, seed001Input } from './support/seed-harness.js';

const REGISTERED_KEY = 'arn:aws:kms:eu-west-1:111122223333:key/pis-registered';
const OTHER_KEY = 'arn:aws:kms:eu-west-1:111122223333:key/pis-not-registered';
const [CLIENT_ID, CLIENT_SECRET] = Object.entries(DEFAULT_FINTECTURE_CLIENTS)[0];

let aws: AwsStandIn;
let kms: KMSClient;
let sandbox: FintectureSandbox;

beforeAll(async () => {
  aws = await startAwsStandIn();
  aws.signingKeys.set(REGISTERED_KEY, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey);
  aws.signingKeys.set(OTHER_KEY, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey);
  kms = new KMSClient({ ...STAND_IN_CLIENT_CONFIG, endpoint: aws.url });
  const registered = await fetchSigningPublicKey(kms, REGISTERED_KEY);
  sandbox = await startFintectureSandbox({ signatureKeys: { [CLIENT_ID]: registered.pem } });
});
afterAll(async () => {
  kms?.destroy();
  await sandbox?.close();
  await aws?.close();
});

async function runSeed001(keyArn: string) {
  const compiled = await compileFileOrThrow(SEED_001, {
    signing: {
      pisApi: {
        scheme: 'draft-cavage',
        algorithm: 'rsa-sha256',
        components: ['(request-target)', 'date', 'digest', 'x-request-id'],
        key: 'pis-kms',
        keyId: '$inputs.clientId',
      },
    },
  });
  const secrets = new InMemorySecretsProvider({ app: JSON.stringify({ id: CLIENT_ID, secret: CLIENT_SECRET }) });
  const signsBefore = aws.callsTo('TrentService.Sign').length;
  const logBefore = sandbox.requestLog.length;
  const execution = await new LocalWorkflow(compiled.workflows[0]).run(seed001Input(randomUUID()), {
    runtime: {
      secrets,
      sealer: new AesGcmSealer(randomBytes(32)),
      serverUrls: { oauthApi: sandbox.url, pisApi: sandbox.url },
      signingKeys: new KmsSigningKeys({ keys: { 'pis-kms': keyArn }, client: kms }),
    },
    waitMs: 1,
    retryIntervalMs: 1,
    timeoutMs: 60_000,
  });
  return { execution, signs: aws.callsTo('TrentService.Sign').slice(signsBefore), requests: sandbox.requestLog.slice(logBefore) };
}

describe('seed 001 signed by a KMS key (real SDK, loopback KMS stand-in) against the verifying simulator', () => {
  it('succeeds: one kms:Sign for the payment call, shaped as KMS expects, and the simulator accepts the signature', async () => {
    const { execution, signs, requests } = await runSeed001(REGISTERED_KEY);
    expect(execution.status, `${execution.error}: ${execution.cause}`).toBe('SUCCEEDED');
    expect(requests.map((r) => [r.operationId, r.status])).toEqual([
      ['createAccessToken', 200],
      ['createPisV2Connect', 200],
      ['getPaymentSession', 200],
    ]);
    expect(signs).toHaveLength(1);
    expect(signs[0]).toMatchObject({ signed: true, body: { KeyId: REGISTERED_KEY, MessageType: 'RAW', SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256' } });
  });

  it('a KMS key the provider has not registered: 401 invalid_signature, and the run fails naming the step', async () => {
    const { execution, requests } = await runSeed001(OTHER_KEY);
    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('Arazzo.StepFailed');
    expect(execution.cause).toContain('step createPayment: POST /pis/v2/connect answered 401');
    expect(requests.find((r) => r.operationId === 'createPisV2Connect')?.status).toBe(401);
  });
});
