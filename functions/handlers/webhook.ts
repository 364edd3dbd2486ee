import { SfnTaskTokenClient } from '../runtime/callbacks/index.js';
import { secretError } from '../../core/errors.js';
import type { StepPlan } from '../../core/plan.js';
import type { SecretsProvider } from '../runtime/secrets/index.js';
import { createWebhookHandler } from './create-webhook-handler.js';
import { callbackStoreFromEnvironment, HandlerEnvironment, sealerFromEnvironment, secretsFromEnvironment } from './environment.js';

/** Replaced at bundle time by the JSON of the workflow's callback step plans (`PlanDefines.callbackPlans`). */
declare const __ARAZZO_CALLBACK_PLANS__: string;

const plans = JSON.parse(__ARAZZO_CALLBACK_PLANS__) as StepPlan[];
const store = callbackStoreFromEnvironment(process.env, plans);
if (!store) throw new Error(`the webhook receiver has no callback table (${HandlerEnvironment.callbackTable})`);

// A callback is judged from the step's event and the callback body only. The one secret the receiver reads is a step's
// webhook verification key (`verify.secret`): the construct passes and grants those, and no other.
const verificationKeys = new Set(plans.flatMap((p) => (p.callback?.verify ? [p.callback.verify.secret] : [])));
const granted = secretsFromEnvironment(process.env);
const secrets: SecretsProvider = {
  getSecret: (name) =>
    verificationKeys.has(name) ? granted.getSecret(name) : Promise.reject(secretError(`the webhook receiver reads only webhook verification keys, and a callback step's outcome cannot need "${name}"`)),
};

/**
 * The Lambda behind the workflow's Function URL (auth NONE): providers call a plain URL and
 * cannot sign with SigV4, so IAM auth is not an option. The credential is the per-execution
 * callback id in the query string (256 random bits, one execution's step, useless once it
 * settled), and, for a step that declares `verify`, the provider's webhook signature.
 */
export const handler = createWebhookHandler(plans, {
  store,
  tokens: new SfnTaskTokenClient(),
  sealer: sealerFromEnvironment(process.env),
  secrets,
});
