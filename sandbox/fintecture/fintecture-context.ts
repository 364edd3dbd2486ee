import type { ApiRoute, SandboxExchange, SandboxResponse, ValidatedRequest } from '../http/index.js';
import type { FintectureScenario } from './fintecture-scenario.js';
import type { FintectureStatsCounters } from './fintecture-stats.js';
import type { FintectureStore, PaymentRecord } from './fintecture-store.js';

/** Everything an operation handler may read or change, for one request. */
export interface FintectureContext {
  readonly exchange: SandboxExchange;
  readonly route: ApiRoute;
  readonly request: ValidatedRequest;
  /** The application the bearer token belongs to; absent on the OAuth endpoints. */
  readonly clientId?: string;
  /** client_id -> client_secret of the applications the sandbox knows. */
  readonly clients: ReadonlyMap<string, string>;
  readonly store: FintectureStore;
  readonly scenario: FintectureScenario;
  readonly stats: FintectureStatsCounters;
  /** Epoch milliseconds. */
  readonly now: () => number;
  /**
   * A payment session was opened: with a webhook URL configured for its application, the payer
   * completes it shortly and the application is told by a signed webhook.
   */
  paymentOpened(payment: PaymentRecord): void;
  /** An error in Fintecture's envelope. */
  fail(status: number, code: string, title: string, detail?: string, headers?: Record<string, string>): SandboxResponse;
}

export type FintectureHandler = (ctx: FintectureContext) => SandboxResponse;
