import { handleWorkflowFunction, type WorkflowFunctionEvent } from '../runtime/handle-workflow-function.js';
import type { WorkflowPlan } from '../../core/plan.js';
import { sealerFromEnvironment } from './environment.js';

/** Replaced at bundle time by the JSON of the workflow's plan (`PlanDefines.workflowPlan`). */
declare const __ARAZZO_WORKFLOW_PLAN__: string;

const plan = JSON.parse(__ARAZZO_WORKFLOW_PLAN__) as WorkflowPlan;
// The workflow function reads no secret: it validates inputs and runs workflow steps' inputs and outcomes.
const runtime = { sealer: sealerFromEnvironment(process.env) };

export const handler = (event: WorkflowFunctionEvent) => handleWorkflowFunction(plan, event, runtime);
