import { countSandboxRequest, createRequestStats, snapshotSandboxStats, type RequestLogEntry, type SandboxRequestStats, type StatsCounters } from '../http/index.js';

/** Counters a test or a user reads to see what the sandbox did. Snapshots: later requests do not change them. */
export interface FintectureSandboxStats extends SandboxRequestStats {
  readonly tokensIssued: number;
  readonly customersCreated: number;
  readonly verificationsCreated: number;
  readonly paymentsCreated: number;
  /** x-request-id -> payments created with it. Any value above 1 would be a duplicate payment. */
  readonly paymentCreationsByRequestId: Readonly<Record<string, number>>;
  /** createPisV2Connect calls answered from an earlier creation with the same x-request-id. */
  readonly idempotentReplays: number;
  /** Payment webhook delivery attempts, retries included. */
  readonly webhooksSent: number;
  /** Attempts the receiver did not take (no answer, or not 2xx). */
  readonly webhooksFailed: number;
}

export type FintectureStatsCounters = StatsCounters<FintectureSandboxStats>;

export function createFintectureStats(): FintectureStatsCounters {
  return {
    ...createRequestStats(),
    tokensIssued: 0,
    customersCreated: 0,
    verificationsCreated: 0,
    paymentsCreated: 0,
    paymentCreationsByRequestId: {},
    idempotentReplays: 0,
    webhooksSent: 0,
    webhooksFailed: 0,
  };
}

export const countRequest: (stats: FintectureStatsCounters, entry: RequestLogEntry) => void = countSandboxRequest;

export const snapshotStats: (stats: FintectureStatsCounters) => FintectureSandboxStats = snapshotSandboxStats;
