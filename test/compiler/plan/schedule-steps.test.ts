import { describe, expect, it } from 'vitest';
import { scheduleSteps, stepsOf } from '../../../compiler/plan/schedule-steps.js';
import type { ScheduleItem } from '../../../core/plan.js';

const needs = (edges: Record<string, string[]>) => new Map(Object.entries(edges));
const s = (step: string): ScheduleItem => ({ step });
const par = (...branches: ScheduleItem[][]): ScheduleItem => ({ parallel: branches });

/** Every dependency is scheduled before its dependant: walks the schedule keeping what has surely run. */
function respects(schedule: readonly ScheduleItem[], edges: Record<string, string[]>): boolean {
  const run = (items: readonly ScheduleItem[], done: Set<string>): boolean =>
    items.every((item) => {
      if ('step' in item) {
        if (!(edges[item.step] ?? []).every((d) => done.has(d))) return false;
        done.add(item.step);
        return true;
      }
      const ok = item.parallel.every((branch) => run(branch, new Set(done)));
      stepsOf([item]).forEach((id) => done.add(id));
      return ok;
    });
  return run(schedule, new Set());
}

describe('scheduleSteps', () => {
  it('runs two independent steps in a Parallel state and the step that needs both after it', () => {
    expect(scheduleSteps(['a', 'b', 'join'], needs({ join: ['a', 'b'] }))).toEqual([par([s('a')], [s('b')]), s('join')]);
  });

  it('keeps a chain in series, and runs a dependency written after its dependant first', () => {
    expect(scheduleSteps(['c', 'b', 'a'], needs({ c: ['b'], b: ['a'] }))).toEqual([s('a'), s('b'), s('c')]);
  });

  it('runs independent chains as branches, joined where a later step needs both', () => {
    const edges = { c: ['a'], d: ['b'], e: ['c', 'd'] };
    expect(scheduleSteps(['a', 'b', 'c', 'd', 'e'], needs(edges))).toEqual([par([s('a'), s('c')], [s('b'), s('d')]), s('e')]);
  });

  it('ends in a Parallel state when nothing needs the last independent steps', () => {
    const edges = { b: ['a'], c: ['a'] };
    expect(scheduleSteps(['a', 'b', 'c'], needs(edges))).toEqual([s('a'), par([s('b')], [s('c')])]);
  });

  it('nests a Parallel state inside a branch', () => {
    const edges = { c: ['a', 'b'] };
    expect(scheduleSteps(['a', 'b', 'c', 'd'], needs(edges))).toEqual([par([par([s('a')], [s('b')]), s('c')], [s('d')])]);
  });

  it('arranges a graph that is not series–parallel so that every dependency still runs first', () => {
    // x needs a; y needs a and b: no step splits them in series, so a ∥ b, then x ∥ y.
    const edges = { x: ['a'], y: ['a', 'b'] };
    const schedule = scheduleSteps(['a', 'b', 'x', 'y'], needs(edges));
    expect(schedule).toEqual([par([s('a')], [s('b')]), par([s('x')], [s('y')])]);
    expect(respects(schedule, edges)).toBe(true);
  });

  it('schedules every step exactly once and respects every dependency of a larger random graph', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 50; round++) {
      const ids = Array.from({ length: 12 }, (_, i) => `s${i}`);
      const edges: Record<string, string[]> = {};
      ids.forEach((id, i) => (edges[id] = ids.slice(0, i).filter(() => random() < 0.2)));
      const order = [...ids].sort(() => random() - 0.5);
      const schedule = scheduleSteps(order, needs(edges));
      expect(stepsOf(schedule).sort()).toEqual([...ids].sort());
      expect(respects(schedule, edges)).toBe(true);
    }
  });

  it("schedules a chain of 200 steps (the most a workflow gets arranged) in series", () => {
    const ids = Array.from({ length: 200 }, (_, i) => `s${i}`);
    const edges = Object.fromEntries(ids.map((id, i) => [id, i ? [ids[i - 1]] : []]));
    expect(scheduleSteps(ids, needs(edges))).toEqual(ids.map(s));
  });
});
