/**
 * The control-flow graph of a workflow's steps, as the emitted state machine will route:
 * used to find steps that cannot have run before a reference, unreachable steps, and
 * workflow outputs whose step does not run on every path to an end.
 */

export const END = '$end';

export interface FlowGraph {
  readonly steps: readonly string[];
  /** stepId → possible next stepIds (and END). */
  readonly successors: ReadonlyMap<string, ReadonlySet<string>>;
}

export function reachableFrom(graph: FlowGraph, start: string): Set<string> {
  const seen = new Set<string>();
  const stack = [start];
  while (stack.length) {
    const node = stack.pop()!;
    if (seen.has(node)) continue;
    seen.add(node);
    for (const next of graph.successors.get(node) ?? []) if (next !== END) stack.push(next);
  }
  return seen;
}

/** stepId → the steps that may route to it, per graph (computed once: every step asks). */
const predecessorsByGraph = new WeakMap<FlowGraph, ReadonlyMap<string, readonly string[]>>();

function predecessorsOf(graph: FlowGraph): ReadonlyMap<string, readonly string[]> {
  let predecessors = predecessorsByGraph.get(graph);
  if (!predecessors) {
    const built = new Map<string, string[]>();
    for (const step of graph.steps) for (const next of graph.successors.get(step) ?? []) if (next !== END) (built.get(next) ?? built.set(next, []).get(next)!).push(step);
    predecessors = built;
    predecessorsByGraph.set(graph, predecessors);
  }
  return predecessors;
}

/**
 * Steps that may have run (at least once) before `target` runs: those with a path to it, found by
 * one walk back from it (linear; asking every step of a workflow whether it reaches the target
 * was cubic in the number of steps: 1,000 steps took minutes). `target` itself is among them only
 * when it can loop back to itself.
 */
export function mayRunBefore(graph: FlowGraph, target: string): Set<string> {
  const predecessors = predecessorsOf(graph);
  const before = new Set<string>();
  const stack = [...(predecessors.get(target) ?? [])];
  while (stack.length) {
    const step = stack.pop()!;
    if (before.has(step)) continue;
    before.add(step);
    for (const previous of predecessors.get(step) ?? []) if (!before.has(previous)) stack.push(previous);
  }
  return before;
}

/** Dominators of each reachable step: the steps that run on every path from the start to it. */
export function dominators(graph: FlowGraph): Map<string, Set<string>> {
  const start = graph.steps[0];
  const reachable = reachableFrom(graph, start);
  const nodes = graph.steps.filter((s) => reachable.has(s));
  const predecessors = new Map<string, string[]>(nodes.map((n) => [n, []]));
  for (const n of nodes) for (const s of graph.successors.get(n) ?? []) if (s !== END && predecessors.has(s)) predecessors.get(s)!.push(n);
  const dom = new Map<string, Set<string>>(nodes.map((n) => [n, n === start ? new Set([n]) : new Set(nodes)]));
  let changed = true;
  while (changed) {
    changed = false;
    for (const n of nodes) {
      if (n === start) continue;
      const preds = predecessors.get(n)!;
      const next = new Set<string>(preds.length ? dom.get(preds[0])! : []);
      for (const p of preds.slice(1)) for (const d of next) if (!dom.get(p)!.has(d)) next.delete(d);
      next.add(n);
      if (next.size !== dom.get(n)!.size) {
        dom.set(n, next);
        changed = true;
      }
    }
  }
  return dom;
}
