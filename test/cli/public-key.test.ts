// `arazzo-sfn public-key`: the real @aws-sdk/client-kms in the CLI's own process asks the loopback
// KMS stand-in (a test double: no KMS here; it answers GetPublicKey as KMS does and holds the
// private key, as KMS does) for a signing key's public key. The printed PEM verifies, with
// OpenSSL, a signature the stand-in's kms:Sign made; the JWK is the same key.
import { KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAwsStandIn, STAND_IN_CLIENT_CONFIG, type AwsStandIn } from '../infra/cdk/support/aws-stand-in.js';
import { opensslVerifies } from '../functions/runtime/signing/openssl-verify.js';
import { runCli } from './run-cli.js';

const RSA_KEY = 'arn:aws:kms:eu-west-1:111122223333:key/0f0e0d0c-1111-2222-3333-444455556666';
const EC_KEY = 'arn:aws:kms:eu-west-1:111122223333:key/ec';
let aws: AwsStandIn;
const env = () => ({ AWS_ACCESS_KEY_ID: 'AKIASTANDIN', AWS_SECRET_ACCESS_KEY: 'stand-in-secret', AWS_REGION: 'eu-west-1', AWS_PROFILE: '' });

beforeAll(async () => {
  aws = await startAwsStandIn();
  aws.signingKeys.set(RSA_KEY, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey);
  aws.signingKeys.set(EC_KEY, generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey);
});
afterAll(() => aws.close());

describe('arazzo-sfn public-key', () => {
  it('prints the PEM public key of a KMS signing key, which verifies what kms:Sign made with it', async () => {
    const { code, stdout, stderr } = await runCli(['public-key', RSA_KEY, '--endpoint-url', aws.url], env());
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+\n-----END PUBLIC KEY-----\n$/);
    expect(stderr).toContain(`${RSA_KEY}: RSA_2048, signs with RSASSA_PKCS1_V1_5_SHA_256`);
    // The call the CLI made: GetPublicKey of that key, SigV4-signed by the SDK.
    expect(aws.callsTo('TrentService.GetPublicKey').at(-1)).toMatchObject({ body: { KeyId: RSA_KEY }, signed: true });
    const client = new KMSClient({ ...STAND_IN_CLIENT_CONFIG, endpoint: aws.url });
    const message = '(request-target): post /pis/v2/connect\nx-request-id: r-1';
    const { Signature } = await client.send(new SignCommand({ KeyId: RSA_KEY, Message: Buffer.from(message), MessageType: 'RAW', SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256' }));
    client.destroy();
    expect(opensslVerifies(stdout, 'rsa-sha256', message, Buffer.from(Signature!))).toBe(true);
  });

  it('prints a JWK (use sig, kid when given) of the same key', async () => {
    const { code, stdout, stderr } = await runCli(['public-key', EC_KEY, '--format', 'jwk', '--kid', 'demo-merchant-app', '--endpoint-url', aws.url], env());
    expect(code, stderr).toBe(0);
    const jwk = JSON.parse(stdout);
    const expected = createPublicKey(aws.signingKeys.get(EC_KEY)!).export({ format: 'jwk' });
    expect(jwk).toEqual({ ...expected, use: 'sig', kid: 'demo-merchant-app' });
    expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256' });
    expect(jwk.d).toBeUndefined();
  });

  it('fails in one line, exit 1, when KMS refuses; exit 2 on a bad format or key', async () => {
    const missing = await runCli(['public-key', 'arn:aws:kms:eu-west-1:111122223333:key/gone', '--endpoint-url', aws.url], env());
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe(
      "arazzo-sfn: KMS GetPublicKey of arn:aws:kms:eu-west-1:111122223333:key/gone failed: NotFoundException (Key 'arn:aws:kms:eu-west-1:111122223333:key/gone' does not exist)",
    );
    const format = await runCli(['public-key', RSA_KEY, '--format', 'der'], env());
    expect(format.code).toBe(2);
    expect(format.stderr.trim()).toBe('arazzo-sfn: --format expects pem or jwk, got "der"');
    const notKey = await runCli(['public-key', 'not a key'], env());
    expect(notKey.code).toBe(2);
    expect(notKey.stderr).not.toMatch(/\n\s+at /);
  });
});
