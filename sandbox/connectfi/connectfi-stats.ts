import type { RequestLogEntry } from '../http/index.js';

/** Counters a test or a user reads to see what the sandbox did. Snapshots: later requests do not change them. */
export interface ConnectFiSandboxStats {
  readonly requests: number;
  /** Requests per operationId; `(unrouted)` for paths outside the description. */
  readonly byOperation: Readonly<Record<string, number>>;
  /** Requests per HTTP status sent (`0`: connection reset by a fault). */
  readonly byStatus: Readonly<Record<string, number>>;
  readonly faultsInjected: number;
  readonly tokensIssued: number;
  readonly customersCreated: number;
  readonly kycProcessesStarted: number;
  /** Callback deliveries attempted, duplicates included. */
  readonly callbacksSent: number;
  /** Attempts the receiver did not acknowledge with a 2xx (error status, refused, timed out). */
  readonly callbacksFailed: number;
  /** Callbacks dropped by the scenario (`lose`). */
  readonly callbacksLost: number;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends Readonly<Record<string, number>> ? Record<string, number> : T[K] };
export type ConnectFiStatsCounters = Mutable<ConnectFiSandboxStats>;

export function createConnectFiStats(): ConnectFiStatsCounters {
  return {
    requests: 0,
    byOperation: {},
    byStatus: {},
    faultsInjected: 0,
    tokensIssued: 0,
    customersCreated: 0,
    kycProcessesStarted: 0,
    callbacksSent: 0,
    callbacksFailed: 0,
    callbacksLost: 0,
  };
}

export function countConnectFiRequest(stats: ConnectFiStatsCounters, entry: RequestLogEntry): void {
  const operation = entry.operationId ?? '(unrouted)';
  stats.requests += 1;
  stats.byOperation[operation] = (stats.byOperation[operation] ?? 0) + 1;
  stats.byStatus[entry.status] = (stats.byStatus[entry.status] ?? 0) + 1;
  if (entry.fault) stats.faultsInjected += 1;
}
