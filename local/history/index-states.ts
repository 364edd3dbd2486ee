export type StateType = 'Task' | 'Choice' | 'Wait' | 'Pass' | 'Succeed' | 'Fail' | 'Map' | 'Parallel';

/** What the history needs to know about a state beyond what the engine's events carry. */
export interface StateInfo {
  type: StateType;
  resource?: string;
  timeoutSeconds?: number;
  heartbeatSeconds?: number;
}

/** A state with the nested machines of a Map (`ItemProcessor`/`Iterator`) or Parallel (`Branches`). */
export interface StateNode extends StateInfo {
  name: string;
  iterator?: StateTable;
  branches?: StateTable[];
}

export type StateTable = ReadonlyMap<string, StateNode>;

interface DefinitionLike {
  States: Record<string, any>;
}

/**
 * Reads the definition into nested tables so that a state name is resolved in the machine it
 * belongs to: a Map iteration or Parallel branch may reuse a name of the outer machine.
 */
export function indexStates(definition: DefinitionLike): StateTable {
  const table = new Map<string, StateNode>();
  for (const [name, raw] of Object.entries(definition.States ?? {})) {
    const state = (raw ?? {}) as Record<string, any>;
    const node: StateNode = { name, type: state.Type as StateType };
    if (typeof state.Resource === 'string') node.resource = state.Resource;
    if (typeof state.TimeoutSeconds === 'number') node.timeoutSeconds = state.TimeoutSeconds;
    if (typeof state.HeartbeatSeconds === 'number') node.heartbeatSeconds = state.HeartbeatSeconds;
    const processor = state.ItemProcessor ?? state.Iterator;
    if (processor?.States) node.iterator = indexStates(processor);
    if (Array.isArray(state.Branches)) node.branches = state.Branches.map((b: DefinitionLike) => indexStates(b));
    table.set(name, node);
  }
  return table;
}
