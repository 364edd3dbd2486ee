import { START_NODE, type GraphEdge, type StateGraph } from './graph-model.js';

/** The states' rows, after the loops are broken: steps 1 and 2 of layoutGraph. */
export interface RankedStates {
  /** Flow edges first, then catches: the order every later step walks them in. */
  readonly ordered: readonly GraphEdge[];
  /** Ids of the edges that close a loop (drawn as lanes up the side). */
  readonly back: ReadonlySet<string>;
  /** The other edges, each pointing to a higher rank. */
  readonly forward: readonly GraphEdge[];
  readonly rank: ReadonlyMap<string, number>;
}

/**
 * 1. Edges closing a cycle (including self-loops) in a DFS from the start, then from any state it
 *    cannot reach, are set aside as back edges;
 * 2. states are ranked by longest path over the remaining edges.
 */
export function rankStates(graph: StateGraph): RankedStates {
  const ordered = [...graph.edges.filter((e) => e.kind === 'flow'), ...graph.edges.filter((e) => e.kind === 'catch')];
  const outgoing = new Map<string, GraphEdge[]>(graph.nodes.map((n) => [n.id, []]));
  for (const e of ordered) outgoing.get(e.from)?.push(e);

  // 1. Edges closing a cycle (including self-loops) in a DFS from the start, then from any state it cannot reach.
  const mark = new Map<string, 1 | 2>();
  const back = new Set<string>();
  const dfs = (root: string) => {
    mark.set(root, 1);
    const stack = [{ id: root, next: 0 }];
    while (stack.length) {
      const top = stack[stack.length - 1];
      const edges = outgoing.get(top.id) ?? [];
      if (top.next < edges.length) {
        const e = edges[top.next++];
        const seen = mark.get(e.to);
        if (seen === 1) back.add(e.id);
        else if (!seen) {
          mark.set(e.to, 1);
          stack.push({ id: e.to, next: 0 });
        }
      } else {
        mark.set(top.id, 2);
        stack.pop();
      }
    }
  };
  for (const n of graph.nodes) if (!mark.has(n.id)) dfs(n.id);
  const forward = ordered.filter((e) => !back.has(e.id));

  // 2. Longest-path ranks.
  const rank = new Map<string, number>(graph.nodes.map((n) => [n.id, 0]));
  const indegree = new Map<string, number>(graph.nodes.map((n) => [n.id, 0]));
  for (const e of forward) indegree.set(e.to, indegree.get(e.to)! + 1);
  const queue = graph.nodes.filter((n) => indegree.get(n.id) === 0).map((n) => n.id);
  const topo: string[] = [];
  while (queue.length) {
    const id = queue.shift()!;
    topo.push(id);
    for (const e of forward) {
      if (e.from !== id) continue;
      rank.set(e.to, Math.max(rank.get(e.to)!, rank.get(id)! + 1));
      indegree.set(e.to, indegree.get(e.to)! - 1);
      if (indegree.get(e.to) === 0) queue.push(e.to);
    }
  }
  // A state nothing leads to (unreachable) sits just above what it leads to, not at the top.
  for (const id of topo) {
    if (id === START_NODE || forward.some((e) => e.to === id)) continue;
    const below = forward.filter((e) => e.from === id).map((e) => rank.get(e.to)!);
    if (below.length) rank.set(id, Math.max(0, Math.min(...below) - 1));
  }
  return { ordered, back, forward, rank };
}
