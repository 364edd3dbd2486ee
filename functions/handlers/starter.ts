import type { SFNClient } from '@aws-sdk/client-sfn';
import type { WorkflowPlan } from '../../core/plan.js';
import { startSealed, type StarterEvent, type TriggerMapping } from '../runtime/personal/start-sealed.js';
import { HandlerEnvironment, sealerFromEnvironment } from './environment.js';

/** Replaced at bundle time by the JSON of the workflow's plan (`PlanDefines.workflowPlan`). */
declare const __ARAZZO_WORKFLOW_PLAN__: string;

const plan = JSON.parse(__ARAZZO_WORKFLOW_PLAN__) as WorkflowPlan;
const sealer = sealerFromEnvironment(process.env);
const stateMachineArn = process.env[HandlerEnvironment.stateMachineArn]!;
const mapping = JSON.parse(process.env[HandlerEnvironment.triggerMapping] ?? '{"kind":"detail"}') as TriggerMapping;
let client: Promise<SFNClient> | undefined;

/** Seals the personal inputs of an event (or a caller's inputs) and starts the execution through the alias. */
export const handler = (event: StarterEvent) =>
  startSealed(plan, event, mapping, sealer, async (name, input) => {
    const sfn = await import('@aws-sdk/client-sfn');
    client ??= Promise.resolve(new sfn.SFNClient({}));
    try {
      const started = await (await client).send(new sfn.StartExecutionCommand({ stateMachineArn, input, ...(name ? { name } : {}) }));
      return { executionArn: started.executionArn };
    } catch (err) {
      // A retried delivery of the same event: its execution was started by the first.
      if ((err as Error).name === 'ExecutionAlreadyExists') return { alreadyStarted: true };
      throw err;
    }
  });
