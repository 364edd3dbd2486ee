/**
 * What the seed workflows need declared beside their documents, which stay verbatim (DESIGN:
 * "Seed 001 stays verbatim"): seed 001's request signing, seed 003's webhook verification and
 * every seed's personal data. One
 * source for the deployed app (infra/app.ts) and the local demo (`npm start`, `run --sandbox`,
 * `serve --sandbox`), so the two cannot drift apart. Data only: no CDK, no runtime.
 */

/** Where Fintecture's PIS API is, in seed 001 (its source description name). */
const FINTECTURE_PIS_SOURCE = 'pisApi';

/**
 * Seed 001's payment calls signed as Fintecture's PIS API asks: draft-cavage rsa-sha256 over
 * `(request-target) date digest x-request-id`, keyId the application id. `key` names the signing
 * key in the runtime's key configuration (a KMS key of `signingKeys` on AWS, a local secret in the
 * demo); `keyId` is a literal or `$inputs.clientId` (the application id, read from its secret at
 * send time).
 */
export function fintecturePisSigning(key: string, keyId: string): Readonly<Record<string, unknown>> {
  return {
    [FINTECTURE_PIS_SOURCE]: {
      scheme: 'draft-cavage',
      algorithm: 'rsa-sha256',
      components: ['(request-target)', 'date', 'digest', 'x-request-id'],
      key,
      keyId,
    },
  };
}

/**
 * The seeds' personal data (issue 19 §4), by workflow id: names, e-mail, date of birth, phone,
 * address and identity document number travel sealed, so a history shows `sealed:` strings in
 * their place. Seed 001 (token-then-payment) carries none: an amount, a currency and an order
 * reference.
 */
export const SEED_PERSONAL_DATA: Readonly<Record<string, readonly string[]>> = {
  'connectfi-kyc-callback': ['firstName', 'lastName', 'dateOfBirth', 'email'],
  'connectfi-kyc-async': ['firstName', 'lastName', 'dateOfBirth', 'email'],
  'customer-verification-poll': ['firstName', 'lastName', 'email', 'expectedName'],
  'mbanq-verify-customer': ['firstname', 'lastname', 'emailAddress', 'mobileNo', 'address', 'documentKey'],
};

/**
 * Where the key connectFi signs its KYC webhooks with is found (a Secrets Manager name on AWS, the
 * local secrets provider's in the demo): the name connectfi-kyc-async.arazzo.yml's
 * `x-arazzo-sfn-verify.secret` gives, and seed 003's configured verification below.
 */
export const CONNECTFI_WEBHOOK_KEY = 'connectfi/webhook-key';

/**
 * Seed 003's callback verified without editing it (its 1.0 `x-arazzo-sfn-callback` declares no
 * `verify`): connectFi signs each KYC webhook with HMAC-SHA256 in the `t=…,v1=…` form, the
 * declaration connectfi-kyc-async.arazzo.yml writes on its receive step. By workflow id, then
 * step id (CompileOptions `webhookVerification`).
 */
export const SEED_WEBHOOK_VERIFICATION: Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, unknown>>>>>> = {
  'connectfi-kyc-callback': { startKyc: { scheme: 'hmac-sha256', secret: CONNECTFI_WEBHOOK_KEY, toleranceSeconds: 300 } },
};

/**
 * The secrets (by name) of the Fintecture application whose payments settle by webhook
 * (fintecture-payment-webhook.arazzo.yml): its credentials, and its private key (PEM), which signs
 * its PIS requests and opens its webhooks' signatures (Fintecture encrypts them to the
 * application's public key). The key's name is the one the workflow's `x-arazzo-sfn-verify.secret` gives.
 */
export const FINTECTURE_WEBHOOK_APP = { credentials: 'fintecture/webhook-app', privateKey: 'fintecture/webhook-key' } as const;

/** fintecture-payment-webhook's verification for a deployment's own application id (the Signature's keyId), the key named `secret`. */
export function fintectureWebhookVerification(appId: string, secret: string): Readonly<Record<string, unknown>> {
  return { scheme: 'fintecture', keyId: appId, secret, toleranceSeconds: 300 };
}
