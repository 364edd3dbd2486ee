// KmsSigningKeys with the real @aws-sdk/client-kms against the loopback KMS stand-in (a test
// double: test/infra/cdk/support/aws-stand-in.ts holds the private key, as KMS does), its
// signatures verified with OpenSSL and node:crypto from the public key GetPublicKey returns.
import { GetPublicKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../../../core/errors.js';
import { startAwsStandIn, STAND_IN_CLIENT_CONFIG, type AwsStandIn } from '../../../infra/cdk/support/aws-stand-in.js';
import { derToP1363, KmsSigningKeys, signRequest } from '../../../../functions/runtime/signing/index.js';
import { opensslVerifies } from './openssl-verify.js';

const RSA_KEY = 'arn:aws:kms:eu-west-1:000000000000:key/11111111-2222-3333-4444-555555555555';
const EC_KEY = 'arn:aws:kms:eu-west-1:000000000000:key/ec';
let aws: AwsStandIn;
let client: KMSClient;

beforeAll(async () => {
  aws = await startAwsStandIn();
  aws.signingKeys.set(RSA_KEY, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey);
  aws.signingKeys.set(EC_KEY, generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey);
  client = new KMSClient({ ...STAND_IN_CLIENT_CONFIG, endpoint: aws.url });
});
afterAll(async () => {
  client.destroy();
  await aws.close();
});

async function publicPem(keyId: string): Promise<string> {
  const { PublicKey } = await client.send(new GetPublicKeyCommand({ KeyId: keyId }));
  return createPublicKey({ key: Buffer.from(PublicKey!), format: 'der', type: 'spki' }).export({ type: 'spki', format: 'pem' }) as string;
}

describe('KmsSigningKeys', () => {
  it('sends kms:Sign as KMS expects (key ARN, RAW message, RSASSA_PKCS1_V1_5_SHA_256), SigV4-signed; OpenSSL verifies the signature', async () => {
    const keys = new KmsSigningKeys({ keys: { 'pis-signing': RSA_KEY }, client });
    const request = {
      method: 'POST',
      url: 'https://api.fintecture.com/pis/v2/connect',
      headers: { 'x-request-id': 'r-1' },
      body: '{"a":1}',
      parts: { headers: {}, query: {}, path: {} },
    };
    const plan = {
      scheme: 'draft-cavage',
      algorithm: 'rsa-sha256',
      components: ['(request-target)', 'date', 'digest', 'x-request-id'],
      digest: 'digest',
      key: 'pis-signing',
      keyId: 'app-1',
    } as const;
    const signed = await signRequest(request, plan, keys, 1_700_000_000_000, 'step connect');
    const [call] = aws.callsTo('TrentService.Sign');
    expect(call.signed).toBe(true);
    const base = `(request-target): post /pis/v2/connect\ndate: ${signed.headers.date}\ndigest: ${signed.headers.digest}\nx-request-id: r-1`;
    expect(call.body).toEqual({
      KeyId: RSA_KEY,
      Message: Buffer.from(base).toString('base64'),
      MessageType: 'RAW',
      SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256',
    });
    const signature = Buffer.from(/signature="([^"]+)"/.exec(signed.headers.signature)![1], 'base64');
    expect(opensslVerifies(await publicPem(RSA_KEY), 'rsa-sha256', base, signature)).toBe(true);
  });

  it('asks RSASSA_PSS_SHA_512 for rsa-pss-sha512 and hs2019, and turns ECDSA_SHA_256 DER into r‖s', async () => {
    const keys = new KmsSigningKeys({ keys: { rsa: RSA_KEY, ec: EC_KEY }, client });
    const data = Buffer.from('"@method": POST');
    const pss = Buffer.from(await keys.sign('rsa', 'hs2019', data));
    expect(aws.callsTo('TrentService.Sign').at(-1)!.body.SigningAlgorithm).toBe('RSASSA_PSS_SHA_512');
    expect(opensslVerifies(await publicPem(RSA_KEY), 'rsa-pss-sha512', data.toString(), pss)).toBe(true);
    const ec = Buffer.from(await keys.sign('ec', 'ecdsa-p256-sha256', data));
    expect(aws.callsTo('TrentService.Sign').at(-1)!.body.SigningAlgorithm).toBe('ECDSA_SHA_256');
    expect(ec).toHaveLength(64);
    expect(verify('sha256', data, { key: createPublicKey(await publicPem(EC_KEY)), dsaEncoding: 'ieee-p1363' }, ec)).toBe(true);
  });

  it('fails as Arazzo.Secret naming the key when KMS refuses (no such key, wrong algorithm), or the key is not configured', async () => {
    const keys = new KmsSigningKeys({ keys: { gone: 'arn:aws:kms:eu-west-1:000000000000:key/gone', ec: EC_KEY }, client });
    await expect(keys.sign('gone', 'rsa-sha256', Buffer.from('x'))).rejects.toMatchObject({
      name: ErrorCodes.Secret,
      message: 'KMS could not sign with signing key "gone": NotFoundException',
    });
    await expect(keys.sign('ec', 'rsa-sha256', Buffer.from('x'))).rejects.toThrow('KMS could not sign with signing key "ec": InvalidKeyUsageException');
    await expect(keys.sign('other', 'rsa-sha256', Buffer.from('x'))).rejects.toThrow('signing key "other" is not configured');
  });

  it('derToP1363 pads short integers and drops DER sign bytes', () => {
    const der = Buffer.from([0x30, 0x08, 0x02, 0x02, 0x00, 0x80, 0x02, 0x02, 0x01, 0x02]);
    expect(Buffer.from(derToP1363(der, 4)).toString('hex')).toBe('0000008000000102');
  });
});
