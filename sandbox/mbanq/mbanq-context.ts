import type { ApiRoute, SandboxExchange, SandboxResponse, ValidatedRequest } from '../http/index.js';
import type { MbanqScenario } from './mbanq-scenario.js';
import type { MbanqStatsCounters } from './mbanq-stats.js';
import type { MbanqStore, MbanqTenant } from './mbanq-store.js';

/** Everything an operation handler may read or change, for one request. */
export interface MbanqContext {
  readonly exchange: SandboxExchange;
  readonly route: ApiRoute;
  readonly request: ValidatedRequest;
  /** The banking instance named by the `tenantId` header (checked before the handler runs). */
  readonly tenantId: string;
  readonly tenant: MbanqTenant;
  readonly store: MbanqStore;
  readonly scenario: MbanqScenario;
  readonly stats: MbanqStatsCounters;
  /** Epoch milliseconds. */
  readonly now: () => number;
}

export type MbanqHandler = (ctx: MbanqContext) => SandboxResponse;
