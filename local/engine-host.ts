import type { RunOptions, StateMachine } from 'aws-local-stepfunctions';
import type { EngineEvent, LocalTaskHandler } from './history/index.js';
import { withStateClock } from './state-clock.js';

/** What a run of the embedded engine hands back (the shape of `StateMachine.run`'s result). */
export interface EngineRun {
  readonly result: Promise<unknown>;
  readonly eventLogs: AsyncIterable<EngineEvent>;
  abort(): void;
}

/** The options of one run: those of `StateMachine.run`, its Task handlers by state name. */
export interface EngineRunOptions {
  readonly taskResourceLocalHandlers: Record<string, LocalTaskHandler>;
  readonly waitTimeOverrides?: Record<string, number>;
  readonly retryIntervalOverrides?: Record<string, number>;
  readonly context?: RunOptions['context'];
}

/**
 * Where the embedded engine runs an execution. By default in the caller's thread (`run`, tests);
 * the local endpoint runs executions in worker threads (sfn-endpoint/engine/), so that a
 * definition that never yields cannot starve its API, and bridges each Task call back to the
 * handlers here. Aborting always resolves the result with null (the engine's `noThrowOnAbort`).
 */
export interface EngineHost {
  run(definition: object, input: unknown, options: EngineRunOptions): EngineRun;
}

/**
 * Starts one run on `host` when there is one, otherwise in this thread on `machine()` (built only
 * then). Both get the same options; an override list that is not given is left out, so the
 * engine keeps the definition's own waits and retry intervals.
 */
export function startEngineRun(
  host: EngineHost | undefined,
  machine: () => StateMachine,
  definition: object,
  input: unknown,
  options: { taskResourceLocalHandlers: Record<string, LocalTaskHandler>; waitTimeOverrides?: Record<string, number>; retryIntervalOverrides?: Record<string, number>; context: RunOptions['context'] },
): EngineRun {
  const { taskResourceLocalHandlers, waitTimeOverrides, retryIntervalOverrides, context } = options;
  const overrides = {
    taskResourceLocalHandlers,
    ...(waitTimeOverrides ? { waitTimeOverrides } : {}),
    ...(retryIntervalOverrides ? { retryIntervalOverrides } : {}),
  };
  if (host) return host.run(definition, input, { ...overrides, context });
  // The worker host adds the clock on its side (a getter does not cross postMessage).
  return machine().run(input as never, { overrides, noThrowOnAbort: true, context: withStateClock(context) }) as unknown as EngineRun;
}
