import type { KMSClient } from '@aws-sdk/client-kms';
import { createPublicKey, type JsonWebKey } from 'node:crypto';

/** A KMS signing key's public half, for registering with the provider that verifies the signatures. */
export interface SigningPublicKey {
  /** The key's ARN, as KMS answers it. */
  readonly keyArn: string;
  readonly keySpec?: string;
  readonly signingAlgorithms: readonly string[];
  /** SubjectPublicKeyInfo, PEM (`-----BEGIN PUBLIC KEY-----`). */
  readonly pem: string;
  /** The same key as a JWK (RFC 7517), `use: "sig"`. */
  readonly jwk: JsonWebKey;
}

/** Why the public key could not be read, in one line naming the key and KMS's error, never a stack. */
export class SigningPublicKeyError extends Error {
  override readonly name = 'SigningPublicKeyError';
}

/**
 * Reads a signing key's public key with KMS `GetPublicKey` (the private key never leaves KMS) and
 * returns it as PEM and JWK. Refuses a key that is not SIGN_VERIFY: its public key would verify
 * nothing the workflow sends.
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_GetPublicKey.html
 */
export async function fetchSigningPublicKey(client: Pick<KMSClient, 'send'>, keyId: string): Promise<SigningPublicKey> {
  const { GetPublicKeyCommand } = await import('@aws-sdk/client-kms');
  let answer;
  try {
    answer = await client.send(new GetPublicKeyCommand({ KeyId: keyId }));
  } catch (err) {
    const e = err as Error;
    throw new SigningPublicKeyError(`KMS GetPublicKey of ${keyId} failed: ${e.name}${e.message && e.message !== e.name ? ` (${e.message.split('\n')[0]})` : ''}`, { cause: err });
  }
  if (answer.KeyUsage !== 'SIGN_VERIFY') throw new SigningPublicKeyError(`KMS key ${keyId} is not a signing key (KeyUsage ${answer.KeyUsage ?? 'unknown'}); use a SIGN_VERIFY key`);
  if (!answer.PublicKey) throw new SigningPublicKeyError(`KMS returned no public key for ${keyId}`);
  const key = createPublicKey({ key: Buffer.from(answer.PublicKey), format: 'der', type: 'spki' });
  return {
    keyArn: answer.KeyId ?? keyId,
    ...(answer.KeySpec ? { keySpec: answer.KeySpec } : {}),
    signingAlgorithms: answer.SigningAlgorithms ?? [],
    pem: key.export({ type: 'spki', format: 'pem' }) as string,
    jwk: { ...key.export({ format: 'jwk' }), use: 'sig' },
  };
}

/** The public key as the provider takes it: PEM text, or one JWK (with `kid` when given) as JSON. */
export function formatSigningPublicKey(key: SigningPublicKey, format: 'pem' | 'jwk', kid?: string): string {
  if (format === 'pem') return key.pem;
  return `${JSON.stringify({ ...key.jwk, ...(kid ? { kid } : {}) }, null, 2)}\n`;
}
