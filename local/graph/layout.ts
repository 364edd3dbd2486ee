import { START_NODE, type GraphEdge, type StateGraph } from './graph-model.js';
import { curvePath, round, roundedPath } from './edge-paths.js';
import type { Box, GraphLayout, LaidOutEdge, LaidOutNode, LayoutOptions, Point } from './layout-types.js';
import { placeInOrder } from './place-in-order.js';
import { rankStates } from './rank-states.js';

const MARGIN = 16;
/** Vertical room between a row and the row of edge labels under it. */
const ROW_GAP = 22;
const NODE_GAP = 28;
const DUMMY_GAP = 10;
const LANE_GAP = 18;
const SWEEPS = 16;
const PLACEMENT_ROUNDS = 32;

interface LNode {
  readonly id: string;
  readonly layer: number;
  readonly width: number;
  readonly height: number;
  readonly extraRight: number;
  readonly portHalfSpan: number;
  readonly real: boolean;
  /**
   * A state only a Catch leads to and that leads nowhere (a Fail), or a point of the edge to it:
   * kept at the right end of its row and light in placement, so it hangs off its source without
   * pulling the happy path sideways.
   */
  readonly leaf: boolean;
  /** Ends a loop: kept at the left end of its row, where the loop's lane runs. */
  readonly loopEnd: boolean;
  readonly edge?: GraphEdge;
  x: number;
}

/**
 * A layered (Sugiyama-style) layout, small enough to read:
 * 1. loops are broken by a depth-first search from the start (flow edges first), the edges that
 *    close them are drawn later as lanes up the side;
 * 2. states are ranked by longest path over the remaining edges, so every drawn edge points down;
 * 3. rows are doubled: each edge gets a point in every row it crosses, the first of them sized to
 *    its label, so labels are laid out like nodes and never overlap one;
 * 4. rows are ordered by barycentre sweeps (fewest crossings kept), loop ends to the left,
 *    catches to the right;
 * 5. x positions minimise the squared distance to neighbours under each row's order and spacing
 *    (isotonic regression per row, Gauss-Seidel over rows), so long edges straighten out.
 * Deterministic: the same graph and sizes give the same layout.
 */
export function layoutGraph(graph: StateGraph, options: LayoutOptions): GraphLayout {
  // 1-2. Loops broken, states ranked.
  const { ordered, back, forward, rank } = rankStates(graph);

  // 3. Doubled rows with one point per edge per row crossed.
  const loopEnds = new Set(ordered.filter((e) => back.has(e.id)).flatMap((e) => [e.from, e.to]));
  const lnodes = new Map<string, LNode>();
  for (const n of graph.nodes) {
    const size = options.sizeOf(n);
    const incoming = forward.filter((e) => e.to === n.id);
    const leaf = incoming.length > 0 && incoming.every((e) => e.kind === 'catch') && !ordered.some((e) => e.from === n.id);
    lnodes.set(n.id, {
      id: n.id,
      layer: rank.get(n.id)! * 2,
      width: size.width,
      height: size.height,
      extraRight: size.extraRight ?? 0,
      portHalfSpan: Math.max(0, size.portHalfSpan ?? 0),
      real: true,
      leaf,
      loopEnd: loopEnds.has(n.id),
      x: 0,
    });
  }
  const succ = new Map<string, string[]>();
  const pred = new Map<string, string[]>();
  const link = (a: string, b: string) => {
    (succ.get(a) ?? succ.set(a, []).get(a)!).push(b);
    (pred.get(b) ?? pred.set(b, []).get(b)!).push(a);
  };
  const chains = new Map<string, string[]>();
  for (const e of forward) {
    const from = lnodes.get(e.from)!;
    const to = lnodes.get(e.to)!;
    const chain = [e.from];
    for (let layer = from.layer + 1; layer < to.layer; layer++) {
      const first = layer === from.layer + 1;
      const label = first && e.labels.length ? options.labelSize(e.labels) : undefined;
      const id = `\u0001${e.id}:${layer}`;
      lnodes.set(id, {
        id,
        layer,
        width: label?.width ?? 2,
        height: label?.height ?? 0,
        extraRight: 0,
        portHalfSpan: 0,
        real: false,
        leaf: to.leaf,
        loopEnd: false,
        edge: e,
        x: 0,
      });
      chain.push(id);
    }
    chain.push(e.to);
    for (let i = 1; i < chain.length; i++) link(chain[i - 1], chain[i]);
    chains.set(e.id, chain);
  }

  // 4. Row order: initial order by DFS preorder over the layered graph.
  const layerCount = Math.max(...[...lnodes.values()].map((n) => n.layer)) + 1;
  const layers: string[][] = Array.from({ length: layerCount }, () => []);
  const placed = new Set<string>();
  const preorder = (root: string) => {
    const stack = [root];
    while (stack.length) {
      const id = stack.pop()!;
      if (placed.has(id)) continue;
      placed.add(id);
      layers[lnodes.get(id)!.layer].push(id);
      stack.push(...[...(succ.get(id) ?? [])].reverse());
    }
  };
  for (const id of [START_NODE, ...lnodes.keys()]) if (lnodes.has(id)) preorder(id);

  const position = new Map<string, number>();
  const index = (rows: string[][]) => rows.forEach((row) => row.forEach((id, i) => position.set(id, i)));
  const crossings = () => {
    let count = 0;
    for (let l = 0; l + 1 < layerCount; l++) {
      const pairs = layers[l].flatMap((a) => (succ.get(a) ?? []).map((b) => [position.get(a)!, position.get(b)!] as const));
      for (let i = 0; i < pairs.length; i++) {
        for (let j = i + 1; j < pairs.length; j++) {
          if ((pairs[i][0] - pairs[j][0]) * (pairs[i][1] - pairs[j][1]) < 0) count++;
        }
      }
    }
    return count;
  };
  const group = (n: LNode) => (n.loopEnd ? 0 : n.leaf ? 2 : 1);
  const reorder = (l: number, neighbours: Map<string, string[]>) => {
    const key = new Map<string, number>();
    for (const id of layers[l]) {
      const ns = neighbours.get(id) ?? [];
      key.set(id, ns.length ? ns.reduce((s, n) => s + position.get(n)!, 0) / ns.length : position.get(id)!);
    }
    layers[l].sort((a, b) => {
      const na = lnodes.get(a)!;
      const nb = lnodes.get(b)!;
      return group(na) - group(nb) || key.get(a)! - key.get(b)! || position.get(a)! - position.get(b)!;
    });
    layers[l].forEach((id, i) => position.set(id, i));
  };
  index(layers);
  // Loop ends to the left from the start, so the first crossing count already sees them there.
  for (let l = 0; l < layerCount; l++) reorder(l, new Map());
  let best = layers.map((row) => [...row]);
  let bestCrossings = crossings();
  for (let sweep = 0; sweep < SWEEPS && bestCrossings > 0; sweep++) {
    if (sweep % 2 === 0) for (let l = 1; l < layerCount; l++) reorder(l, pred);
    else for (let l = layerCount - 2; l >= 0; l--) reorder(l, succ);
    const count = crossings();
    if (count < bestCrossings) {
      bestCrossings = count;
      best = layers.map((row) => [...row]);
    }
  }
  best.forEach((row, l) => (layers[l] = row));
  index(layers);

  // 5. Rows' heights and y; x by constrained smoothing.
  const rowHeight = layers.map((row) => Math.max(0, ...row.map((id) => lnodes.get(id)!.height)));
  const rowTop: number[] = [];
  let y = 0;
  for (let l = 0; l < layerCount; l++) {
    rowTop.push(y);
    y += rowHeight[l] + ROW_GAP;
  }
  const centreY = (n: LNode) => rowTop[n.layer] + rowHeight[n.layer] / 2;
  const spacing = (a: LNode, b: LNode) => a.width / 2 + a.extraRight + b.width / 2 + (a.real || b.real ? (a.real && b.real ? NODE_GAP : NODE_GAP / 2) : DUMMY_GAP);

  for (const row of layers) {
    let x = 0;
    row.forEach((id, i) => {
      const n = lnodes.get(id)!;
      if (i > 0) x += spacing(lnodes.get(row[i - 1])!, n);
      n.x = x;
    });
    const shift = x / 2;
    for (const id of row) lnodes.get(id)!.x -= shift;
  }
  const weight = (a: LNode, b: LNode) => (!a.real && !b.real ? 8 : 1) * (a.leaf || b.leaf ? 0.02 : 1);
  const smoothRow = (row: string[]) => {
    const desired: number[] = [];
    const weights: number[] = [];
    const gaps: number[] = [];
    row.forEach((id, i) => {
      const n = lnodes.get(id)!;
      let sum = 0;
      let total = 0;
      for (const m of [...(pred.get(id) ?? []), ...(succ.get(id) ?? [])]) {
        const other = lnodes.get(m)!;
        const w = weight(n, other);
        sum += w * other.x;
        total += w;
      }
      desired.push(total ? sum / total : n.x);
      weights.push(total || 0.01);
      gaps.push(i === 0 ? 0 : spacing(lnodes.get(row[i - 1])!, n));
    });
    const xs = placeInOrder(desired, weights, gaps);
    row.forEach((id, i) => (lnodes.get(id)!.x = xs[i]));
  };
  for (let round = 0; round < PLACEMENT_ROUNDS; round++) {
    if (round % 2 === 0) for (let l = 0; l < layerCount; l++) smoothRow(layers[l]);
    else for (let l = layerCount - 1; l >= 0; l--) smoothRow(layers[l]);
  }

  // 6. Forward edges: ports spread along the shapes' top and bottom, curves through the row points.
  const ports = new Map<string, number>();
  for (const n of lnodes.values()) {
    if (!n.real) continue;
    for (const [dir, list] of [['out', succ.get(n.id) ?? []], ['in', pred.get(n.id) ?? []]] as const) {
      const sorted = [...list].sort((a, b) => lnodes.get(a)!.x - lnodes.get(b)!.x);
      const step = sorted.length > 1 ? Math.min(14, (2 * n.portHalfSpan) / (sorted.length - 1)) : 0;
      sorted.forEach((m, i) => ports.set(`${dir}\u0000${n.id}\u0000${m}`, n.x + (i - (sorted.length - 1) / 2) * step));
    }
  }
  const laidEdges = new Map<string, Omit<LaidOutEdge, 'path'>>();
  for (const e of forward) {
    const chain = chains.get(e.id)!.map((id) => lnodes.get(id)!);
    const [source, target] = [chain[0], chain[chain.length - 1]];
    const points: Point[] = [{ x: ports.get(`out\u0000${source.id}\u0000${chain[1].id}`)!, y: centreY(source) + source.height / 2 }];
    let label: Box | undefined;
    // Straight down through every row crossed, bending only between rows, where no node can be.
    for (const d of chain.slice(1, -1)) {
      const [top, height] = [rowTop[d.layer], rowHeight[d.layer]];
      points.push({ x: d.x, y: top }, ...(height > 0 ? [{ x: d.x, y: top + height }] : []));
      if (d.height > 0) label = { x: d.x, y: centreY(d), width: d.width, height: d.height };
    }
    points.push({ x: ports.get(`in\u0000${target.id}\u0000${chain[chain.length - 2].id}`)!, y: centreY(target) - target.height / 2 });
    laidEdges.set(e.id, { id: e.id, from: e.from, to: e.to, kind: e.kind, back: false, points, ...(label ? { label } : {}) });
  }

  // 7. Loops: a lane up the side, outside everything in the rows it spans; inner loops nearer.
  const extent = (n: LNode) => ({ left: n.x - n.width / 2, right: n.x + n.width / 2 + n.extraRight });
  const lanes: { side: -1 | 1; top: number; bottom: number; outer: number }[] = [];
  const backEdges = ordered
    .filter((e) => back.has(e.id))
    .map((e) => ({ e, span: lnodes.get(e.from)!.layer - lnodes.get(e.to)!.layer }))
    .sort((a, b) => a.span - b.span);
  for (const { e } of backEdges) {
    const u = lnodes.get(e.from)!;
    const v = lnodes.get(e.to)!;
    const topLayer = Math.min(u.layer, v.layer);
    const bottomLayer = Math.max(u.layer, v.layer);
    const top = rowTop[topLayer];
    const bottom = rowTop[bottomLayer] + rowHeight[bottomLayer];
    const label = e.labels.length ? options.labelSize(e.labels) : undefined;
    const extreme = (n: LNode, side: -1 | 1) =>
      layers[n.layer].every((id) => id === n.id || !lnodes.get(id)!.real || Math.sign(lnodes.get(id)!.x - n.x) !== side);
    const laneFor = (side: -1 | 1) => {
      let outer = side < 0 ? Infinity : -Infinity;
      for (let l = topLayer; l <= bottomLayer; l++) {
        for (const id of layers[l]) {
          const x = extent(lnodes.get(id)!);
          outer = side < 0 ? Math.min(outer, x.left) : Math.max(outer, x.right);
        }
      }
      for (const lane of lanes) {
        if (lane.side === side && lane.top < bottom + ROW_GAP && lane.bottom > top - ROW_GAP) outer = side < 0 ? Math.min(outer, lane.outer) : Math.max(outer, lane.outer);
      }
      return outer + side * LANE_GAP;
    };
    const cost = (side: -1 | 1) => {
      const x = laneFor(side);
      return (Number(!extreme(u, side)) + Number(!extreme(v, side))) * 1e6 + Math.abs(x - u.x) + Math.abs(x - v.x);
    };
    const side: -1 | 1 = cost(1) < cost(-1) ? 1 : -1;
    const laneX = laneFor(side);
    const self = u.id === v.id;
    const points: Point[] = [];
    const sideX = (n: LNode) => n.x + side * (n.width / 2);
    const nearSideX = (n: LNode) => n.x + side * Math.min(n.portHalfSpan, Math.max(0, n.width / 2 - 12));
    if (extreme(u, side)) {
      const sy = centreY(u) + (self ? u.height / 4 : 0);
      points.push({ x: sideX(u), y: sy }, { x: laneX, y: sy });
    } else {
      const gy = rowTop[u.layer] + rowHeight[u.layer] + ROW_GAP / 2;
      points.push({ x: nearSideX(u), y: centreY(u) + u.height / 2 }, { x: nearSideX(u), y: gy }, { x: laneX, y: gy });
    }
    if (extreme(v, side)) {
      const ty = centreY(v) - (self ? v.height / 4 : 0);
      points.push({ x: laneX, y: ty }, { x: sideX(v), y: ty });
    } else {
      const gy = rowTop[v.layer] - ROW_GAP / 2;
      points.push({ x: laneX, y: gy }, { x: nearSideX(v), y: gy }, { x: nearSideX(v), y: centreY(v) - v.height / 2 });
    }
    let labelBox: Box | undefined;
    let outer = laneX;
    if (label) {
      const ys = points.map((p) => p.y);
      const midY = (Math.min(...ys) + Math.max(...ys)) / 2;
      labelBox = { x: laneX + side * (6 + label.width / 2), y: midY, width: label.width, height: label.height };
      outer = laneX + side * (6 + label.width);
    }
    lanes.push({ side, top, bottom, outer });
    laidEdges.set(e.id, { id: e.id, from: e.from, to: e.to, kind: e.kind, back: true, points, ...(labelBox ? { label: labelBox } : {}) });
  }

  // 8. Translate so the drawing starts at the margin.
  let minX = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const n of lnodes.values()) {
    const x = extent(n);
    minX = Math.min(minX, x.left);
    maxX = Math.max(maxX, x.right);
    maxY = Math.max(maxY, centreY(n) + n.height / 2);
  }
  for (const e of laidEdges.values()) {
    for (const p of e.points) {
      minX = Math.min(minX, p.x);
      maxX = Math.max(maxX, p.x);
    }
    if (e.label) {
      minX = Math.min(minX, e.label.x - e.label.width / 2);
      maxX = Math.max(maxX, e.label.x + e.label.width / 2);
    }
  }
  const dx = MARGIN - minX;
  const dy = MARGIN;
  const move = (p: Point): Point => ({ x: round(p.x + dx), y: round(p.y + dy) });
  const moveBox = (b: Box): Box => ({ ...move(b), width: round(b.width), height: round(b.height) });
  const nodes = new Map<string, LaidOutNode>();
  for (const n of graph.nodes) {
    const l = lnodes.get(n.id)!;
    nodes.set(n.id, { id: n.id, ...moveBox({ x: l.x, y: centreY(l), width: l.width, height: l.height }), extraRight: l.extraRight, rank: l.layer / 2 });
  }
  const edges = graph.edges.map((e) => {
    const laid = laidEdges.get(e.id)!;
    const points = laid.points.map(move);
    return { ...laid, points, path: laid.back ? roundedPath(points) : curvePath(points), ...(laid.label ? { label: moveBox(laid.label) } : {}) };
  });
  return { nodes, edges, width: round(maxX - minX + 2 * MARGIN), height: round(maxY + 2 * MARGIN) };
}
