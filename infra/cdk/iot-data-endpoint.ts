import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cr from 'aws-cdk-lib/custom-resources';
import type { Construct } from 'constructs';

/** The construct id of the stack's one endpoint lookup, shared by every ArazzoWorkflow in the stack. */
export const IOT_DATA_ENDPOINT_ID = 'ArazzoIotDataEndpoint';

/**
 * The https URL of the account's AWS IoT Core data endpoint (`iot:Data-ATS`), looked up once per
 * stack at deploy time: a custom resource that calls `DescribeEndpoint` and nothing else. The
 * endpoint is per account and region, and the SDK's default data-plane host is not necessarily it,
 * so MQTT send steps publish to the one this returns (`ARAZZO_IOT_DATA_ENDPOINT`).
 * @see https://docs.aws.amazon.com/iot/latest/apireference/API_DescribeEndpoint.html
 */
export function iotDataEndpointUrl(scope: Construct): string {
  return `https://${iotDataEndpointLookup(scope).getResponseField('endpointAddress')}`;
}

/** The stack's endpoint lookup, created on first use. */
export function iotDataEndpointLookup(scope: Construct): cr.AwsCustomResource {
  const stack = Stack.of(scope);
  const found = stack.node.tryFindChild(IOT_DATA_ENDPOINT_ID) as cr.AwsCustomResource | undefined;
  if (found) return found;
  const describe: cr.AwsSdkCall = {
    service: '@aws-sdk/client-iot',
    action: 'DescribeEndpoint',
    parameters: { endpointType: 'iot:Data-ATS' },
    // The address is the resource: a change of it (another account or region) replaces the lookup, and its users with it.
    physicalResourceId: cr.PhysicalResourceId.fromResponse('endpointAddress'),
    outputPaths: ['endpointAddress'],
  };
  return new cr.AwsCustomResource(stack, IOT_DATA_ENDPOINT_ID, {
    resourceType: 'Custom::ArazzoIotDataEndpoint',
    onUpdate: describe,
    // DescribeEndpoint has no resource-level permissions (the Service Authorization Reference lists no resource type for it).
    policy: cr.AwsCustomResourcePolicy.fromStatements([new iam.PolicyStatement({ actions: ['iot:DescribeEndpoint'], resources: ['*'] })]),
    // The Lambda runtime's SDK has DescribeEndpoint; installing another at deploy time would need the network and npm.
    installLatestAwsSdk: false,
  });
}
