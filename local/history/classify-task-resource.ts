/**
 * Which family of history events AWS writes for a Task, decided by its `Resource` the way the
 * service does:
 * - a Lambda function ARN (the legacy direct form) → `LambdaFunction*` events;
 * - an optimised or SDK integration (`arn:aws:states:::lambda:invoke`, `:::aws-sdk:s3:getObject`,
 *   `:::sqs:sendMessage.waitForTaskToken`, …) → `Task*` events whose `resourceType` is everything
 *   between `:::` and the last `:` and whose `resource` is the action after it (recorded runs on
 *   AWS show `lambda` / `invoke` for `lambda:invoke`, not `LambdaFunction*`);
 * - an activity ARN → `Activity*` events.
 * Anything else is treated as a Lambda ARN: it is the only kind the local engine can invoke.
 */
export type TaskResourceKind =
  | { kind: 'lambda'; resource: string }
  | { kind: 'service'; resourceType: string; resource: string }
  | { kind: 'activity'; resource: string };

const SERVICE_INTEGRATION = /^arn:[^:]+:states:::(.+):([^:]+)$/;
const ACTIVITY = /^arn:[^:]+:states:[^:]*:[^:]*:activity:/;

export function classifyTaskResource(resource: string): TaskResourceKind {
  const service = SERVICE_INTEGRATION.exec(resource);
  if (service) return { kind: 'service', resourceType: service[1], resource: service[2] };
  if (ACTIVITY.test(resource)) return { kind: 'activity', resource };
  return { kind: 'lambda', resource };
}
