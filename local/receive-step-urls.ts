import { isWorkflowStep, type WorkflowPlan } from '../core/plan.js';
import { brokerTargetName } from '../functions/runtime/messages/publish-message.js';

/** Where a message for one receive step may be POSTed from outside the run. */
export interface ReceiveStepUrl {
  readonly stepId: string;
  readonly url: string;
  /** On a broker channel the receiver publishes the POSTed message there (`sqs:<queue>`, `sns:<topic>`, ...), which delivers it. */
  readonly publishedOn?: string;
}

/**
 * The local receiver's URL for each receive step of a workflow (Arazzo 1.1): what `run` and
 * `serve` print, so a user (or a provider's webhook setting) knows where to send its messages.
 */
export function receiveStepUrls(plan: WorkflowPlan, receiver: { messageUrl(source: string, channel: string): string }): ReceiveStepUrl[] {
  return plan.steps.flatMap((step) => {
    if (isWorkflowStep(step) || !step.receive || !step.channel) return [];
    const { transport, source, channel } = step.channel;
    return [{ stepId: step.stepId, url: receiver.messageUrl(source, channel), ...(transport.kind === 'http' ? {} : { publishedOn: brokerTargetName(transport) }) }];
  });
}
