import type { ScheduleItem } from '../../core/plan.js';

/**
 * Arranges the steps of a dependency graph (step → the steps it needs, acyclic) as series and
 * Parallel blocks, the only shapes a Step Functions machine has: branches for independent chains,
 * joined where a later step needs them. Every dependency runs before its dependant, and steps with
 * no path between them share a Parallel whenever the series–parallel shape allows. A graph that is
 * not series–parallel (a needs x; b needs x and y) gives up some concurrency there: its steps
 * that nothing else needs wait for the rest to finish first (x ∥ y, then a ∥ b).
 * Order within a block follows the document, so the output is stable.
 */
export function scheduleSteps(order: readonly string[], needs: ReadonlyMap<string, readonly string[]>): ScheduleItem[] {
  const position = new Map(order.map((id, i) => [id, i]));
  const byDocument = (ids: Iterable<string>) => [...ids].sort((a, b) => position.get(a)! - position.get(b)!);
  const dependants = new Map<string, string[]>(order.map((id) => [id, []]));
  for (const id of order) for (const dep of needs.get(id) ?? []) dependants.get(dep)?.push(id);

  /** The steps of `within` reachable from `start` by following `next` (start excluded). */
  const closure = (start: string, next: (id: string) => readonly string[], within: ReadonlySet<string>) => {
    const seen = new Set<string>();
    const stack = [...next(start)];
    while (stack.length) {
      const id = stack.pop()!;
      if (seen.has(id) || !within.has(id)) continue;
      seen.add(id);
      stack.push(...next(id));
    }
    return seen;
  };
  const ancestors = (id: string, within: ReadonlySet<string>) => closure(id, (s) => needs.get(s) ?? [], within);
  const descendants = (id: string, within: ReadonlySet<string>) => closure(id, (s) => dependants.get(s) ?? [], within);

  /** Groups of steps with no dependency (either way, through steps of the set) between groups. */
  const components = (set: ReadonlySet<string>): string[][] => {
    const seen = new Set<string>();
    const groups: string[][] = [];
    for (const start of byDocument(set)) {
      if (seen.has(start)) continue;
      const group: string[] = [];
      const stack = [start];
      while (stack.length) {
        const id = stack.pop()!;
        if (seen.has(id) || !set.has(id)) continue;
        seen.add(id);
        group.push(id);
        stack.push(...(needs.get(id) ?? []), ...(dependants.get(id) ?? []));
      }
      groups.push(byDocument(group));
    }
    return groups;
  };

  const arrange = (set: ReadonlySet<string>): ScheduleItem[] => {
    const groups = components(set);
    if (groups.length > 1) return [{ parallel: groups.map((g) => arrange(new Set(g))) }];
    const ids = groups[0] ?? [];
    if (ids.length === 1) return [{ step: ids[0] }];
    // A step every other one runs before or after splits the set in series: what it needs, itself, what needs it.
    // Only a step alone at its depth (longest chain of needs within the set) can. All such steps cut the set at once
    // (a chain of n steps is one pass, not n): between two of them lie the steps deeper than the one, shallower than the other.
    const depth = new Map<string, number>();
    const depthOf = (id: string): number => {
      if (!depth.has(id)) depth.set(id, 1 + Math.max(-1, ...(needs.get(id) ?? []).filter((d) => set.has(d)).map(depthOf)));
      return depth.get(id)!;
    };
    const atDepth = new Map<number, number>();
    for (const id of ids) atDepth.set(depthOf(id), (atDepth.get(depthOf(id)) ?? 0) + 1);
    const cuts = ids
      .filter((id) => atDepth.get(depthOf(id)) === 1 && ancestors(id, set).size + descendants(id, set).size === ids.length - 1)
      .sort((a, b) => depthOf(a) - depthOf(b));
    if (cuts.length) {
      const items: ScheduleItem[] = [];
      let from = -1;
      for (const cut of [...cuts, undefined]) {
        const to = cut === undefined ? Infinity : depthOf(cut);
        const between = ids.filter((id) => depthOf(id) > from && depthOf(id) < to);
        if (between.length) items.push(...arrange(new Set(between)));
        if (cut !== undefined) items.push({ step: cut });
        from = to;
      }
      return items;
    }
    // No such step: the steps nothing in the set needs run last, together, after the others (which they may need).
    const last = new Set(ids.filter((id) => !(dependants.get(id) ?? []).some((d) => set.has(d))));
    const first = new Set(ids.filter((id) => !last.has(id)));
    return [...arrange(first), ...arrange(last)];
  };

  return arrange(new Set(order));
}

/** The steps of a schedule in the order they are first met (a Parallel's branches left to right). */
export function stepsOf(items: readonly ScheduleItem[]): string[] {
  return items.flatMap((item) => ('step' in item ? [item.step] : item.parallel.flatMap((branch) => stepsOf(branch))));
}
