import { isDeepStrictEqual } from 'node:util';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { CompiledWorkflow } from '../../compiler/compile-file.js';
import type { LocalExecution } from '../../local/run-workflow.js';

type EngineEvent = { readonly type: string; readonly state?: { readonly name: string } };

const statesEntered = (events: readonly unknown[]) =>
  (events as EngineEvent[]).filter((e) => e.type === 'StateEntered').map((e) => e.state?.name ?? '?');

export interface EngineAlone {
  /** One execution on the engine, every Task answered at once with its recorded result. */
  run(input: unknown): Promise<unknown>;
  /**
   * Runs the recorded input twice; throws unless each run enters the recorded execution's states in
   * order and ends with its output (the second run fails if the first changed a shared answer).
   */
  check(): Promise<void>;
}

/**
 * The compiled definition on the embedded engine exactly as `LocalWorkflow.run` drives it (the
 * same unvalidated `StateMachine`, wait and retry overrides, `noThrowOnAbort`, context, event log
 * consumed to the end), but every Task handler answers at once with the output that state gave in
 * `recorded`, one real execution of the same scenario: a state visited several times gets its
 * outputs in visiting order. No HTTP, no runtime: what any runner on this engine pays per execution.
 * Nested executions are not re-run: a workflow step's Task answers with the child's recorded result.
 */
export function engineAlone(compiled: CompiledWorkflow, recorded: LocalExecution, options: { readonly waitMs?: number; readonly retryIntervalMs?: number } = {}): EngineAlone {
  const machine = new StateMachine(compiled.definition as unknown as StateMachineDefinition, { validationOptions: { noValidate: true } });
  const states = compiled.definition.States;
  const waitTimeOverrides =
    options.waitMs === undefined ? undefined : Object.fromEntries(Object.keys(states).filter((s) => states[s].Type === 'Wait').map((s) => [s, options.waitMs!]));
  const retryIntervalOverrides =
    options.retryIntervalMs === undefined ? undefined : Object.fromEntries(Object.keys(states).filter((s) => states[s].Retry).map((s) => [s, options.retryIntervalMs!]));

  // Shared by every execution, as they are (not copied, not frozen: a frozen object would give the
  // engine's property accesses shapes a parsed response never has). The engine copies what it
  // writes into (ResultPath); check() runs twice to catch an answer changed in place.
  const answers = new Map<string, { readonly output?: unknown; readonly error?: { readonly name: string; readonly message: string } }[]>();
  for (const inv of recorded.invocations) {
    const list = answers.get(inv.stateName) ?? [];
    list.push(inv.error ? { error: inv.error } : { output: inv.output });
    answers.set(inv.stateName, list);
  }
  const stateMachineArn = recorded.stateMachineArn;
  let count = 0;

  const execute = async (input: unknown) => {
    const visits = new Map<string, number>();
    const handlers: Record<string, (input: unknown) => Promise<any>> = {};
    for (const [stateName, list] of answers) {
      handlers[stateName] = async () => {
        const i = visits.get(stateName) ?? 0;
        visits.set(stateName, i + 1);
        const answer = list[i];
        if (!answer) throw new Error(`engine alone: state "${stateName}" entered ${i + 1} times, the recorded execution ${list.length}`);
        if (answer.error) throw Object.assign(new Error(answer.error.message), { name: answer.error.name });
        return answer.output;
      };
    }
    const name = `engine-alone-${++count}`;
    const execution = machine.run(input as never, {
      overrides: {
        taskResourceLocalHandlers: handlers,
        ...(waitTimeOverrides ? { waitTimeOverrides } : {}),
        ...(retryIntervalOverrides ? { retryIntervalOverrides } : {}),
      },
      noThrowOnAbort: true,
      context: {
        Execution: { Id: `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`, Name: name, StartTime: new Date().toISOString(), Input: input as never },
        Task: { Token: 'issued-by-the-local-handler' },
      } as never,
    });
    const events: unknown[] = [];
    const collecting = (async () => {
      for await (const event of execution.eventLogs) events.push(event);
    })();
    const output = await execution.result;
    await collecting;
    const failed = (events as EngineEvent[]).find((e) => e.type === 'ExecutionFailed' || e.type === 'ExecutionAborted');
    if (failed) throw new Error(`engine alone: ${failed.type} (${JSON.stringify(failed).slice(0, 300)})`);
    return { output, events };
  };

  return {
    run: async (input) => (await execute(input)).output,
    async check() {
      const want = statesEntered(recorded.engineEvents);
      for (let i = 0; i < 2; i++) {
        const { output, events } = await execute(recorded.input);
        const got = statesEntered(events);
        if (!isDeepStrictEqual(got, want)) throw new Error(`engine alone entered ${got.join(' → ')}; the recorded execution ${want.join(' → ')}`);
        if (!isDeepStrictEqual(output, recorded.output)) throw new Error(`engine alone ended with ${JSON.stringify(output).slice(0, 300)}; the recorded execution with ${JSON.stringify(recorded.output).slice(0, 300)}`);
      }
    },
  };
}
