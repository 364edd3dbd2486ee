import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { EngineHost } from '../engine-host.js';
import { aslProblems } from '../../compiler/validate/validate-asl.js';
import { jsonSyntaxProblem, sfnError } from './errors.js';
import type { RequestOf } from './requests.js';
import { runDefinition, type TaskHandler } from './run-definition.js';

type State = Record<string, unknown>;

/** The state types TestState runs here (AWS's list without Map and Parallel). */
const SUPPORTED = new Set(['Pass', 'Task', 'Choice', 'Wait', 'Succeed', 'Fail']);

const ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:TestState';

const named = (name: string, message: string) => Object.assign(new Error(message), { name });

/** Where a state may go next: its Next, a Choice's rules and Default, and its catchers. */
function targets(state: State): { next: Set<string>; caught: Set<string> } {
  const next = new Set<string>();
  if (typeof state.Next === 'string') next.add(state.Next);
  if (typeof state.Default === 'string') next.add(state.Default);
  for (const choice of (state.Choices as State[] | undefined) ?? []) if (typeof choice.Next === 'string') next.add(choice.Next);
  const caught = new Set<string>();
  for (const catcher of (state.Catch as State[] | undefined) ?? []) if (typeof catcher.Next === 'string') caught.add(catcher.Next);
  return { next, caught };
}

/** The error and cause of the last failure the history shows (a Task's, or the execution's). */
function lastFailure(history: readonly HistoryEvent[]): { error?: string; cause?: string } {
  for (let i = history.length - 1; i >= 0; i--) {
    const e = history[i];
    const details = e.executionFailedEventDetails ?? e.taskFailedEventDetails ?? e.lambdaFunctionFailedEventDetails ?? e.taskTimedOutEventDetails ?? e.lambdaFunctionTimedOutEventDetails;
    if (details) return { ...(details.error !== undefined ? { error: details.error } : {}), ...(details.cause !== undefined ? { cause: details.cause } : {}) };
  }
  return {};
}

/**
 * TestState: one state run on the engine with the given input. The state runs alone in a machine
 * where each state it can go to is a Pass that ends it, so the state taken is the `nextState`
 * and what it receives is the `output`. A Task never calls AWS here: it needs `mock` (a `result`
 * or an `errorOutput`). Retry is not evaluated (status is never RETRIABLE); Map and Parallel are
 * refused. `inspectionData` (DEBUG and TRACE) carries the input and the mocked result.
 */
export async function testState(r: RequestOf<'TestState'>, engine: EngineHost | undefined): Promise<object> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(r.definition);
  } catch (err) {
    throw sfnError('InvalidDefinition', `Invalid State Machine Definition: 'INVALID_JSON_DESCRIPTION: ${jsonSyntaxProblem(err)}'`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw sfnError('InvalidDefinition', "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: the definition must be a JSON object'");
  let name = r.stateName ?? 'TestState';
  let state = parsed as State;
  // A whole state machine with stateName: that state of it.
  if (state.States && typeof state.States === 'object') {
    const states = state.States as Record<string, State>;
    if (!r.stateName || !Object.hasOwn(states, r.stateName)) throw sfnError('ValidationException', 'With a state machine definition, stateName must name one of its top-level states');
    name = r.stateName;
    state = states[name];
  }
  if (!SUPPORTED.has(String(state.Type))) throw sfnError('InvalidDefinition', `Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: TestState here runs ${[...SUPPORTED].join(', ')} states'`);
  let input: unknown = {};
  if (r.input !== undefined) {
    try {
      input = JSON.parse(r.input);
    } catch (err) {
      throw sfnError('InvalidExecutionInput', `Invalid State Machine Execution Input: '${jsonSyntaxProblem(err)}'`);
    }
  }
  const { Retry: _retry, ...tested } = state;
  const { next, caught } = targets(tested);
  const ends = [...new Set([...next, ...caught])];
  // A state that goes back to itself runs under another name, so its own name can be the Pass that ends the test.
  const runName = ends.includes(name) ? `${name} (tested)` : name;
  const definition = { StartAt: runName, States: { [runName]: tested, ...Object.fromEntries(ends.map((t) => [t, { Type: 'Pass', End: true }])) } };
  const problems = aslProblems(definition as never, { checkArn: false });
  if (problems.length) throw sfnError('InvalidDefinition', `Invalid State Machine Definition: '${problems.map((p) => `${p.code}: ${p.message}`).join(', ')}'`);

  const handlers: Record<string, TaskHandler> = {};
  let mocked: unknown;
  if (tested.Type === 'Task') {
    if (!r.mock || (r.mock.result === undefined && !r.mock.errorOutput)) {
      throw sfnError('ValidationException', 'The local endpoint does not call AWS: test a Task state with mock (a result or an errorOutput)');
    }
    if (r.mock.result !== undefined) {
      try {
        mocked = JSON.parse(r.mock.result);
      } catch (err) {
        throw sfnError('ValidationException', `mock.result is ${jsonSyntaxProblem(err)}`);
      }
    }
    const { errorOutput } = r.mock;
    handlers[runName] = async () => {
      if (errorOutput) throw named(errorOutput.error ?? '', errorOutput.cause ?? '');
      return mocked;
    };
  }
  const run = runDefinition({
    definition,
    stateMachineArn: ARN,
    executionArn: `${ARN.replace(':stateMachine:', ':execution:')}:test`,
    name: 'test',
    roleArn: r.roleArn ?? 'arn:aws:iam::000000000000:role/TestState',
    input,
    startDate: new Date(),
    handlers,
    // A Wait is tested without waiting.
    ...(tested.Type === 'Wait' ? { waitMs: 0 } : {}),
    ...(engine ? { engine } : {}),
  });
  const outcome = await run.done;
  const inspection = r.inspectionLevel && r.inspectionLevel !== 'INFO' ? { inspectionData: { input: JSON.stringify(input), ...(mocked !== undefined ? { result: JSON.stringify(mocked) } : {}) } } : {};
  const taken = outcome.history.find((e) => e.stateEnteredEventDetails?.name !== undefined && e.stateEnteredEventDetails.name !== runName && ends.includes(e.stateEnteredEventDetails.name));
  if (taken) {
    const nextState = taken.stateEnteredEventDetails!.name!;
    const wasCaught = caught.has(nextState) && !next.has(nextState);
    return { status: wasCaught ? 'CAUGHT_ERROR' : 'SUCCEEDED', nextState, output: taken.stateEnteredEventDetails!.input, ...(wasCaught ? lastFailure(outcome.history) : {}), ...inspection };
  }
  if (outcome.status === 'SUCCEEDED') return { status: 'SUCCEEDED', output: outcome.output, ...inspection };
  return { status: 'FAILED', ...(outcome.error !== undefined ? { error: outcome.error } : {}), ...(outcome.cause !== undefined ? { cause: outcome.cause } : {}), ...inspection };
}
