import { countSandboxRequest, createRequestStats, type RequestLogEntry, type SandboxRequestStats, type StatsCounters } from '../http/index.js';

/** Counters a test or a user reads to see what the sandbox did. Snapshots: later requests do not change them. */
export interface ConnectFiSandboxStats extends SandboxRequestStats {
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

export type ConnectFiStatsCounters = StatsCounters<ConnectFiSandboxStats>;

export function createConnectFiStats(): ConnectFiStatsCounters {
  return { ...createRequestStats(), tokensIssued: 0, customersCreated: 0, kycProcessesStarted: 0, callbacksSent: 0, callbacksFailed: 0, callbacksLost: 0 };
}

export const countConnectFiRequest: (stats: ConnectFiStatsCounters, entry: RequestLogEntry) => void = countSandboxRequest;
