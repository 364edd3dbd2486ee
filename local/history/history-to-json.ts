import type { HistoryEvent } from '@aws-sdk/client-sfn';

export type HistoryEventJson = Omit<HistoryEvent, 'timestamp'> & { timestamp: string };

/**
 * The body `aws stepfunctions get-execution-history` prints: `{ "events": [...] }` with the same
 * field names, timestamps as ISO 8601 strings (UTC) and the CLI's key order (timestamp, type, id,
 * previousEventId, details).
 */
export function historyToJson(events: readonly HistoryEvent[]): { events: HistoryEventJson[] } {
  return {
    events: events.map(({ timestamp, type, id, previousEventId, ...details }) => ({
      timestamp: (timestamp ?? new Date(0)).toISOString(),
      type,
      id,
      previousEventId,
      ...details,
    })),
  };
}
