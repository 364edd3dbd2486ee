import type { RunOptions } from 'aws-local-stepfunctions';

/**
 * The context object's `$$.State.EnteredTime`, which aws-local-stepfunctions 3.0.0 does not fill
 * (its context is fixed when the run starts). The engine copies the context shallowly, so a
 * `State` object given here is the one every state reads, Parallel branches included; its
 * `EnteredTime` is the time it is read. A Pass reads its Parameters as it is entered, so there it
 * is the time AWS gives; a Task's retry would read a later time than AWS's, which is why the
 * compiler reads it only in a Pass (a timed step's `<stepId>`, compiler/emit/emit-asl.ts).
 */
export function withStateClock(context: RunOptions['context']): NonNullable<RunOptions['context']> {
  const state = Object.defineProperty({}, 'EnteredTime', { enumerable: true, get: () => new Date().toISOString() });
  return { ...context, State: state };
}
