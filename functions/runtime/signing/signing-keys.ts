import { constants, sign, type KeyObject } from 'node:crypto';
import { secretError } from '../../../core/errors.js';
import { loadPrivateKey } from '../secrets/load-private-key.js';
import type { SigningAlgorithm } from '../../../core/plan.js';
import type { SecretsProvider } from '../secrets/index.js';

/**
 * Where signatures are made: the handler hands over the signature base and gets the signature
 * bytes back, so the private key stays behind this interface (in KMS on AWS). ECDSA signatures
 * come back as r‖s (IEEE P1363, RFC 9421 §3.3.4), whatever the key store returns.
 */
export interface SigningKeys {
  /** Signs `data` with the key named `key`; throws `Arazzo.Secret` when the key cannot be used. */
  sign(key: string, algorithm: SigningAlgorithm, data: Uint8Array): Promise<Uint8Array>;
}

/** What an algorithm does, for a PEM key: the digest, padding and encoding node:crypto takes. */
export function nodeSignOptions(
  algorithm: SigningAlgorithm,
  key: KeyObject,
): { digest: string | null; padding?: number; saltLength?: number; dsaEncoding?: 'ieee-p1363' } {
  const type = key.asymmetricKeyType;
  switch (algorithm) {
    case 'rsa-sha256':
    case 'rsa-v1_5-sha256':
      if (type !== 'rsa') break;
      return { digest: 'sha256', padding: constants.RSA_PKCS1_PADDING };
    case 'rsa-pss-sha512':
    case 'hs2019':
      // hs2019 (draft-cavage-12 §2.1.3): the algorithm comes from the key; RSASSA-PSS SHA-512 for an RSA key, Ed25519 for an Ed25519 key.
      // An RSA-PSS key (id-RSASSA-PSS, as RFC 9421's test-key-rsa-pss) carries its padding; a plain RSA key is told.
      if (type === 'rsa-pss') return { digest: 'sha512', saltLength: 64 };
      if (type === 'rsa') return { digest: 'sha512', padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 64 };
      if (algorithm === 'hs2019' && type === 'ed25519') return { digest: null };
      break;
    case 'rsa-pss-sha256':
      if (type === 'rsa-pss') return { digest: 'sha256', saltLength: 32 };
      if (type === 'rsa') return { digest: 'sha256', padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };
      break;
    case 'ecdsa-p256-sha256':
      if (type !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') break;
      return { digest: 'sha256', dsaEncoding: 'ieee-p1363' };
    case 'ed25519':
      if (type !== 'ed25519') break;
      return { digest: null };
  }
  throw secretError(`a ${type ?? 'symmetric'} key cannot sign with ${algorithm}`);
}

/**
 * Signs with a private KeyObject (PEM keys: local files, environment, Secrets Manager), in
 * libuv's threadpool (crypto.sign's callback form): an RSA-2048 signature is about 1 ms of CPU,
 * which the synchronous form would take from the event loop, stalling every other execution,
 * request and timer of the process meanwhile.
 */
export function signWithKeyObject(key: KeyObject, algorithm: SigningAlgorithm, data: Uint8Array): Promise<Uint8Array> {
  const { digest, ...options } = nodeSignOptions(algorithm, key);
  return new Promise((resolve, reject) => sign(digest, data, { key, ...options }, (err, signature) => (err ? reject(err) : resolve(signature))));
}

/**
 * Keys held as PEM text, read through a secrets provider by the key's name: Secrets Manager on
 * AWS, a key file or environment secret locally (the same provider the credentials use). Each
 * key is parsed once and kept; its text is never logged, and errors name the key only.
 */
export class PemSigningKeys implements SigningKeys {
  private readonly keys = new Map<string, Promise<KeyObject>>();

  constructor(private readonly secrets: SecretsProvider) {}

  private keyObject(name: string): Promise<KeyObject> {
    let key = this.keys.get(name);
    if (!key) {
      key = this.secrets.getSecret(name).then((text) => loadPrivateKey(text, `signing key "${name}"`));
      key.catch(() => this.keys.delete(name));
      this.keys.set(name, key);
    }
    return key;
  }

  async sign(key: string, algorithm: SigningAlgorithm, data: Uint8Array): Promise<Uint8Array> {
    return signWithKeyObject(await this.keyObject(key), algorithm, data);
  }
}
