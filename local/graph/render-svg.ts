import { clip, escapeText as esc } from './escape.js';
import { buildStateGraph, edgeKey, START_NODE, type DefinitionLike, type GraphEdge, type GraphNode } from './graph-model.js';
import { layoutGraph } from './layout.js';
import type { GraphLayout, LaidOutEdge, LaidOutNode, NodeSize } from './layout-types.js';
import { computeOverlay, type ExecutionInfo, type ExecutionOverlay, type HistoryEventLike, type StateRun, type StateStatus } from './overlay.js';

export interface GraphPageInput {
  readonly definition: DefinitionLike;
  readonly workflowId: string;
  /** `GetExecutionHistory` events (SDK objects or the AWS CLI's JSON); without them the plain graph is drawn. */
  readonly history?: readonly HistoryEventLike[];
  /** DescribeExecution's view of the execution; fills what the history alone cannot say (name, ARN). */
  readonly execution?: ExecutionInfo;
}

/*
 * The page has no script to measure text with, so widths are estimated: the SVG uses a monospace
 * stack whose advance is 0.6 em (DejaVu/Liberation Mono, Menlo, Consolas), rounded up so a name
 * never overflows its shape (the Chromium test checks this with the fonts it really used).
 */
export const NAME_PX = 13;
export const SMALL_PX = 11;
const NAME_CHAR = 8;
const SMALL_CHAR = 6.8;
const LINE = 15;
const NAME_MAX = 48;
const SMALL_MAX = 44;
const MAX_BRANCH_LINES = 6;
const BADGE_H = 16;
const RETRY_LOOP = 16;

const textWidth = (text: string, charWidth: number) => [...text].length * charWidth;

interface Line {
  readonly text: string;
  readonly cls: 'name' | 'sub' | 'err';
}

interface NodeView {
  readonly node: GraphNode;
  readonly lines: readonly Line[];
  readonly badges: readonly string[];
  readonly run?: StateRun;
  readonly size: NodeSize;
}

const badgeWidth = (text: string) => textWidth(text, SMALL_CHAR) + 10;

function viewOf(node: GraphNode, run: StateRun | undefined): NodeView {
  if (node.kind === 'start') return { node, lines: [{ text: 'Start', cls: 'name' }], badges: [], size: { width: 64, height: 26 } };
  const lines: Line[] = [{ text: clip(node.id, NAME_MAX), cls: 'name' }];
  if (node.kind !== 'Choice' && node.detail) lines.push({ text: clip(node.detail, SMALL_MAX), cls: 'sub' });
  // A Parallel state shows what each branch runs, one line per branch (the first six).
  for (const branch of (node.branches ?? []).slice(0, MAX_BRANCH_LINES)) lines.push({ text: clip(`‖ ${branch}`, SMALL_MAX), cls: 'sub' });
  if ((node.branches?.length ?? 0) > MAX_BRANCH_LINES) lines.push({ text: `‖ … ${node.branches!.length - MAX_BRANCH_LINES} more`, cls: 'sub' });
  if (run?.error && (run.status === 'failed' || run.status === 'caught')) lines.push({ text: clip(run.error, SMALL_MAX), cls: 'err' });
  const badges = [...(run && run.visits > 1 ? [`×${run.visits}`] : []), ...(run && run.retries > 0 ? [`↻${run.retries}`] : [])];
  const badgeRoom = badges.reduce((w, b) => w + badgeWidth(b) + 4, badges.length ? 4 : 0);
  const widest = Math.max(...lines.map((l) => textWidth(l.text, l.cls === 'name' ? NAME_CHAR : SMALL_CHAR)));
  let size: NodeSize;
  switch (node.kind) {
    case 'Choice': {
      const height = lines.length === 1 ? 56 : 76;
      // A diamond narrows away from its middle: each line needs the width it has at its own height.
      const width = Math.max(
        ...lines.map((l, i) => {
          const offset = Math.abs(lineY(i, lines.length)) + LINE / 2;
          return textWidth(l.text, l.cls === 'name' ? NAME_CHAR : SMALL_CHAR) / (1 - offset / (height / 2));
        }),
      );
      size = { width: Math.max(120, width + 12 + 2 * badgeRoom), height, portHalfSpan: 0 };
      break;
    }
    case 'Succeed':
    case 'Fail': {
      const height = lines.length * LINE + 16;
      const width = Math.max(120, widest + height + 2 * badgeRoom);
      size = { width, height, portHalfSpan: width / 2 - height / 2 };
      break;
    }
    case 'Wait': {
      const width = Math.max(150, widest + 28 + 2 * Math.max(badgeRoom, 24));
      size = { width, height: lines.length * LINE + 16, portHalfSpan: width / 2 - 12 };
      break;
    }
    default: {
      const width = Math.max(150, widest + 28 + 2 * badgeRoom);
      size = { width, height: lines.length * LINE + 16, portHalfSpan: width / 2 - 12, ...(node.retry?.length ? { extraRight: RETRY_LOOP } : {}) };
    }
  }
  return { node, lines, badges, ...(run ? { run } : {}), size };
}

const lineY = (i: number, count: number) => -(count * LINE) / 2 + LINE * i + LINE / 2;

const labelSize = (labels: readonly string[]) => ({
  width: Math.max(...labels.map((l) => textWidth(clip(l, SMALL_MAX), SMALL_CHAR))) + 12,
  height: labels.length * 14 + 6,
});

const n1 = (v: number) => String(Math.round(v * 10) / 10);

function shapeOf(view: NodeView, w: number, h: number): string {
  const [x0, y0] = [-w / 2, -h / 2];
  switch (view.node.kind) {
    case 'start':
      return `<rect class="shape" x="${n1(x0)}" y="${n1(y0)}" width="${n1(w)}" height="${n1(h)}" rx="${n1(h / 2)}"/>`;
    case 'Choice':
      return `<polygon class="shape" points="0,${n1(y0)} ${n1(w / 2)},0 0,${n1(h / 2)} ${n1(x0)},0"/>`;
    case 'Succeed':
      return `<rect class="shape" x="${n1(x0)}" y="${n1(y0)}" width="${n1(w)}" height="${n1(h)}" rx="${n1(h / 2)}"/><rect class="ring" x="${n1(x0 + 3)}" y="${n1(y0 + 3)}" width="${n1(w - 6)}" height="${n1(h - 6)}" rx="${n1(h / 2 - 3)}"/>`;
    case 'Fail': {
      const c = Math.min(12, h / 3);
      const pts = [
        [x0 + c, y0],
        [w / 2 - c, y0],
        [w / 2, y0 + c],
        [w / 2, h / 2 - c],
        [w / 2 - c, h / 2],
        [x0 + c, h / 2],
        [x0, h / 2 - c],
        [x0, y0 + c],
      ];
      return `<polygon class="shape" points="${pts.map(([x, y]) => `${n1(x)},${n1(y)}`).join(' ')}"/>`;
    }
    case 'Wait': {
      const cx = x0 + 17;
      return (
        `<rect class="shape" x="${n1(x0)}" y="${n1(y0)}" width="${n1(w)}" height="${n1(h)}" rx="8"/>` +
        `<g class="clock"><circle cx="${n1(cx)}" cy="0" r="8"/><path d="M${n1(cx)} -5 L${n1(cx)} 0 L${n1(cx + 4)} 2"/></g>`
      );
    }
    case 'Map':
    case 'Parallel':
      return `<rect class="shape" x="${n1(x0)}" y="${n1(y0)}" width="${n1(w)}" height="${n1(h)}" rx="8"/><rect class="ring" x="${n1(x0 + 3)}" y="${n1(y0 + 3)}" width="${n1(w - 6)}" height="${n1(h - 6)}" rx="6"/>`;
    default:
      return `<rect class="shape" x="${n1(x0)}" y="${n1(y0)}" width="${n1(w)}" height="${n1(h)}" rx="8"/>`;
  }
}

export const STATUS_TEXT: Readonly<Record<StateStatus, string>> = {
  succeeded: 'succeeded',
  failed: 'failed',
  caught: 'failed, caught',
  'in-progress': 'in progress',
  aborted: 'aborted',
  'not-entered': 'not entered',
};

function nodeTitle(view: NodeView): string {
  const { node, run } = view;
  const parts = [`${node.id} (${node.kind}${node.detail && node.detail !== node.kind ? `: ${node.detail}` : ''})`];
  if (node.comment) parts.push(node.comment);
  if (node.branches?.length) parts.push(...node.branches.map((b, i) => `branch ${i + 1}: ${b}`));
  if (node.retry?.length) parts.push(`Retry: ${node.retry.map((r) => `${r.errors.join(', ')} ×${r.maxAttempts}`).join('; ')}`);
  if (run) {
    parts.push(`${STATUS_TEXT[run.status]}, entered ${run.visits} time${run.visits === 1 ? '' : 's'}${run.retries ? `, ${run.retries} retr${run.retries === 1 ? 'y' : 'ies'}` : ''}`);
    if (run.error) parts.push(`${run.error}${run.cause ? `: ${clip(run.cause, 500)}` : ''}`);
  }
  return parts.join('\n');
}

function renderNode(view: NodeView, box: LaidOutNode, overlay: ExecutionOverlay | undefined): string {
  const { node, run } = view;
  const { width: w, height: h } = box;
  const status: StateStatus | undefined = overlay && node.kind !== 'start' ? (run?.status ?? 'not-entered') : undefined;
  const classes = ['node', `kind-${node.kind.toLowerCase()}`];
  if (node.kind === 'start') classes.push('start');
  if (overlay) classes.push(node.kind === 'start' || run ? 'executed' : 'not-entered');
  if (status) classes.push(`st-${status}`);
  const attrs =
    node.kind === 'start'
      ? ''
      : ` data-state="${esc(node.id)}" data-type="${esc(node.kind)}"${status ? ` data-status="${status}" data-visits="${run?.visits ?? 0}"` : ''}`;
  const parts = [`<g class="${classes.join(' ')}"${attrs} transform="translate(${n1(box.x)},${n1(box.y)})">`, `<title>${esc(node.kind === 'start' ? 'Start' : nodeTitle(view))}</title>`];
  if (node.retry?.length) {
    const retried = (run?.retries ?? 0) > 0;
    parts.push(
      `<path class="retry${retried ? ' taken' : ''}" d="M${n1(w / 2)} -8 C${n1(w / 2 + 14)} -12 ${n1(w / 2 + 14)} 12 ${n1(w / 2 + 1)} 8" marker-end="url(#arrow-retry${retried ? '-taken' : ''})"/>`,
    );
  }
  parts.push(shapeOf(view, w, h));
  const textX = node.kind === 'Wait' ? 12 : 0;
  view.lines.forEach((line, i) => {
    parts.push(`<text class="${line.cls}" x="${textX}" y="${n1(lineY(i, view.lines.length))}">${esc(line.text)}</text>`);
  });
  let bx = node.kind === 'Choice' ? w / 2 - 4 : w / 2 - 5;
  const by = node.kind === 'Choice' ? -BADGE_H / 2 : -h / 2 + 4;
  for (const badge of view.badges) {
    const bw = badgeWidth(badge);
    bx -= bw;
    parts.push(
      `<g class="badge ${badge.startsWith('×') ? 'visits' : 'retries'}"><rect x="${n1(bx)}" y="${n1(by)}" width="${n1(bw)}" height="${BADGE_H}" rx="8"/><text x="${n1(bx + bw / 2)}" y="${n1(by + BADGE_H / 2)}">${esc(badge)}</text></g>`,
    );
    bx -= 4;
  }
  parts.push('</g>');
  return parts.join('');
}

function renderEdge(edge: LaidOutEdge, labels: readonly string[], count: number, overlay: ExecutionOverlay | undefined): string {
  const taken = count > 0;
  const classes = ['edge', edge.kind, ...(edge.back ? ['back'] : []), ...(overlay ? [taken ? 'taken' : 'not-taken'] : [])];
  const marker = `arrow-${edge.kind}${taken ? '-taken' : ''}`;
  const from = edge.from === START_NODE ? 'Start' : edge.from;
  const title = `${from} → ${edge.to}${labels.length ? `: ${labels.join(' | ')}` : ''}${overlay ? (taken ? ` (taken ${count} time${count === 1 ? '' : 's'})` : ' (not taken)') : ''}`;
  const data = `${edge.from === START_NODE ? '' : ` data-from="${esc(edge.from)}"`} data-to="${esc(edge.to)}"${overlay ? ` data-count="${count}"` : ''}`;
  return `<g class="${classes.join(' ')}"${data}><title>${esc(title)}</title><path class="line" d="${edge.path}" marker-end="url(#${marker})"/></g>`;
}

function renderLabel(edge: LaidOutEdge, labels: readonly string[], taken: boolean, overlay: ExecutionOverlay | undefined): string {
  const box = edge.label!;
  const classes = ['edge-label', edge.kind, ...(overlay ? [taken ? 'taken' : 'not-taken'] : [])];
  const top = box.y - box.height / 2;
  const text = labels
    .map((l, i) => `<text x="${n1(box.x)}" y="${n1(top + 3 + 14 * i + 7)}">${esc(clip(l, SMALL_MAX))}</text>`)
    .join('');
  return `<g class="${classes.join(' ')}"><rect x="${n1(box.x - box.width / 2)}" y="${n1(top)}" width="${n1(box.width)}" height="${n1(box.height)}" rx="4"/>${text}</g>`;
}

const MARKERS = [
  ['arrow-flow', '#78909c'],
  ['arrow-flow-taken', '#2e7d32'],
  ['arrow-catch', '#a1887f'],
  ['arrow-catch-taken', '#ef6c00'],
  ['arrow-retry', '#a1887f'],
  ['arrow-retry-taken', '#ef6c00'],
]
  .map(
    ([id, colour]) =>
      `<marker id="${id}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" markerUnits="userSpaceOnUse" orient="auto-start-reverse"><path d="M0 0 L10 5 L0 10 z" fill="${colour}"/></marker>`,
  )
  .join('');

export interface RenderedGraph {
  readonly svg: string;
  readonly layout: GraphLayout;
  readonly overlay?: ExecutionOverlay;
}

/** The SVG alone (what the page embeds), with the layout and overlay it drew. */
export function renderGraphSvg(input: GraphPageInput): RenderedGraph {
  const graph = buildStateGraph(input.definition);
  const overlay = input.history ? computeOverlay(input.history, input.execution) : undefined;

  // Transitions map to the edge of their class; a Catch and a Next to the same state stay apart.
  const counts = new Map<string, number>();
  if (overlay) {
    const byKey = new Map(graph.edges.map((e) => [edgeKey(e.from, e.to, e.kind), e]));
    for (const t of overlay.transitions) {
      const edge =
        byKey.get(edgeKey(t.from, t.to, t.caught ? 'catch' : 'flow')) ?? byKey.get(edgeKey(t.from, t.to, t.caught ? 'flow' : 'catch'));
      if (edge) counts.set(edge.id, (counts.get(edge.id) ?? 0) + 1);
    }
  }
  const labelsOf = (e: GraphEdge) => [...e.labels, ...((counts.get(e.id) ?? 0) > 1 ? [`×${counts.get(e.id)}`] : [])];
  const shown = { ...graph, edges: graph.edges.map((e) => ({ ...e, labels: labelsOf(e) })) };
  const views = new Map(graph.nodes.map((n) => [n.id, viewOf(n, overlay?.states.get(n.id))]));
  const layout = layoutGraph(shown, { sizeOf: (n) => views.get(n.id)!.size, labelSize });

  const edgeParts: string[] = [];
  const labelParts: string[] = [];
  // Taken edges last, so they are drawn over the ones not taken.
  const order = [...layout.edges].sort((a, b) => Number((counts.get(a.id) ?? 0) > 0) - Number((counts.get(b.id) ?? 0) > 0));
  for (const edge of order) {
    const labels = shown.edges.find((e) => e.id === edge.id)!.labels;
    const count = counts.get(edge.id) ?? 0;
    edgeParts.push(renderEdge(edge, labels, count, overlay));
    if (edge.label) labelParts.push(renderLabel(edge, labels, count > 0, overlay));
  }
  const nodeParts = graph.nodes.map((n) => renderNode(views.get(n.id)!, layout.nodes.get(n.id)!, overlay));
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" class="graph${overlay ? ' with-execution' : ''}" width="${n1(layout.width)}" height="${n1(layout.height)}" viewBox="0 0 ${n1(layout.width)} ${n1(layout.height)}" role="img" aria-labelledby="graph-title">` +
    `<title id="graph-title">${esc(`State machine of workflow ${input.workflowId}`)}</title>` +
    `<defs>${MARKERS}</defs>` +
    `<g class="edges">${edgeParts.join('')}</g>` +
    `<g class="edge-labels">${labelParts.join('')}</g>` +
    `<g class="nodes">${nodeParts.join('')}</g>` +
    `</svg>`;
  return { svg, layout, ...(overlay ? { overlay } : {}) };
}
