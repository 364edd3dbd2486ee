import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { CONNECTFI_WEBHOOK_KEY, fintecturePisSigning, SEED_PERSONAL_DATA, SEED_WEBHOOK_VERIFICATION } from '../infra/seed-declarations.js';
import { DEFAULT_CONNECTFI_USERS, DEFAULT_FINTECTURE_CLIENTS, DEFAULT_MBANQ_TENANTS, startSandboxes, type SandboxSet } from '../sandbox/index.js';

/** The banking instance the example inputs name (`tenantId`). */
export const MBANQ_DEMO_TENANT = 'default';

/** The demo's Fintecture application, which the example inputs name through `secret:demo/fintecture/app`. */
const DEMO_FINTECTURE_APP = 'demo-merchant-app';
/** Where the demo's signing key lives in the local secrets provider (a key made for each run, never written to disk). */
const DEMO_SIGNING_KEY = 'demo/fintecture/signing-key';

/**
 * Where the demo's Fintecture application receives its payment webhooks: the channel of
 * fintecture-payment-webhook.arazzo.yml on the local receiver (set as the application's webhook
 * URL, as in Fintecture's Console). The receiver opens their signatures with the application's
 * private key, the one its PIS requests are signed with, under the name the workflow's
 * `x-arazzo-sfn-verify.secret` gives.
 */
export const DEMO_FINTECTURE_WEBHOOKS = { appId: DEMO_FINTECTURE_APP, source: 'fintectureWebhooks', channel: 'paymentStatus', keyName: 'fintecture/webhook-key' } as const;

/**
 * Sets the demo application's webhook URL as its owner sets it in Fintecture's Console: the
 * payment channel of the receiver serving this run (the local receiver, or the endpoint's).
 * Returns that URL.
 */
export function pointDemoWebhooks(sandboxes: SandboxSet, receiver: { messageUrl(source: string, channel: string): string }): string {
  const url = receiver.messageUrl(DEMO_FINTECTURE_WEBHOOKS.source, DEMO_FINTECTURE_WEBHOOKS.channel);
  sandboxes.fintecture.configureWebhook(DEMO_FINTECTURE_WEBHOOKS.appId, url);
  return url;
}

/**
 * Where the receiver finds the HMAC key connectFi signs its KYC webhooks with: the name
 * connectfi-kyc-async.arazzo.yml's `x-arazzo-sfn-verify.secret` and seed 003's configured
 * verification give. The simulator signs with a key made for each run, so its messages pass and
 * a forged one does not.
 */
export const DEMO_CONNECTFI_WEBHOOK_KEY = CONNECTFI_WEBHOOK_KEY;

/** Seed 003's callback verified as the deployed app verifies it (SEED_WEBHOOK_VERIFICATION), with the demo's key. */
export const DEMO_WEBHOOK_VERIFICATION = SEED_WEBHOOK_VERIFICATION;

/** Seed 001's payment calls signed as Fintecture's PIS API asks, with the demo's key and application id. */
export const DEMO_SIGNING: Readonly<Record<string, unknown>> = fintecturePisSigning(DEMO_SIGNING_KEY, DEMO_FINTECTURE_APP);

/** The seeds' personal data, as the deployed app declares it: the demo's printed input and history show `sealed:` in their place. */
export const DEMO_PERSONAL_DATA = SEED_PERSONAL_DATA;

/**
 * The credentials the example inputs reference, made up for this session and accepted by the
 * sandbox beside its published defaults (sandbox-app-id, sandbox_user, …), so both the example
 * inputs and credentials typed on the command line work.
 */
export async function startDemoSandboxes(): Promise<{ sandboxes: SandboxSet; secrets: Record<string, string> }> {
  const fintecture = { clientId: DEMO_FINTECTURE_APP, clientSecret: `demo-${randomBytes(12).toString('hex')}` };
  const mbanq = {
    username: 'demo-api-user',
    password: `demo-${randomBytes(12).toString('hex')}`,
    clientId: 'demo-onboarding-app',
    clientSecret: `demo-${randomBytes(12).toString('hex')}`,
  };
  const connectFiPassword = `demo-${randomBytes(12).toString('hex')}`;
  const connectFiWebhookKey = randomBytes(32).toString('base64url');
  // The simulator verifies PIS signatures with the public half, as the real API does with the key an application registers.
  const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const sandboxes = await startSandboxes({
    fintecture: {
      clients: { ...DEFAULT_FINTECTURE_CLIENTS, [fintecture.clientId]: fintecture.clientSecret },
      signatureKeys: { [DEMO_FINTECTURE_APP]: signingKey.publicKey.export({ type: 'spki', format: 'pem' }) as string },
    },
    mbanq: {
      tenants: {
        ...DEFAULT_MBANQ_TENANTS,
        [MBANQ_DEMO_TENANT]: {
          users: { ...DEFAULT_MBANQ_TENANTS[MBANQ_DEMO_TENANT]?.users, [mbanq.username]: mbanq.password },
          oauthClients: { ...DEFAULT_MBANQ_TENANTS[MBANQ_DEMO_TENANT]?.oauthClients, [mbanq.clientId]: mbanq.clientSecret },
        },
      },
    },
    connectfi: { users: { ...DEFAULT_CONNECTFI_USERS, demo_user: connectFiPassword }, webhookSigning: { key: connectFiWebhookKey } },
  });
  try {
    const res = await fetch(`${sandboxes.fintecture.url}/oauth/accesstoken`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        scope: 'customer',
        client_id: fintecture.clientId,
        client_secret: fintecture.clientSecret,
      }).toString(),
    });
    const body = (await res.json()) as { access_token?: string };
    if (res.status !== 200 || !body.access_token) throw new Error(`the sandbox refused the demo token request (${res.status})`);
    return {
      sandboxes,
      secrets: {
        'demo/fintecture/app': JSON.stringify(fintecture),
        'demo/fintecture/customers-token': body.access_token,
        'demo/mbanq/api-user': JSON.stringify(mbanq),
        'demo/connectfi/api-user': JSON.stringify({ password: connectFiPassword }),
        [DEMO_SIGNING_KEY]: signingKey.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
        [DEMO_FINTECTURE_WEBHOOKS.keyName]: signingKey.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
        [DEMO_CONNECTFI_WEBHOOK_KEY]: connectFiWebhookKey,
      },
    };
  } catch (err) {
    await sandboxes.close();
    throw err;
  }
}
