import { Stack, Validations } from 'aws-cdk-lib';
import { AwsCustomResource } from 'aws-cdk-lib/custom-resources';
import type { ArazzoWorkflow } from './arazzo-workflow.js';
import { IOT_DATA_ENDPOINT_ID } from './iot-data-endpoint.js';
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
  for (const arn of workflow.nestedExecutionArns) {
    Validations.of(workflow.stateMachine).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${flattenCfnReference(Stack.of(workflow).resolve(arn))}]`,
      reason:
        'DescribeExecution/StopExecution on the executions of one nested state machine: a .sync integration starts an execution whose name is not known in advance, so its ARN ends in a wildcard (execution:<child>:*), as AWS documents for startExecution.sync',
    });
  }
  for (const fn of Object.values(workflow.functions)) {
    Validations.of(workflow.stateMachine).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${flattenCfnReference(Stack.of(workflow).resolve(`${fn.functionArn}:*`))}]`,
      reason:
        'lambda:InvokeFunction on every version of one of this workflow\'s own functions: each state machine version calls the function versions it was deployed with, and the role is shared by all versions, so executions still running on an older one keep calling theirs',
    });
  }
  // The receivers' (webhook, broker) and the receive steps' functions' (a message that came first resumes the Task from there).
  for (const taskResponse of workflow.node.children.filter((c) => c.node.id.endsWith('.TaskResponse'))) {
    Validations.of(taskResponse).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${flattenCfnReference(Stack.of(workflow).resolve(`${workflow.stateMachine.stateMachineArn}:*`))}]`,
      reason: 'SendTaskSuccess/Failure/Heartbeat on the versions and aliases of this workflow\'s own state machine: executions start on its alias, and one in flight may run on an older version',
    });
  }
  const eventDeadLetters = workflow.brokerWiring?.eventDeadLetters;
  if (eventDeadLetters) {
    Validations.of(eventDeadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the rules that feed the broker receiver; a dead-letter queue of its own would only move the same events once more',
    });
  }
  acknowledgeIotDataEndpointFindings(Stack.of(workflow));
  if (workflow.deadLetterQueue && workflow.node.tryFindChild('TriggerDeadLetters')) {
    Validations.of(workflow.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the EventBridge trigger; a dead-letter queue of its own would only move the same messages once more',
    });
  }
}

/**
 * The findings of the stack's IoT data endpoint lookup (MQTT send steps): CDK's AwsCustomResource
 * and the provider function it shares across the stack.
 */
function acknowledgeIotDataEndpointFindings(stack: Stack): void {
  const lookup = stack.node.tryFindChild(IOT_DATA_ENDPOINT_ID);
  if (!lookup) return;
  Validations.of(lookup).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'iot:DescribeEndpoint only, which has no resource-level permissions (the Service Authorization Reference lists no resource type for it)',
  });
  const provider = stack.node.tryFindChild(`AWS${AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '')}`);
  if (!provider) return;
  Validations.of(provider).acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason: "CDK's AwsCustomResource provider function (the IoT data endpoint lookup): CDK gives its role AWS's basic execution policy (CloudWatch Logs writes); the lookup's own permission is a separate policy with iot:DescribeEndpoint only",
  });
}

/** The seed stack's findings: its workflows', and its secrets'. */
export function acknowledgeSeedWorkflowsFindings(stack: SeedWorkflowsStack): void {
  for (const workflow of [stack.customerVerification, stack.tokenThenPayment, stack.connectFiKyc, stack.mbanqVerifyCustomer, stack.fintecturePaymentWebhook]) acknowledgeArazzoWorkflowFindings(workflow);
  Validations.of(stack).acknowledge({
    id: 'AwsSolutions-SMG4',
    reason:
      'Provider-issued credentials (a Fintecture app secret, a bearer token, the connectFi and Mbanq API users, connectFi\'s webhook signing key) and a Fintecture application\'s key pair (registered in its Console) are rotated at the provider, which offers no API a rotation Lambda could call',
  });
}

/**
 * A resolved CloudFormation value as cdk-nag names it in a finding id (`Resource::<this>`):
 * `Fn::Join` joined, `Ref`/`Fn::GetAtt` as `<Name>`/`<Name.Attr>`, anything else as JSON. The
 * same rules as cdk-nag's `utils/flatten-cfn-reference` (not exported by the package); the
 * nested-workflow test fails if they drift apart.
 */
function flattenCfnReference(node: unknown): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  const value = node as Record<string, any>;
  if (value['Fn::Join']) {
    const [delimiter, items] = value['Fn::Join'] as [string, unknown[]];
    return items.map(flattenCfnReference).join(delimiter);
  }
  if (value['Fn::Sub']) return flattenCfnReference(value['Fn::Sub']);
  if (value['Fn::GetAtt']) return `<${flattenCfnReference(value['Fn::GetAtt'][0])}.${flattenCfnReference(value['Fn::GetAtt'][1])}>`;
  if (value['Fn::ImportValue']) return flattenCfnReference(value['Fn::ImportValue']);
  if (value.Ref) return `<${flattenCfnReference(value.Ref)}>`;
  return JSON.stringify(node);
}
