import type { RunOptions, StateMachine } from 'aws-local-stepfunctions';

/**
 * One entry of the engine's `eventLogs`. The package does not export its `EventLog` type, so it is
 * read off `StateMachine.run` to stay in step with the installed version.
 */
export type EngineEvent = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

export type EngineStateEvent = Extract<EngineEvent, { state: unknown }>;

type LocalHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;

/** A `taskResourceLocalHandlers` entry. */
export type LocalTaskHandler = LocalHandlers[string];
