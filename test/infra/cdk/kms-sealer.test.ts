// The KMS envelope sealer of the Lambda runtime, run with the real SDK client against a loopback
// stand-in of KMS (tests of functions/runtime/secrets/kms-sealer.ts).
import { KMSClient } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../../core/errors.js';
import { AesGcmSealer, isSealed, KMS_SEALED_PREFIX, KmsSealer, SEAL_CONTEXT_KEY } from '../../../functions/runtime/secrets/index.js';
import { startAwsStandIn, STAND_IN_CLIENT_CONFIG, type AwsStandIn } from './support/aws-stand-in.js';

const KEY_ARN = 'arn:aws:kms:us-east-1:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const TOKEN = 'eyJhbGciOi.minted-access-token.sig';

let aws: AwsStandIn;
let client: KMSClient;
/** A new sealer is a new container: no data key yet. */
const container = () => new KmsSealer({ keyId: KEY_ARN, client });

beforeAll(async () => {
  aws = await startAwsStandIn();
  client = new KMSClient({ ...STAND_IN_CLIENT_CONFIG, endpoint: aws.url });
});
afterAll(async () => {
  client.destroy();
  await aws.close();
});
beforeEach(() => aws.failing.clear());

describe('KmsSealer', () => {
  it('seals to an opaque sealed:v2: value that the runtime recognises as sealed', async () => {
    const sealed = await container().seal(JSON.stringify(TOKEN), 'arazzo-sfn');
    expect(sealed.startsWith(KMS_SEALED_PREFIX)).toBe(true);
    expect(isSealed(sealed)).toBe(true);
    expect(sealed).not.toContain(TOKEN);
    expect(Buffer.from(sealed.slice(KMS_SEALED_PREFIX.length), 'base64url').toString('latin1')).not.toContain(TOKEN);
  });

  it('generates one data key per container and seal context, bound to the context', async () => {
    const before = aws.callsTo('TrentService.GenerateDataKey').length;
    const sealer = container();
    const values = await Promise.all([1, 2, 3].map((i) => sealer.seal(`value ${i}`, 'ctx-a')));
    expect(new Set(values).size).toBe(3);
    const calls = aws.callsTo('TrentService.GenerateDataKey').slice(before);
    expect(calls).toHaveLength(1);
    expect(calls[0].body).toEqual({ KeyId: KEY_ARN, KeySpec: 'AES_256', EncryptionContext: { [SEAL_CONTEXT_KEY]: 'ctx-a' } });
    expect(calls[0].signed).toBe(true);
  });

  it('opens in the container that sealed without KMS, and in another with one Decrypt per data key', async () => {
    const sealer = container();
    const first = await sealer.seal('"one"', 'arazzo-sfn');
    const second = await sealer.seal('"two"', 'arazzo-sfn');
    const decrypts = () => aws.callsTo('TrentService.Decrypt').length;
    let before = decrypts();
    await expect(sealer.unseal(first, 'arazzo-sfn')).resolves.toBe('"one"');
    expect(decrypts()).toBe(before);

    const other = container();
    before = decrypts();
    await expect(other.unseal(first, 'arazzo-sfn')).resolves.toBe('"one"');
    await expect(other.unseal(second, 'arazzo-sfn')).resolves.toBe('"two"');
    expect(decrypts() - before).toBe(1);
    expect(aws.callsTo('TrentService.Decrypt').at(-1)!.body).toMatchObject({ KeyId: KEY_ARN, EncryptionContext: { [SEAL_CONTEXT_KEY]: 'arazzo-sfn' } });
  });

  it('does not open a value under another seal context, in either container', async () => {
    const sealer = container();
    const sealed = await sealer.seal('"x"', 'deployment-a');
    await expect(sealer.unseal(sealed, 'deployment-b')).rejects.toMatchObject({ name: ErrorCodes.Secret });
    await expect(container().unseal(sealed, 'deployment-b')).rejects.toMatchObject({ name: ErrorCodes.Secret, message: expect.stringContaining('InvalidCiphertextException') });
  });

  it('does not open a tampered value', async () => {
    const sealed = await container().seal('"secret"', 'arazzo-sfn');
    const raw = Buffer.from(sealed.slice(KMS_SEALED_PREFIX.length), 'base64url');
    raw[raw.length - 1] ^= 1;
    const tampered = KMS_SEALED_PREFIX + raw.toString('base64url');
    await expect(container().unseal(tampered, 'arazzo-sfn')).rejects.toMatchObject({ name: ErrorCodes.Secret, message: expect.stringContaining('tampered') });
    await expect(container().unseal(`${KMS_SEALED_PREFIX}AA`, 'arazzo-sfn')).rejects.toMatchObject({ name: ErrorCodes.Secret });
  });

  it('tells a local (v1) sealed value from its own, and the local sealer refuses a KMS one', async () => {
    const local = new AesGcmSealer();
    const v1 = await local.seal('"x"', 'arazzo-sfn');
    await expect(container().unseal(v1, 'arazzo-sfn')).rejects.toMatchObject({ message: expect.stringContaining('not sealed with KMS') });
    const v2 = await container().seal('"x"', 'arazzo-sfn');
    await expect(local.unseal(v2, 'arazzo-sfn')).rejects.toMatchObject({ message: expect.stringContaining('not sealed with a local key') });
  });

  it('reports a KMS refusal by its error name', async () => {
    aws.failing.set('TrentService.GenerateDataKey', 'AccessDeniedException');
    await expect(container().seal('"x"', 'arazzo-sfn')).rejects.toMatchObject({ name: ErrorCodes.Secret, message: expect.stringContaining('AccessDeniedException') });
  });
});
