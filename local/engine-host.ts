import type { RunOptions } from 'aws-local-stepfunctions';
import type { EngineEvent, LocalTaskHandler } from './history/index.js';

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
