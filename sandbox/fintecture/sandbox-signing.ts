import { generateKeyPairSync } from 'node:crypto';
import { FINTECTURE_SIGNED_HEADERS } from './verify-signature.js';

/** What a local run needs to sign PIS requests the simulator verifies: keys registered, the private key, the declaration. */
export interface SandboxSigning {
  /** For `FintectureSandboxOptions.signatureKeys`: the public key under each application id. */
  readonly signatureKeys: Readonly<Record<string, string>>;
  /** For the local secrets provider: the private key (PEM) under `keyName`. */
  readonly secrets: Readonly<Record<string, string>>;
  /** For `CompileOptions.signing`: Fintecture's PIS signature, keyId the run's client id (`$inputs.clientId`). */
  readonly signing: Readonly<Record<string, unknown>>;
}

/**
 * A signing key made for one run (never written to disk), registered with the simulator for each
 * of `applications`, and the declaration that signs seed 001's payment calls with it as the
 * real API asks (draft-cavage rsa-sha256 over `(request-target) date digest x-request-id`),
 * keyId the application id the execution logs in with, so any registered application signs.
 */
export function makeSandboxSigning(applications: readonly string[], keyName: string, source = 'pisApi'): SandboxSigning {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
  return {
    signatureKeys: Object.fromEntries(applications.map((id) => [id, publicPem])),
    secrets: { [keyName]: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string },
    signing: {
      [source]: { scheme: 'draft-cavage', algorithm: 'rsa-sha256', components: [...FINTECTURE_SIGNED_HEADERS], key: keyName, keyId: '$inputs.clientId' },
    },
  };
}
