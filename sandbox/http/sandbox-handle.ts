import type { RequestLogEntry } from './request-log-entry.js';

/** What every `start…Sandbox` hands back; each simulator's handle extends it. */
export interface SandboxHandle<Stats, Scenario, Overrides> {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** A snapshot of the counters. */
  readonly stats: Stats;
  /** A copy of the request log: method, path, operationId, status, duration; never headers, query strings or bodies. */
  readonly requestLog: readonly RequestLogEntry[];
  readonly scenario: Scenario;
  /** Replaces the scenario (overrides merged over the defaults) and restarts the fault budgets. */
  setScenario(overrides: Overrides): void;
  reset(): void;
  close(): Promise<void>;
}

// NoInfer: otherwise the caller's declared return type, not its argument, decides what `extension` is.
type Extended<Base, Extension> = NoInfer<Omit<Base, keyof Extension> & Extension>;

/**
 * `base` with `extension`'s members added or replacing its own, as a new object. Copies property
 * descriptors rather than spreading, because a spread would read each getter once and freeze
 * `stats` or `requestLog` at that moment.
 */
export function extendSandboxHandle<Base extends object, Extension extends object>(base: Base, extension: Extension): Extended<Base, Extension> {
  const descriptors = { ...Object.getOwnPropertyDescriptors(base), ...Object.getOwnPropertyDescriptors(extension) };
  return Object.defineProperties({}, descriptors) as Extended<Base, Extension>;
}
