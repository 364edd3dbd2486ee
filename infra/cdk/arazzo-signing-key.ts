import * as kms from 'aws-cdk-lib/aws-kms';
import type { SigningAlgorithm } from '../../core/plan.js';

/** What `ArazzoSigningKey.create` takes. */
export interface ArazzoSigningKeyOptions {
  /**
   * The key's spec: RSA_2048 for `rsa-sha256`, `rsa-v1_5-sha256`, `rsa-pss-sha512` and `hs2019`,
   * ECC_NIST_P256 for `ecdsa-p256-sha256`, ECC_NIST_EDWARDS25519 for `ed25519`.
   * @default - the spec the algorithm of the steps that sign with it needs (RSA_2048 for RSA)
   * @see https://docs.aws.amazon.com/kms/latest/developerguide/symm-asymm-choose-key-spec.html
   */
  readonly keySpec?: kms.KeySpec;
  /** @default - "arazzo-sfn: signs requests of workflow <id> (signing key <name>)" */
  readonly description?: string;
  /** An alias for the key (`alias/` is added when missing). @default - no alias */
  readonly alias?: string;
}

/** The key specs that can make each algorithm's signatures, the first being the default. */
export const KEY_SPECS_BY_ALGORITHM: Readonly<Record<SigningAlgorithm, readonly kms.KeySpec[]>> = {
  'rsa-sha256': [kms.KeySpec.RSA_2048, kms.KeySpec.RSA_3072, kms.KeySpec.RSA_4096],
  'rsa-v1_5-sha256': [kms.KeySpec.RSA_2048, kms.KeySpec.RSA_3072, kms.KeySpec.RSA_4096],
  'rsa-pss-sha512': [kms.KeySpec.RSA_2048, kms.KeySpec.RSA_3072, kms.KeySpec.RSA_4096],
  hs2019: [kms.KeySpec.RSA_2048, kms.KeySpec.RSA_3072, kms.KeySpec.RSA_4096],
  'ecdsa-p256-sha256': [kms.KeySpec.ECC_NIST_P256],
  ed25519: [kms.KeySpec.ECC_NIST_EDWARDS25519],
  // JWS PS256 client assertions (private_key_jwt).
  'rsa-pss-sha256': [kms.KeySpec.RSA_2048, kms.KeySpec.RSA_3072, kms.KeySpec.RSA_4096],
};

/**
 * A KMS signing key for `ArazzoWorkflowProps.signingKeys`: an existing key (`fromKey`), or one the
 * workflow creates (`create`), asymmetric SIGN_VERIFY, retained when the stack is deleted (the
 * provider has its public key registered), whose key policy lets only the workflow's signing
 * functions sign and the account's IAM policies read its public key and administer it.
 */
export class ArazzoSigningKey {
  /** A key the workflow creates; its ARN is a stack output (`SigningKey<name>Arn`), for registering its public key. */
  static create(options: ArazzoSigningKeyOptions = {}): ArazzoSigningKey {
    return new ArazzoSigningKey(undefined, options);
  }

  /** A key made elsewhere (SIGN_VERIFY); the workflow grants `kms:Sign` on it to its signing functions only. */
  static fromKey(key: kms.IKey): ArazzoSigningKey {
    return new ArazzoSigningKey(key, {});
  }

  private constructor(
    /** The existing key, or undefined for one to create. */
    readonly key: kms.IKey | undefined,
    readonly options: ArazzoSigningKeyOptions,
  ) {}
}

/** The account's administration of a created signing key: everything but using it (Sign, Verify, Encrypt...). */
export const SIGNING_KEY_ADMIN_ACTIONS = [
  'kms:Create*',
  'kms:Describe*',
  'kms:Enable*',
  'kms:List*',
  'kms:Put*',
  'kms:Update*',
  'kms:Revoke*',
  'kms:Disable*',
  'kms:Get*',
  'kms:Delete*',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
];
