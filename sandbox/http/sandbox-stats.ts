import type { RequestLogEntry } from './request-log-entry.js';

/** The traffic counters every simulator keeps, whatever else it counts. Snapshots: later requests do not change them. */
export interface SandboxRequestStats {
  readonly requests: number;
  /** Requests per operationId; `(unrouted)` for paths outside the descriptions. */
  readonly byOperation: Readonly<Record<string, number>>;
  /** Requests per HTTP status sent (`0`: connection reset by a fault). */
  readonly byStatus: Readonly<Record<string, number>>;
  readonly faultsInjected: number;
}

/** The live counters behind a stats snapshot, which handlers add to. */
export type StatsCounters<Stats> = {
  -readonly [K in keyof Stats]: Stats[K] extends Readonly<Record<string, number>> ? Record<string, number> : Stats[K];
};

export function createRequestStats(): StatsCounters<SandboxRequestStats> {
  return { requests: 0, byOperation: {}, byStatus: {}, faultsInjected: 0 };
}

export function countSandboxRequest(stats: StatsCounters<SandboxRequestStats>, entry: RequestLogEntry): void {
  const operation = entry.operationId ?? '(unrouted)';
  stats.requests += 1;
  stats.byOperation[operation] = (stats.byOperation[operation] ?? 0) + 1;
  stats.byStatus[entry.status] = (stats.byStatus[entry.status] ?? 0) + 1;
  if (entry.fault) stats.faultsInjected += 1;
}

/** A deep copy, so a caller holding it sees the counters as they were. */
export function snapshotSandboxStats<Stats>(stats: StatsCounters<Stats>): Stats {
  return structuredClone(stats) as Stats;
}
