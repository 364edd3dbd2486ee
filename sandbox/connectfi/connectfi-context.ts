import type { ApiRoute, SandboxExchange, SandboxResponse, ValidatedRequest } from '../http/index.js';
import type { ConnectFiScenario } from './connectfi-scenario.js';
import type { ConnectFiStatsCounters } from './connectfi-stats.js';
import type { ConnectFiStore, CustomerRecord } from './connectfi-store.js';
import type { KycRunner } from './create-kyc-runner.js';

/** Everything an operation handler may read or change, for one request. */
export interface ConnectFiContext {
  readonly exchange: SandboxExchange;
  readonly route: ApiRoute;
  readonly request: ValidatedRequest;
  /** connectFi's id of this request, quoted by the answer. */
  readonly requestId: string;
  /** The user the `x-connectfi-token` belongs to; absent on `/auth/get-token`. */
  readonly login?: string;
  /** login -> password of the users the sandbox knows. */
  readonly users: ReadonlyMap<string, string>;
  readonly store: ConnectFiStore;
  readonly scenario: ConnectFiScenario;
  readonly stats: ConnectFiStatsCounters;
  readonly kyc: KycRunner;
  /** Epoch milliseconds. */
  readonly now: () => number;
  /** `200 { code: "0", data, requestId }`. */
  ok(data: unknown, headers?: Record<string, string>): SandboxResponse;
  /** An error in connectFi's envelope, quoting this request's id. */
  fail(status: number, code: string, message?: string, context?: unknown): SandboxResponse;
  /** The caller's customer, or the 400 `customerNotFound` answer (another user's customers do not exist for it). */
  findCustomer(customerId: string): CustomerRecord | SandboxResponse;
}

export type ConnectFiHandler = (ctx: ConnectFiContext) => SandboxResponse;

export const isResponse = (value: unknown): value is SandboxResponse => typeof (value as SandboxResponse).status === 'number';
