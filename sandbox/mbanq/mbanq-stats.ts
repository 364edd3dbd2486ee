import type { RequestLogEntry } from '../http/index.js';

/** Counters a test or a user reads to see what the sandbox did. Snapshots: later requests do not change them. */
export interface MbanqSandboxStats {
  readonly requests: number;
  /** Requests per operationId; `(unrouted)` for paths outside the description. */
  readonly byOperation: Readonly<Record<string, number>>;
  /** Requests per HTTP status sent (`0`: connection reset by a fault). */
  readonly byStatus: Readonly<Record<string, number>>;
  readonly faultsInjected: number;
  readonly tokensIssued: number;
  readonly clientsCreated: number;
  readonly identifiersCreated: number;
  /** verify commands that moved a client to Verified. */
  readonly verifications: number;
  /** verify commands refused with a 403 domain rule violation. */
  readonly verificationsRefused: number;
  readonly activations: number;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends Readonly<Record<string, number>> ? Record<string, number> : T[K] };
export type MbanqStatsCounters = Mutable<MbanqSandboxStats>;

export function createMbanqStats(): MbanqStatsCounters {
  return {
    requests: 0,
    byOperation: {},
    byStatus: {},
    faultsInjected: 0,
    tokensIssued: 0,
    clientsCreated: 0,
    identifiersCreated: 0,
    verifications: 0,
    verificationsRefused: 0,
    activations: 0,
  };
}

export function countMbanqRequest(stats: MbanqStatsCounters, entry: RequestLogEntry): void {
  const operation = entry.operationId ?? '(unrouted)';
  stats.requests += 1;
  stats.byOperation[operation] = (stats.byOperation[operation] ?? 0) + 1;
  stats.byStatus[entry.status] = (stats.byStatus[entry.status] ?? 0) + 1;
  if (entry.fault) stats.faultsInjected += 1;
}

export function snapshotMbanqStats(stats: MbanqStatsCounters): MbanqSandboxStats {
  return structuredClone(stats);
}
