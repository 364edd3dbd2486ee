/**
 * The counts the handlers write as CloudWatch Embedded Metric Format log lines (no PutMetricData
 * call nor permission), in a module of their own so every handler can count without bundling the
 * webhook receiver.
 */

/** The CloudWatch namespace and metric of refused callbacks (the construct's `metricForgedCallbacks`). */
export const FORGED_CALLBACK_METRIC = { namespace: 'ArazzoSfn', name: 'ForgedCallbacks', dimension: 'WorkflowId' } as const;

/** The metric of messages the receiver answered 413 (too large to receive, or to keep for a step not waiting yet). */
export const OVERSIZED_MESSAGE_METRIC = { namespace: 'ArazzoSfn', name: 'OversizedMessages', dimension: 'WorkflowId' } as const;

/**
 * The metric of broker messages the broker receiver deleted without a receive step taking them
 * (not JSON, no step listens, no correlation id, too large to keep, failed MAX_RECEIVES times):
 * no sender hears of them, so the count is what tells (the construct's `metricDroppedMessages`).
 */
export const DROPPED_MESSAGE_METRIC = { namespace: 'ArazzoSfn', name: 'DroppedMessages', dimension: 'WorkflowId' } as const;

/**
 * One refused callback as a CloudWatch Embedded Metric Format line: Lambda's log delivery turns
 * it into a `ForgedCallbacks` count by workflow, with no PutMetricData call nor permission.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
export function forgedCallbackMetric(reason: string, workflowId: string, timestamp: number): Record<string, unknown> {
  return countMetric(FORGED_CALLBACK_METRIC, reason, workflowId, timestamp);
}

/** One count of a metric by workflow, as an Embedded Metric Format line (see forgedCallbackMetric). */
export function countMetric(
  metric: { readonly namespace: string; readonly name: string; readonly dimension: string },
  reason: string,
  workflowId: string,
  timestamp: number,
): Record<string, unknown> {
  const { namespace, name, dimension } = metric;
  return {
    _aws: { Timestamp: timestamp, CloudWatchMetrics: [{ Namespace: namespace, Dimensions: [[dimension]], Metrics: [{ Name: name, Unit: 'Count' }] }] },
    [dimension]: workflowId,
    [name]: 1,
    reason,
  };
}
