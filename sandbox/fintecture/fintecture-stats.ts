import type { RequestLogEntry } from '../http/index.js';

/** Counters a test or a user reads to see what the sandbox did. Snapshots: later requests do not change them. */
export interface FintectureSandboxStats {
  readonly requests: number;
  /** Requests per operationId; `(unrouted)` for paths outside the descriptions. */
  readonly byOperation: Readonly<Record<string, number>>;
  /** Requests per HTTP status sent (`0`: connection reset by a fault). */
  readonly byStatus: Readonly<Record<string, number>>;
  readonly faultsInjected: number;
  readonly tokensIssued: number;
  readonly customersCreated: number;
  readonly verificationsCreated: number;
  readonly paymentsCreated: number;
  /** x-request-id -> payments created with it. Any value above 1 would be a duplicate payment. */
  readonly paymentCreationsByRequestId: Readonly<Record<string, number>>;
  /** createPisV2Connect calls answered from an earlier creation with the same x-request-id. */
  readonly idempotentReplays: number;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends Readonly<Record<string, number>> ? Record<string, number> : T[K] };
export type FintectureStatsCounters = Mutable<FintectureSandboxStats>;

export function createFintectureStats(): FintectureStatsCounters {
  return {
    requests: 0,
    byOperation: {},
    byStatus: {},
    faultsInjected: 0,
    tokensIssued: 0,
    customersCreated: 0,
    verificationsCreated: 0,
    paymentsCreated: 0,
    paymentCreationsByRequestId: {},
    idempotentReplays: 0,
  };
}

export function countRequest(stats: FintectureStatsCounters, entry: RequestLogEntry): void {
  const operation = entry.operationId ?? '(unrouted)';
  stats.requests += 1;
  stats.byOperation[operation] = (stats.byOperation[operation] ?? 0) + 1;
  stats.byStatus[entry.status] = (stats.byStatus[entry.status] ?? 0) + 1;
  if (entry.fault) stats.faultsInjected += 1;
}

export function snapshotStats(stats: FintectureStatsCounters): FintectureSandboxStats {
  return structuredClone(stats);
}
