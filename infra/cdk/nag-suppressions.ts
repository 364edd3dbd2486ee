import { Validations } from 'aws-cdk-lib';
import type { ArazzoWorkflow } from './arazzo-workflow.js';
import type { SeedWorkflowsStack } from './seed-workflows-stack.js';

/**
 * The cdk-nag AwsSolutions findings an ArazzoWorkflow raises by design, each acknowledged with
 * its reason, on the workflow's own constructs only and for the exact finding the reason covers.
 */
export function acknowledgeArazzoWorkflowFindings(workflow: ArazzoWorkflow): void {
  Validations.of(workflow).acknowledge(
    {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only X-Ray (PutTraceSegments, PutTelemetryRecords, GetSampling*) and CloudWatch Logs delivery (CreateLogDelivery, ...) actions, which have no resource-level permissions',
    },
    {
      id: 'AwsSolutions-L1',
      reason: 'Node.js 22 on purpose: the local run (embedded engine, undici 8) is tested on Node 22, so the Lambda functions run the same major version',
    },
  );
}

/** The seed stack's findings: its workflows', and its secrets'. */
export function acknowledgeSeedWorkflowsFindings(stack: SeedWorkflowsStack): void {
  for (const workflow of [stack.customerVerification, stack.tokenThenPayment, stack.connectFiKyc, stack.mbanqVerifyCustomer]) acknowledgeArazzoWorkflowFindings(workflow);
  Validations.of(stack).acknowledge({
    id: 'AwsSolutions-SMG4',
    reason:
      'Provider-issued credentials (a Fintecture app secret, a bearer token, the connectFi and Mbanq API users) are rotated at the provider, which offers no API a rotation Lambda could call',
  });
}
