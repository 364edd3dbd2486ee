import { describe, expect, it } from 'vitest';
import { compileFileOrThrow } from '../../../compiler/index.js';
import { buildStateGraph, layoutGraph, placeInOrder, START_NODE, type Box, type DefinitionLike, type GraphLayout, type LaidOutEdge, type StateGraph } from '../../../local/graph/index.js';
import { ROOT } from '../../integration/support/seed-harness.js';
import { join } from 'node:path';

const SEEDS = ['customer-verification-poll', 'token-then-payment', 'mbanq-verify-customer', 'connectfi-kyc-callback'];

/** Sizes as varied as the page's: wide Fail names, tall Choices, label boxes of several lines. */
const options = {
  sizeOf: (n: { id: string; kind: string }) =>
    n.kind === 'Choice' ? { width: 120 + n.id.length * 6, height: 56, portHalfSpan: 0 } : { width: Math.max(150, n.id.length * 8 + 28), height: 46, portHalfSpan: 50, extraRight: n.kind === 'Task' ? 16 : 0 },
  labelSize: (labels: readonly string[]) => ({ width: Math.max(...labels.map((l) => l.length * 6.8)) + 12, height: labels.length * 14 + 6 }),
};

interface Rect {
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
  readonly what: string;
}

const nodeRect = (layout: GraphLayout, id: string): Rect => {
  const n = layout.nodes.get(id)!;
  return { left: n.x - n.width / 2, right: n.x + n.width / 2 + n.extraRight, top: n.y - n.height / 2, bottom: n.y + n.height / 2, what: `node ${JSON.stringify(id)}` };
};
const boxRect = (b: Box, what: string): Rect => ({ left: b.x - b.width / 2, right: b.x + b.width / 2, top: b.y - b.height / 2, bottom: b.y + b.height / 2, what });
const overlap = (a: Rect, b: Rect) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
const inside = (p: { x: number; y: number }, r: Rect, slack = 1) => p.x > r.left + slack && p.x < r.right - slack && p.y > r.top + slack && p.y < r.bottom - slack;

/** Points along an edge: the straight segments of loop lanes, the cubic pieces of forward edges sampled. */
function samples(edge: LaidOutEdge): { x: number; y: number }[] {
  const out: { x: number; y: number }[] = [];
  for (let i = 1; i < edge.points.length; i++) {
    const [a, b] = [edge.points[i - 1], edge.points[i]];
    for (let t = 0; t <= 1; t += 1 / 40) {
      if (edge.back) out.push({ x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t });
      else {
        // The same cubic the layout writes: vertical tangents at both ends.
        const k = (b.y - a.y) / 2;
        const [c1, c2] = [{ x: a.x, y: a.y + k }, { x: b.x, y: b.y - k }];
        const u = 1 - t;
        out.push({
          x: u * u * u * a.x + 3 * u * u * t * c1.x + 3 * u * t * t * c2.x + t * t * t * b.x,
          y: u * u * u * a.y + 3 * u * u * t * c1.y + 3 * u * t * t * c2.y + t * t * t * b.y,
        });
      }
    }
  }
  return out;
}

/** Every property the page relies on, checked on one layout. */
function checkLayout(graph: StateGraph, layout: GraphLayout) {
  // Every state (and the start) placed exactly once, nothing else.
  expect([...layout.nodes.keys()].sort()).toEqual(graph.nodes.map((n) => n.id).sort());
  expect(layout.edges.map((e) => e.id)).toEqual(graph.edges.map((e) => e.id));

  const nodeRects = graph.nodes.map((n) => nodeRect(layout, n.id));
  const labelRects = layout.edges.filter((e) => e.label).map((e) => boxRect(e.label!, `label of ${e.from}→${e.to}`));
  const all = [...nodeRects, ...labelRects];
  for (let i = 0; i < all.length; i++) {
    for (let j = i + 1; j < all.length; j++) expect(overlap(all[i], all[j]), `${all[i].what} overlaps ${all[j].what}`).toBe(false);
  }
  for (const r of all) {
    expect(r.left, r.what).toBeGreaterThanOrEqual(0);
    expect(r.right, r.what).toBeLessThanOrEqual(layout.width);
    expect(r.bottom, r.what).toBeLessThanOrEqual(layout.height);
  }

  for (const edge of layout.edges) {
    const from = layout.nodes.get(edge.from)!;
    const to = layout.nodes.get(edge.to)!;
    expect(edge.path.startsWith('M')).toBe(true);
    if (!edge.back) {
      // Forward edges point down: from the source's bottom to the target's top, through lower rows only.
      expect(to.rank, `${edge.from}→${edge.to}`).toBeGreaterThan(from.rank);
      expect(edge.points[0].y).toBeCloseTo(from.y + from.height / 2, 0);
      expect(edge.points.at(-1)!.y).toBeCloseTo(to.y - to.height / 2, 0);
      for (let i = 1; i < edge.points.length; i++) expect(edge.points[i].y).toBeGreaterThanOrEqual(edge.points[i - 1].y);
    } else {
      // Loops run up the side: the lane is outside every node of the rows it spans.
      let laneX: number | undefined;
      let longest = 0;
      edge.points.forEach((p, i) => {
        const q = edge.points[i - 1];
        if (q && Math.abs(q.x - p.x) < 0.01 && Math.abs(q.y - p.y) > longest) [laneX, longest] = [p.x, Math.abs(q.y - p.y)];
      });
      expect(laneX, `${edge.from}→${edge.to} has a vertical lane`).toBeDefined();
      const top = Math.min(from.y, to.y);
      const bottom = Math.max(from.y, to.y);
      for (const r of nodeRects) {
        if (r.bottom < top || r.top > bottom) continue;
        expect(laneX! < r.left || laneX! > r.right, `lane of ${edge.from}→${edge.to} crosses ${r.what}`).toBe(true);
      }
    }
    // No edge runs through a node other than its own two.
    for (const n of graph.nodes) {
      if (n.id === edge.from || n.id === edge.to) continue;
      const r = nodeRect(layout, n.id);
      const hit = samples(edge).find((p) => inside(p, r));
      expect(hit, `${edge.from}→${edge.to} runs through ${r.what}`).toBeUndefined();
    }
  }
}

/** A small deterministic PRNG, so a failing random graph can be reproduced from its seed. */
function mulberry32(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random machines with branches, forward jumps, loops, self-loops, catches and unreachable states. */
function randomDefinition(seed: number): DefinitionLike {
  const random = mulberry32(seed);
  const count = 3 + Math.floor(random() * 22);
  const names = Array.from({ length: count }, (_, i) => (random() < 0.3 ? `state${i}.with.a.longer.name` : `s${i}`));
  const pick = () => names[Math.floor(random() * names.length)];
  const States: Record<string, unknown> = {};
  names.forEach((name, i) => {
    const roll = random();
    const next = names[i + 1];
    if (!next || roll < 0.1) States[name] = random() < 0.5 ? { Type: 'Succeed' } : { Type: 'Fail', Error: 'E' };
    else if (roll < 0.35) {
      States[name] = {
        Type: 'Choice',
        Choices: Array.from({ length: 1 + Math.floor(random() * 3) }, (_, k) => ({ Variable: `$.v${k}`, NumericEquals: k, Next: pick() })),
        Default: next,
      };
    } else if (roll < 0.45) States[name] = { Type: 'Wait', Seconds: 1, Next: random() < 0.5 ? pick() : next };
    else {
      States[name] = {
        Type: 'Task',
        Resource: 'arn:aws:lambda:us-east-1:000000000000:function:f',
        Next: random() < 0.2 ? pick() : next,
        ...(random() < 0.5 ? { Catch: [{ ErrorEquals: ['States.ALL'], Next: pick() }] } : {}),
      };
    }
  });
  return { StartAt: names[random() < 0.9 ? 0 : Math.min(1, count - 1)], States };
}

describe('layoutGraph', () => {
  it.each(SEEDS)('lays out the compiled seed %s: every state once, no overlaps, edges down, loops up the side', async (seed) => {
    const { workflows } = await compileFileOrThrow(join(ROOT, `workflows/arazzo/${seed}.arazzo.yml`));
    for (const w of workflows) {
      const graph = buildStateGraph(w.definition);
      checkLayout(graph, layoutGraph(graph, options));
    }
  });

  it('draws exactly the loop edges of seed 000 as back edges: the poll loop through its Wait, and each GET\'s throttled Wait', async () => {
    const { workflows } = await compileFileOrThrow(join(ROOT, 'workflows/arazzo/customer-verification-poll.arazzo.yml'));
    const graph = buildStateGraph(workflows[0].definition);
    const layout = layoutGraph(graph, options);
    expect(layout.edges.filter((e) => e.back).map((e) => [e.from, e.to])).toEqual([
      ['pollVerification.throttled', 'pollVerification'],
      ['pollVerification.wait', 'pollVerification'],
      ['reportFailure.throttled', 'reportFailure'],
    ]);
    const rank = (id: string) => layout.nodes.get(id)!.rank;
    expect(rank(START_NODE)).toBe(0);
    expect(rank('Validate inputs')).toBe(1);
    // The happy path reads top to bottom, one row per state.
    expect(['createCustomer', 'startVerification', 'pollVerification', 'pollVerification.route', 'pollVerification.end'].map(rank)).toEqual([2, 3, 4, 5, 6]);
    // Catch-only Fail states hang to the right of their Task's row successor.
    for (const task of ['createCustomer', 'startVerification', 'pollVerification']) {
      const failed = layout.nodes.get(`${task}.failed`)!;
      expect(failed.rank).toBe(rank(task) + 1);
      const sibling = layout.edges.find((e) => e.from === task && e.kind === 'flow')!.to;
      expect(failed.x).toBeGreaterThan(layout.nodes.get(sibling)!.x);
    }
    // The happy path stays in one column (within a few pixels), as in the console.
    const xs = ['Validate inputs', 'createCustomer', 'startVerification', 'pollVerification'].map((id) => layout.nodes.get(id)!.x);
    expect(Math.max(...xs) - Math.min(...xs)).toBeLessThan(30);
  });

  it('places unreachable states, self-loops and Map/Parallel states like any other', () => {
    const graph = buildStateGraph({
      StartAt: 'a',
      States: {
        a: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:0:function:f', Next: 'spin' },
        spin: { Type: 'Wait', Seconds: 1, Next: 'spin' },
        orphan: { Type: 'Pass', Next: 'fan' },
        fan: { Type: 'Parallel', Branches: [], Next: 'each' },
        each: { Type: 'Map', ItemProcessor: { StartAt: 'x', States: { x: { Type: 'Pass', End: true } } }, End: true },
      },
    });
    const layout = layoutGraph(graph, options);
    checkLayout(graph, layout);
    const spin = layout.edges.find((e) => e.from === 'spin')!;
    expect(spin.back).toBe(true);
    expect(spin.to).toBe('spin');
    // The orphan sits right above what it leads to, not at the top.
    expect(layout.nodes.get('orphan')!.rank).toBe(layout.nodes.get('fan')!.rank - 1);
  });

  it('keeps every invariant on 60 random machines (branches, jumps, loops, catches)', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const graph = buildStateGraph(randomDefinition(seed));
      const layout = layoutGraph(graph, options);
      try {
        checkLayout(graph, layout);
      } catch (err) {
        throw new Error(`random machine #${seed}: ${(err as Error).message}`, { cause: err });
      }
    }
  });

  it('is deterministic', async () => {
    const { workflows } = await compileFileOrThrow(join(ROOT, 'workflows/arazzo/connectfi-kyc-callback.arazzo.yml'));
    const graph = buildStateGraph(workflows[0].definition);
    const strip = (l: GraphLayout) => JSON.stringify({ nodes: [...l.nodes.values()], edges: l.edges });
    expect(strip(layoutGraph(graph, options))).toBe(strip(layoutGraph(graph, options)));
  });
});

describe('placeInOrder', () => {
  it('keeps the desired positions when the gaps allow them', () => {
    expect(placeInOrder([0, 100, 300], [1, 1, 1], [0, 50, 50])).toEqual([0, 100, 300]);
  });

  it('spreads crowded positions around their weighted mean, exactly the minimum gap apart', () => {
    const xs = placeInOrder([10, 10, 10], [1, 1, 1], [0, 20, 20]);
    expect(xs).toEqual([-10, 10, 30]);
    // A heavy node barely moves; a light one gives way.
    const [heavy, light] = placeInOrder([0, 0], [99, 1], [0, 100]);
    expect(heavy).toBeCloseTo(-1, 5);
    expect(light).toBeCloseTo(99, 5);
  });
});
