import type { StepPlan } from '../../core/plan.js';
import { AwsMessagePublisher } from '../runtime/messages/publish-message.js';
import { TlsAlertAgent } from '../runtime/http/tls-alert-agent.js';
import { createOperationHandler, logStepCall } from './create-operation-handler.js';
import { callbacksFromEnvironment, HandlerEnvironment, readJsonMap, sealerFromEnvironment, secretsFromEnvironment, signingKeysFromEnvironment } from './environment.js';

/** Replaced at bundle time by the JSON of this function's step plans (`PlanDefines.stepPlans`). */
declare const __ARAZZO_STEP_PLANS__: string;

const plans = JSON.parse(__ARAZZO_STEP_PLANS__) as StepPlan[];
const callbacks = callbacksFromEnvironment(process.env, plans);
// Send steps on SQS, SNS, EventBridge or MQTT publish to the targets the construct resolved (and granted), and no other.
const sendsToBrokers = plans.some((p) => p.channel?.action === 'send' && p.channel.transport.kind !== 'http');
const secrets = secretsFromEnvironment(process.env);
const signingKeys = signingKeysFromEnvironment(process.env, secrets);

// Built at module load, so a warm container keeps its secrets, data key and HTTP connections.
export const handler = createOperationHandler(plans, {
  secrets,
  ...(signingKeys ? { signingKeys } : {}),
  sealer: sealerFromEnvironment(process.env),
  // One pool for the container; it remembers TLS alerts, so a refused client certificate fails by name instead of being retried.
  dispatcher: new TlsAlertAgent(),
  serverUrls: readJsonMap(process.env, HandlerEnvironment.serverUrls),
  // A callback step's Task invokes this function with `lambda:invoke.waitForTaskToken`: the event carries `taskToken` and `executionId`.
  ...(callbacks ? { callbacks } : {}),
  ...(sendsToBrokers
    ? { messages: new AwsMessagePublisher(readJsonMap(process.env, HandlerEnvironment.channelTargets), { iotDataEndpoint: process.env[HandlerEnvironment.iotDataEndpoint] }) }
    : {}),
  log: logStepCall,
});
