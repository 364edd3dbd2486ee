import type { KMSClient, SigningAlgorithmSpec } from '@aws-sdk/client-kms';
import { secretError } from '../../../core/errors.js';
import type { SigningAlgorithm } from '../../../core/plan.js';
import type { SigningKeys } from './signing-keys.js';

/** The KMS `SigningAlgorithm` of each signature algorithm (KMS salts RSASSA-PSS with the hash length, 64 bytes for SHA-512, as RFC 9421 asks). */
export const KMS_SIGNING_ALGORITHMS: Readonly<Record<SigningAlgorithm, SigningAlgorithmSpec>> = {
  'rsa-sha256': 'RSASSA_PKCS1_V1_5_SHA_256',
  'rsa-v1_5-sha256': 'RSASSA_PKCS1_V1_5_SHA_256',
  'rsa-pss-sha512': 'RSASSA_PSS_SHA_512',
  hs2019: 'RSASSA_PSS_SHA_512',
  'ecdsa-p256-sha256': 'ECDSA_SHA_256',
  ed25519: 'ED25519_SHA_512',
  // JWS PS256 (RFC 7518 §3.5): the salt is the hash length, 32 bytes, as KMS makes it.
  'rsa-pss-sha256': 'RSASSA_PSS_SHA_256',
};

export interface KmsSigningKeysOptions {
  /** KMS key id or ARN per signing key name (the construct passes them in the environment). */
  readonly keys: Readonly<Record<string, string>>;
  /** @default a client for the Lambda's region, created on first use */
  readonly client?: KMSClient;
  /** Keys not in `keys` (PEM keys in Secrets Manager). */
  readonly fallback?: SigningKeys;
}

/** DER `SEQUENCE { r INTEGER, s INTEGER }` (what KMS returns for ECDSA) as r‖s, each `size` bytes. */
export function derToP1363(der: Uint8Array, size: number): Uint8Array {
  const bytes = Buffer.from(der);
  let offset = 2;
  if (bytes[0] !== 0x30) throw secretError('KMS returned an ECDSA signature that is not DER');
  if (bytes[1] & 0x80) offset += bytes[1] & 0x7f;
  const out = Buffer.alloc(size * 2);
  for (let i = 0; i < 2; i++) {
    if (bytes[offset] !== 0x02) throw secretError('KMS returned an ECDSA signature that is not DER');
    const length = bytes[offset + 1];
    let value = bytes.subarray(offset + 2, offset + 2 + length);
    while (value.length > size && value[0] === 0) value = value.subarray(1);
    if (value.length > size) throw secretError('KMS returned an ECDSA signature of the wrong size');
    value.copy(out, i * size + (size - value.length));
    offset += 2 + length;
  }
  return out;
}

/**
 * Signs in AWS KMS (`kms:Sign`, MessageType RAW): the private key never leaves KMS, and the
 * function's role may sign with its own keys only (the construct grants `kms:Sign` on them to
 * the functions whose steps sign).
 */
export class KmsSigningKeys implements SigningKeys {
  private client: Promise<KMSClient> | undefined;

  constructor(private readonly options: KmsSigningKeysOptions) {}

  private kms(): Promise<KMSClient> {
    this.client ??= this.options.client ? Promise.resolve(this.options.client) : import('@aws-sdk/client-kms').then(({ KMSClient }) => new KMSClient({}));
    return this.client;
  }

  async sign(key: string, algorithm: SigningAlgorithm, data: Uint8Array): Promise<Uint8Array> {
    const keyId = this.options.keys[key];
    if (keyId === undefined) {
      if (this.options.fallback) return this.options.fallback.sign(key, algorithm, data);
      throw secretError(`signing key "${key}" is not configured`);
    }
    const { SignCommand } = await import('@aws-sdk/client-kms');
    let signature: Uint8Array | undefined;
    try {
      ({ Signature: signature } = await (
        await this.kms()
      ).send(new SignCommand({ KeyId: keyId, Message: data, MessageType: 'RAW', SigningAlgorithm: KMS_SIGNING_ALGORITHMS[algorithm] })));
    } catch (err) {
      throw secretError(`KMS could not sign with signing key "${key}": ${(err as Error).name}`, { cause: err });
    }
    if (!signature) throw secretError(`KMS returned no signature for signing key "${key}"`);
    return algorithm === 'ecdsa-p256-sha256' ? derToP1363(signature, 32) : signature;
  }
}
