import { secretError } from '../../core/errors.js';
import type { StepPlan } from '../../core/plan.js';
import { SfnTaskTokenClient } from '../runtime/callbacks/index.js';
import type { SecretsProvider } from '../runtime/secrets/index.js';
import { createBrokerHandler } from './create-broker-handler.js';
import { callbackStoreFromEnvironment, HandlerEnvironment, readJsonMap, sealerFromEnvironment } from './environment.js';

/** Replaced at bundle time by the JSON of the workflow's broker receive step plans (`PlanDefines.callbackPlans`). */
declare const __ARAZZO_CALLBACK_PLANS__: string;

const plans = JSON.parse(__ARAZZO_CALLBACK_PLANS__) as StepPlan[];
const store = callbackStoreFromEnvironment(process.env, plans);
if (!store) throw new Error(`the broker receiver has no callback table (${HandlerEnvironment.callbackTable})`);
const queues = readJsonMap(process.env, HandlerEnvironment.receiveQueues);

// A message is judged from the step's event and the message only: the receiver reads no secret.
const secrets: SecretsProvider = {
  getSecret: (name) => Promise.reject(secretError(`the broker receiver reads no secrets, and a receive step's outcome cannot need "${name}"`)),
};

/**
 * The Lambda behind the SQS event source mappings and EventBridge rules of a workflow's receive
 * steps on broker channels (Arazzo 1.1). Admission is the broker's: only principals the queue's or
 * bus's policy lets in can put a message there.
 */
export const handler = createBrokerHandler(plans, {
  store,
  tokens: new SfnTaskTokenClient(),
  sealer: sealerFromEnvironment(process.env),
  secrets,
  targetOfQueue: (arn) => queues[arn],
});
