import { createBoundedLog } from './bounded-log.js';
import { createFaultInjector, type FaultInjector, type FaultTarget } from './create-fault-injector.js';
import type { FaultRule } from './fault-rule.js';
import type { RequestLogEntry } from './request-log-entry.js';
import { DEFAULT_REQUEST_LOG_LIMIT } from './sandbox-start-options.js';
import { countSandboxRequest, snapshotSandboxStats, type SandboxRequestStats, type StatsCounters } from './sandbox-stats.js';

/** The part of a simulator's start options the state reads. */
export interface SandboxStateStart<Overrides> {
  readonly scenario?: Overrides;
  /** @default DEFAULT_REQUEST_LOG_LIMIT */
  readonly requestLogLimit?: number;
}

/** How one simulator makes its scenario, store and counters. */
export interface SandboxStateParts<Store, Scenario, Overrides, Stats extends SandboxRequestStats> {
  resolveScenario(overrides: Overrides | undefined): Scenario;
  /** The rules the fault budgets start from: the scenario's own, or rules kept beside it. */
  faultRules(scenario: Scenario): readonly FaultRule[];
  createStore(): Store;
  createStats(): StatsCounters<Stats>;
}

/** What a simulator changes while it serves, swapped whole by setScenario and reset. */
export interface SandboxState<Store, Scenario, Overrides, Stats> {
  readonly scenario: Scenario;
  readonly store: Store;
  /** The live counters, for handlers to add to. */
  readonly stats: StatsCounters<Stats>;
  snapshotStats(): Stats;
  requestLog(): RequestLogEntry[];
  takeFault(target: FaultTarget): FaultRule | undefined;
  /** Counts and logs one answered request. */
  record(entry: RequestLogEntry): void;
  /** Resolves `overrides` over the defaults and restarts the fault budgets. */
  setScenario(overrides: Overrides): void;
  /** Gives every fault rule its full budget again, e.g. after its rules changed. */
  restartFaults(): void;
  /** A fresh store, stats and log, and full fault budgets; the scenario stays. */
  reset(): void;
}

export function createSandboxState<Store, Scenario, Overrides, Stats extends SandboxRequestStats>(
  start: SandboxStateStart<Overrides>,
  parts: SandboxStateParts<Store, Scenario, Overrides, Stats>,
): SandboxState<Store, Scenario, Overrides, Stats> {
  let scenario = parts.resolveScenario(start.scenario);
  let faults: FaultInjector = createFaultInjector(parts.faultRules(scenario));
  let store = parts.createStore();
  let stats = parts.createStats();
  const log = createBoundedLog<RequestLogEntry>(start.requestLogLimit ?? DEFAULT_REQUEST_LOG_LIMIT);
  const restartFaults = () => {
    faults = createFaultInjector(parts.faultRules(scenario));
  };

  return {
    get scenario() {
      return scenario;
    },
    get store() {
      return store;
    },
    get stats() {
      return stats;
    },
    snapshotStats: () => snapshotSandboxStats(stats),
    requestLog: () => log.entries(),
    takeFault: (target) => faults.take(target),
    record(entry) {
      countSandboxRequest(stats as StatsCounters<SandboxRequestStats>, entry);
      log.push(entry);
    },
    setScenario(overrides) {
      scenario = parts.resolveScenario(overrides);
      restartFaults();
    },
    restartFaults,
    reset() {
      store = parts.createStore();
      stats = parts.createStats();
      log.clear();
      restartFaults();
    },
  };
}
