import type { LocalFunction } from './catalog.js';

type State = Record<string, unknown> & { Type?: string; Resource?: unknown; Parameters?: Record<string, unknown> };
type States = Record<string, State>;

export type StartExecutionMode = 'async' | 'sync' | 'sync2';

export type ResolvedTask =
  | { readonly kind: 'function'; readonly state: string; readonly fn: LocalFunction }
  | { readonly kind: 'startExecution'; readonly state: string; readonly mode: StartExecutionMode };

export interface UnknownTask {
  readonly state: string;
  readonly resource: string;
  readonly reason: string;
}

const START_EXECUTION: Record<string, StartExecutionMode> = {
  'arn:aws:states:::states:startExecution': 'async',
  'arn:aws:states:::states:startExecution.sync': 'sync',
  'arn:aws:states:::states:startExecution.sync:2': 'sync2',
};

/** Every state of a definition, those of Parallel branches and Map processors included. */
export function allStates(definition: { States: States }): [string, State][] {
  const out: [string, State][] = [];
  const walk = (states: States) => {
    for (const [name, state] of Object.entries(states ?? {})) {
      out.push([name, state]);
      if (state.Type === 'Parallel') for (const branch of (state.Branches as { States: States }[] | undefined) ?? []) walk(branch.States);
      if (state.Type === 'Map') {
        const processor = (state.ItemProcessor ?? state.Iterator) as { States: States } | undefined;
        if (processor) walk(processor.States);
      }
    }
  };
  walk(definition.States);
  return out;
}

/**
 * Binds each Task of a definition that was not compiled from Arazzo to something the endpoint
 * runs in-process: a Lambda function of a compiled workflow (by its ARN) or a nested execution
 * of a machine on this endpoint. Anything else would make the engine call real AWS, so it is
 * reported instead and the execution fails before its first state.
 */
export function resolveTasks(definition: { States: States }, functions: ReadonlyMap<string, LocalFunction>): { tasks: ResolvedTask[]; unknown: UnknownTask[] } {
  const tasks: ResolvedTask[] = [];
  const unknown: UnknownTask[] = [];
  const seen = new Map<string, string>();
  for (const [state, def] of allStates(definition)) {
    if (def.Type !== 'Task') continue;
    const resource = typeof def.Resource === 'string' ? def.Resource : JSON.stringify(def.Resource);
    // The engine binds local handlers by state name, across branches too.
    const earlier = seen.get(state);
    if (earlier !== undefined) {
      if (earlier !== resource) unknown.push({ state, resource, reason: 'another Task state has the same name with a different Resource' });
      continue;
    }
    seen.set(state, resource);
    const fn = functions.get(resource);
    if (fn) tasks.push({ kind: 'function', state, fn });
    else if (START_EXECUTION[resource]) tasks.push({ kind: 'startExecution', state, mode: START_EXECUTION[resource] });
    else if (resource.startsWith('arn:aws:lambda:')) unknown.push({ state, resource, reason: 'no workflow compiled by this endpoint has that function' });
    else unknown.push({ state, resource, reason: 'the endpoint runs compiled workflow functions and states:startExecution only' });
  }
  return { tasks, unknown };
}
