import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { KMSClient } from '@aws-sdk/client-kms';
import { secretError } from '../../../core/errors.js';
import type { Sealer } from './sealer.js';

/** Envelope format: `sealed:v2:` + base64url(u16 length of the encrypted data key ‖ encrypted data key ‖ iv ‖ tag ‖ ciphertext). */
export const KMS_SEALED_PREFIX = 'sealed:v2:';

/**
 * The KMS encryption context every data key is bound to. IAM policies condition the functions'
 * `kms:GenerateDataKey` and `kms:Decrypt` on it, so a function can only seal and open values of
 * its own deployment's seal context.
 */
export const SEAL_CONTEXT_KEY = 'arazzo-sfn-seal-context';

const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Data keys of other containers that this one has opened, kept so each costs one `kms:Decrypt` per container. */
const OPENED_KEYS_KEPT = 64;

export interface KmsSealerOptions {
  /** The KMS key (id, ARN or alias ARN) that encrypts the data keys. */
  readonly keyId: string;
  /** @default a client for the Lambda's region, created on first use */
  readonly client?: KMSClient;
}

interface DataKey {
  readonly plaintext: Buffer;
  readonly encrypted: Buffer;
}

/**
 * Envelope encryption with AWS KMS: one data key per container and seal context (one
 * `kms:GenerateDataKey`, then AES-256-GCM locally for every value), the encrypted data key
 * carried in the sealed value so that any function of the deployment allowed to `kms:Decrypt`
 * can open it. The seal context is both the AES-GCM additional data and the KMS encryption
 * context: a value sealed for another context opens nowhere else.
 */
export class KmsSealer implements Sealer {
  private readonly dataKeys = new Map<string, Promise<DataKey>>();
  private readonly openedKeys = new Map<string, Promise<Buffer>>();
  private client: Promise<KMSClient> | undefined;

  constructor(private readonly options: KmsSealerOptions) {}

  async seal(plaintext: string, context: string): Promise<string> {
    const key = await this.dataKeyFor(context);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key.plaintext, iv);
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const length = Buffer.alloc(2);
    length.writeUInt16BE(key.encrypted.length);
    return KMS_SEALED_PREFIX + Buffer.concat([length, key.encrypted, iv, cipher.getAuthTag(), body]).toString('base64url');
  }

  async unseal(sealed: string, context: string): Promise<string> {
    if (typeof sealed !== 'string' || !sealed.startsWith(KMS_SEALED_PREFIX)) {
      throw secretError('a sealed value could not be opened: it was not sealed with KMS (a value sealed by a local run does not open on AWS)');
    }
    const raw = Buffer.from(sealed.slice(KMS_SEALED_PREFIX.length), 'base64url');
    const keyLength = raw.length >= 2 ? raw.readUInt16BE(0) : 0;
    const start = 2 + keyLength;
    if (keyLength === 0 || raw.length < start + IV_BYTES + TAG_BYTES) throw secretError('a sealed value could not be opened (truncated or tampered)');
    const key = await this.openDataKey(raw.subarray(2, start), context);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(start, start + IV_BYTES));
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(raw.subarray(start + IV_BYTES, start + IV_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(raw.subarray(start + IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw secretError('a sealed value could not be opened (wrong deployment or workflow, or tampered)');
    }
  }

  private dataKeyFor(context: string): Promise<DataKey> {
    let key = this.dataKeys.get(context);
    if (!key) {
      key = this.generateDataKey(context);
      this.dataKeys.set(context, key);
      key.catch(() => this.dataKeys.delete(context));
    }
    return key;
  }

  private async generateDataKey(context: string): Promise<DataKey> {
    const { GenerateDataKeyCommand } = await import('@aws-sdk/client-kms');
    const client = await this.clientOnce();
    let answer;
    try {
      answer = await client.send(new GenerateDataKeyCommand({ KeyId: this.options.keyId, KeySpec: 'AES_256', EncryptionContext: { [SEAL_CONTEXT_KEY]: context } }));
    } catch (err) {
      throw secretError(`no data key to seal with: KMS GenerateDataKey failed (${(err as Error).name})`, { cause: err });
    }
    if (!answer.Plaintext || !answer.CiphertextBlob) throw secretError('no data key to seal with: KMS GenerateDataKey returned no key');
    const plaintext = Buffer.from(answer.Plaintext);
    if (plaintext.length !== 32) throw secretError('no data key to seal with: KMS returned a key that is not 256 bits');
    return { plaintext, encrypted: Buffer.from(answer.CiphertextBlob) };
  }

  private async openDataKey(encrypted: Buffer, context: string): Promise<Buffer> {
    // A data key this container generated opens without KMS.
    const own = await this.dataKeys.get(context)?.catch(() => undefined);
    if (own?.encrypted.equals(encrypted)) return own.plaintext;
    return this.decryptDataKey(encrypted, context);
  }

  private decryptDataKey(encrypted: Buffer, context: string): Promise<Buffer> {
    const cacheKey = `${context}\u0000${encrypted.toString('base64')}`;
    let key = this.openedKeys.get(cacheKey);
    if (!key) {
      if (this.openedKeys.size >= OPENED_KEYS_KEPT) this.openedKeys.delete(this.openedKeys.keys().next().value!);
      key = this.decrypt(encrypted, context);
      this.openedKeys.set(cacheKey, key);
      key.catch(() => this.openedKeys.delete(cacheKey));
    }
    return key;
  }

  private async decrypt(encrypted: Buffer, context: string): Promise<Buffer> {
    const { DecryptCommand } = await import('@aws-sdk/client-kms');
    const client = await this.clientOnce();
    let answer;
    try {
      answer = await client.send(new DecryptCommand({ KeyId: this.options.keyId, CiphertextBlob: encrypted, EncryptionContext: { [SEAL_CONTEXT_KEY]: context } }));
    } catch (err) {
      // InvalidCiphertextException: another key, another seal context, or a tampered value.
      throw secretError(`a sealed value could not be opened: KMS Decrypt failed (${(err as Error).name})`, { cause: err });
    }
    if (!answer.Plaintext) throw secretError('a sealed value could not be opened: KMS returned no key');
    return Buffer.from(answer.Plaintext);
  }

  private clientOnce(): Promise<KMSClient> {
    this.client ??= this.options.client ? Promise.resolve(this.options.client) : import('@aws-sdk/client-kms').then(({ KMSClient }) => new KMSClient({}));
    return this.client;
  }
}
