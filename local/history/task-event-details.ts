import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { TaskResourceKind } from './classify-task-resource.js';
import type { StateNode } from './index-states.js';

/*
 * The details of a Task state's events, per kind of resource: a Lambda function, a service
 * integration or an activity each have their own event names and detail fields in the service's history.
 */

/** Fresh per event: callers may mutate what they get back. */
export const notTruncated = () => ({ truncated: false });

/** Drops absent optional fields, so the events compare and serialise like the service's. */
export function compact<T extends object>(details: T): T {
  for (const key of Object.keys(details) as (keyof T)[]) if (details[key] === undefined) delete details[key];
  return details;
}

interface EventNames {
  scheduled: string;
  started: string;
  succeeded: string;
  failed: string;
  timedOut: string;
}

const LAMBDA_NAMES: EventNames = {
  scheduled: 'LambdaFunctionScheduled',
  started: 'LambdaFunctionStarted',
  succeeded: 'LambdaFunctionSucceeded',
  failed: 'LambdaFunctionFailed',
  timedOut: 'LambdaFunctionTimedOut',
};
const TASK_NAMES: EventNames = {
  scheduled: 'TaskScheduled',
  started: 'TaskStarted',
  succeeded: 'TaskSucceeded',
  failed: 'TaskFailed',
  timedOut: 'TaskTimedOut',
};
const ACTIVITY_NAMES: EventNames = {
  scheduled: 'ActivityScheduled',
  started: 'ActivityStarted',
  succeeded: 'ActivitySucceeded',
  failed: 'ActivityFailed',
  timedOut: 'ActivityTimedOut',
};

export const names = (kind: TaskResourceKind) =>
  kind.kind === 'lambda' ? LAMBDA_NAMES : kind.kind === 'service' ? TASK_NAMES : ACTIVITY_NAMES;

export function scheduledDetails(kind: TaskResourceKind, inputJson: string, node: StateNode | undefined, region: string | undefined): Partial<HistoryEvent> {
  const timeoutInSeconds = node?.timeoutSeconds;
  const heartbeatInSeconds = node?.heartbeatSeconds;
  switch (kind.kind) {
    case 'lambda':
      return {
        lambdaFunctionScheduledEventDetails: compact({ resource: kind.resource, input: inputJson, inputDetails: notTruncated(), timeoutInSeconds }),
      };
    case 'service':
      return {
        taskScheduledEventDetails: compact({
          resourceType: kind.resourceType,
          resource: kind.resource,
          region,
          parameters: inputJson,
          timeoutInSeconds,
          heartbeatInSeconds,
        }),
      };
    case 'activity':
      return {
        activityScheduledEventDetails: compact({
          resource: kind.resource,
          input: inputJson,
          inputDetails: notTruncated(),
          timeoutInSeconds,
          heartbeatInSeconds,
        }),
      };
  }
}

export function startedDetails(kind: TaskResourceKind): Partial<HistoryEvent> {
  if (kind.kind === 'service') return { taskStartedEventDetails: { resourceType: kind.resourceType, resource: kind.resource } };
  if (kind.kind === 'activity') return { activityStartedEventDetails: {} };
  return {};
}

/** A `.waitForTaskToken` Task's resource answered; the Task now waits for its token. Only service integrations have it. */
export function submittedDetails(kind: Extract<TaskResourceKind, { kind: 'service' }>, outputJson: string): Partial<HistoryEvent> {
  return { taskSubmittedEventDetails: { resourceType: kind.resourceType, resource: kind.resource, output: outputJson, outputDetails: notTruncated() } };
}

export function succeededDetails(kind: TaskResourceKind, outputJson: string): Partial<HistoryEvent> {
  const output = { output: outputJson, outputDetails: notTruncated() };
  if (kind.kind === 'service') return { taskSucceededEventDetails: { resourceType: kind.resourceType, resource: kind.resource, ...output } };
  if (kind.kind === 'activity') return { activitySucceededEventDetails: output };
  return { lambdaFunctionSucceededEventDetails: output };
}

export function failureDetails(kind: TaskResourceKind, which: 'failed' | 'timedOut', outcome: { error?: string; cause?: string }): Partial<HistoryEvent> {
  const info = compact({ error: outcome.error, cause: outcome.cause });
  if (kind.kind === 'service') {
    const details = { resourceType: kind.resourceType, resource: kind.resource, ...info };
    return which === 'failed' ? { taskFailedEventDetails: details } : { taskTimedOutEventDetails: details };
  }
  if (kind.kind === 'activity') return which === 'failed' ? { activityFailedEventDetails: info } : { activityTimedOutEventDetails: info };
  return which === 'failed' ? { lambdaFunctionFailedEventDetails: info } : { lambdaFunctionTimedOutEventDetails: info };
}
