import type { SandboxState } from './create-sandbox-state.js';
import type { SandboxHandle } from './sandbox-handle.js';
import { DEFAULT_SANDBOX_HOST, type SandboxStartOptions } from './sandbox-start-options.js';
import { serveSandbox, type ServeSandboxOptions } from './serve-sandbox.js';

/** The parts of serving that differ between simulators; faults and logging come from the state. */
export type SimulatorServing = Pick<ServeSandboxOptions, 'routes' | 'dispatch' | 'fallback' | 'renderError'>;

/** Serves a simulator whose faults, stats and log live in `state`, and returns its handle. */
export async function serveSimulator<Store, Scenario, Overrides, Stats>(
  state: SandboxState<Store, Scenario, Overrides, Stats>,
  options: SandboxStartOptions,
  serving: SimulatorServing,
): Promise<SandboxHandle<Stats, Scenario, Overrides>> {
  const server = await serveSandbox({
    host: options.host ?? DEFAULT_SANDBOX_HOST,
    port: options.port ?? 0,
    ...(options.tls ? { tls: options.tls } : {}),
    ...serving,
    takeFault: (target) => state.takeFault(target),
    onLog: (entry) => state.record(entry),
  });
  return {
    url: server.url,
    get stats() {
      return state.snapshotStats();
    },
    get requestLog() {
      return state.requestLog();
    },
    get scenario() {
      return state.scenario;
    },
    setScenario: (overrides) => state.setScenario(overrides),
    reset: () => state.reset(),
    close: () => server.close(),
  };
}
