import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { secretError } from '../../../core/errors.js';

/**
 * Step outputs that are credentials (a minted access token) leave the handler sealed, travel
 * through the execution state as opaque strings, and are unsealed only by the handler that
 * uses them. On AWS the key is a KMS data key; locally a per-run key.
 */
export interface Sealer {
  seal(plaintext: string, context: string): Promise<string>;
  unseal(sealed: string, context: string): Promise<string>;
}

export const SEALED_PREFIX = 'sealed:v1:';

/** Any format version (`sealed:v1:` local AES-GCM key, `sealed:v2:` KMS envelope): the runtime must recognise values whichever sealer made them. */
export const isSealed = (value: unknown): value is string => typeof value === 'string' && /^sealed:v\d+:/.test(value);

/** AES-256-GCM with the workflow id as additional data, so a value sealed for one workflow does not open in another. */
export class AesGcmSealer implements Sealer {
  private readonly key: Buffer;
  constructor(key: Buffer = randomBytes(32)) {
    if (key.length !== 32) throw secretError('a sealing key must be 32 bytes');
    this.key = key;
  }
  async seal(plaintext: string, context: string): Promise<string> {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return SEALED_PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
  }
  async unseal(sealed: string, context: string): Promise<string> {
    if (!isSealed(sealed)) throw secretError('value is not sealed');
    if (!sealed.startsWith(SEALED_PREFIX)) throw secretError('a sealed value could not be opened: it was not sealed with a local key');
    const raw = Buffer.from(sealed.slice(SEALED_PREFIX.length), 'base64url');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    } catch {
      throw secretError('a sealed value could not be opened (wrong key or workflow, or tampered)');
    }
  }
}
