import type { StepPlan } from '../runtime/plan.js';
import { createOperationHandler, logStepCall } from './create-operation-handler.js';
import { HandlerEnvironment, readJsonMap, sealerFromEnvironment, secretsFromEnvironment } from './environment.js';

/** Replaced at bundle time by the JSON of this function's step plans (`PlanDefines.stepPlans`). */
declare const __ARAZZO_STEP_PLANS__: string;

// Built at module load, so a warm container keeps its secrets, data key and HTTP connections.
export const handler = createOperationHandler(JSON.parse(__ARAZZO_STEP_PLANS__) as StepPlan[], {
  secrets: secretsFromEnvironment(process.env),
  sealer: sealerFromEnvironment(process.env),
  serverUrls: readJsonMap(process.env, HandlerEnvironment.serverUrls),
  log: logStepCall,
});
