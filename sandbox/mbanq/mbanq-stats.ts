import { countSandboxRequest, createRequestStats, snapshotSandboxStats, type RequestLogEntry, type SandboxRequestStats, type StatsCounters } from '../http/index.js';

/** Counters a test or a user reads to see what the sandbox did. Snapshots: later requests do not change them. */
export interface MbanqSandboxStats extends SandboxRequestStats {
  readonly tokensIssued: number;
  readonly clientsCreated: number;
  readonly identifiersCreated: number;
  /** verify commands that moved a client to Verified. */
  readonly verifications: number;
  /** verify commands refused with a 403 domain rule violation. */
  readonly verificationsRefused: number;
  readonly activations: number;
}

export type MbanqStatsCounters = StatsCounters<MbanqSandboxStats>;

export function createMbanqStats(): MbanqStatsCounters {
  return { ...createRequestStats(), tokensIssued: 0, clientsCreated: 0, identifiersCreated: 0, verifications: 0, verificationsRefused: 0, activations: 0 };
}

export const countMbanqRequest: (stats: MbanqStatsCounters, entry: RequestLogEntry) => void = countSandboxRequest;

export const snapshotMbanqStats: (stats: MbanqStatsCounters) => MbanqSandboxStats = snapshotSandboxStats;
