import { clip, escapeText as esc } from './escape.js';
import type { DefinitionLike } from './graph-model.js';
import type { ExecutionOverlay } from './overlay.js';
import { NAME_PX, renderGraphSvg, SMALL_PX, STATUS_TEXT, type GraphPageInput } from './render-svg.js';

const CSS = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #1f2933; background: #f4f6f8; }
header { padding: 16px 24px 8px; }
h1 { margin: 0; font-size: 20px; font-weight: 600; }
h1 .wf { font-family: ui-monospace, "DejaVu Sans Mono", "Liberation Mono", Menlo, Consolas, monospace; }
h2 { font-size: 15px; margin: 0 0 8px; }
.subtitle { margin: 2px 0 0; color: #5f6b76; }
main { display: flex; flex-wrap: wrap; gap: 16px; padding: 8px 24px 24px; align-items: flex-start; }
.panel { background: #fff; border: 1px solid #d9dee3; border-radius: 8px; padding: 14px 16px; }
.canvas { flex: 0 1 auto; max-width: 100%; overflow: auto; padding: 8px; }
aside { flex: 1 1 320px; max-width: 560px; display: grid; gap: 16px; }
.states { flex: 1 1 100%; }
dl { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 4px 12px; margin: 0; }
dt { color: #5f6b76; }
dd { margin: 0; overflow-wrap: anywhere; }
pre { margin: 4px 0 0; white-space: pre-wrap; overflow-wrap: anywhere; font: 12px/1.4 ui-monospace, "DejaVu Sans Mono", monospace; background: #f7f8fa; border: 1px solid #e4e7eb; border-radius: 4px; padding: 6px 8px; max-height: 240px; overflow: auto; }
.status { display: inline-block; padding: 1px 8px; border-radius: 10px; font-weight: 600; font-size: 12px; letter-spacing: .02em; }
.status.SUCCEEDED { background: #e8f5e9; color: #1b5e20; }
.status.FAILED, .status.TIMED_OUT { background: #ffebee; color: #b71c1c; }
.status.ABORTED { background: #efebe9; color: #4e342e; }
.status.RUNNING { background: #e3f2fd; color: #0d47a1; }
.legend ul { list-style: none; margin: 0; padding: 0; display: grid; gap: 5px; }
.legend li { display: flex; align-items: center; gap: 8px; }
.legend svg { flex: none; }
.legend ul.shapes { margin-top: 10px; grid-template-columns: repeat(3, max-content); gap: 5px 14px; }
.warning { background: #fff8e1; border-color: #ffe082; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; padding: 3px 6px; border-bottom: 1px solid #eceff1; vertical-align: top; }
td.name { font-family: ui-monospace, "DejaVu Sans Mono", monospace; overflow-wrap: anywhere; }
svg.graph { display: block; font-family: ui-monospace, "DejaVu Sans Mono", "Liberation Mono", Menlo, Consolas, monospace; }
svg text { dominant-baseline: central; text-anchor: middle; }
.node .shape { fill: #fafafa; stroke: #546e7a; stroke-width: 1.5; }
.node .ring { fill: none; stroke: #546e7a; stroke-width: 1; }
.node .name { font-size: ${NAME_PX}px; font-weight: 600; fill: #1f2933; }
.node .sub { font-size: ${SMALL_PX}px; fill: #5f6b76; }
.node .err { font-size: ${SMALL_PX}px; font-weight: 600; fill: #b71c1c; }
.node .clock circle { fill: #fff; stroke: #546e7a; stroke-width: 1.3; }
.node .clock path { fill: none; stroke: #546e7a; stroke-width: 1.3; stroke-linecap: round; }
.node.start .shape { fill: #37474f; stroke: #37474f; }
.node.start .name { fill: #fff; font-size: 12px; }
.node .retry { fill: none; stroke: #a1887f; stroke-width: 1.2; stroke-dasharray: 3 3; }
.node .retry.taken { stroke: #ef6c00; stroke-width: 2; }
.badge rect { fill: #37474f; }
.badge.retries rect { fill: #ef6c00; }
.badge text { fill: #fff; font-size: ${SMALL_PX}px; font-weight: 700; }
.node.executed .shape { stroke-width: 2.6; }
.node.st-succeeded .shape { fill: #e8f5e9; stroke: #2e7d32; }
.node.st-succeeded .ring { stroke: #2e7d32; }
.node.st-failed .shape { fill: #ffebee; stroke: #c62828; }
.node.st-failed .ring { stroke: #c62828; }
.node.st-caught .shape { fill: #fff3e0; stroke: #ef6c00; }
.node.st-in-progress .shape { fill: #e3f2fd; stroke: #1565c0; }
.node.st-aborted .shape { fill: #efebe9; stroke: #6d4c41; }
.node.not-entered .shape { fill: #ffffff; stroke: #b0b7bf; stroke-width: 1.2; }
.node.not-entered .ring, .node.not-entered .clock circle, .node.not-entered .clock path { stroke: #b0b7bf; }
.node.not-entered .name { fill: #7b8794; font-weight: 500; }
.node.not-entered .sub { fill: #9aa5b1; }
.edge .line { fill: none; stroke: #78909c; stroke-width: 1.4; }
.edge.catch .line { stroke: #a1887f; stroke-dasharray: 5 4; }
.edge.not-taken .line { stroke: #b0b7bf; stroke-width: 1.2; }
.edge.catch.not-taken .line { stroke: #c9b8b3; }
.edge.taken .line { stroke: #2e7d32; stroke-width: 2.8; }
.edge.catch.taken .line { stroke: #ef6c00; }
.edge-label rect { fill: #fff; stroke: #d9dee3; stroke-width: 1; }
.edge-label text { font-size: ${SMALL_PX}px; fill: #3e4c59; }
.edge-label.not-taken text { fill: #9aa5b1; }
.edge-label.taken rect { stroke: #2e7d32; }
.edge-label.catch.taken rect { stroke: #ef6c00; }
.edge-label.taken text { fill: #1b5e20; font-weight: 600; }
.edge-label.catch.taken text { fill: #e65100; }
`;

const SWATCH = (cls: string) =>
  `<svg width="34" height="18" viewBox="0 0 34 18" aria-hidden="true"><g class="node ${cls}"><rect class="shape" x="2" y="2" width="30" height="14" rx="4"/></g></svg>`;
const LINE_SWATCH = (cls: string, marker: string) =>
  `<svg width="34" height="18" viewBox="0 0 34 18" aria-hidden="true"><g class="edge ${cls}"><path class="line" d="M2 9 L30 9" marker-end="url(#${marker})"/></g></svg>`;

function legend(overlay: ExecutionOverlay | undefined): string {
  const items: string[] = [];
  if (overlay) {
    for (const [status, text] of [
      ['succeeded', 'succeeded'],
      ['failed', 'failed (error name inside)'],
      ['caught', 'failed, caught by a Catch'],
      ['in-progress', 'in progress'],
      ['aborted', 'aborted'],
    ] as const) {
      items.push(`<li>${SWATCH(`executed st-${status}`)}<span>${text}</span></li>`);
    }
    items.push(`<li>${SWATCH('not-entered st-not-entered')}<span>not entered</span></li>`);
    items.push(`<li>${LINE_SWATCH('flow taken', 'arrow-flow-taken')}<span>transition taken (×N: how often)</span></li>`);
    items.push(`<li>${LINE_SWATCH('flow not-taken', 'arrow-flow')}<span>transition not taken</span></li>`);
  } else {
    items.push(`<li>${LINE_SWATCH('flow', 'arrow-flow')}<span>Next, Default or Choice rule</span></li>`);
  }
  items.push(`<li>${LINE_SWATCH('catch', 'arrow-catch')}<span>Catch (dashed)</span></li>`);
  items.push(
    `<li><svg width="34" height="18" viewBox="0 0 34 18" aria-hidden="true"><g class="node"><path class="retry" d="M4 4 C30 0 30 18 6 14"/></g></svg><span>Retry policy on a Task (↻N: retries made)</span></li>`,
  );
  if (overlay) {
    items.push(
      `<li><svg width="34" height="18" viewBox="0 0 34 18" aria-hidden="true"><g class="badge visits"><rect x="2" y="1" width="30" height="16" rx="8"/><text x="17" y="9">×4</text></g></svg><span>state entered N times</span></li>`,
    );
  }
  const shape = (inner: string, text: string) => `<li><svg width="34" height="22" viewBox="0 0 34 22" aria-hidden="true"><g class="node">${inner}</g></svg><span>${text}</span></li>`;
  const shapes = [
    shape('<rect class="shape" x="2" y="3" width="30" height="16" rx="4"/>', 'Task'),
    shape('<polygon class="shape" points="17,1 32,11 17,21 2,11"/>', 'Choice'),
    shape('<rect class="shape" x="2" y="3" width="30" height="16" rx="4"/><g class="clock"><circle cx="10" cy="11" r="5"/><path d="M10 8 L10 11 L12 12"/></g>', 'Wait'),
    shape('<rect class="shape" x="2" y="3" width="30" height="16" rx="8"/><rect class="ring" x="4.5" y="5.5" width="25" height="11" rx="5.5"/>', 'Succeed'),
    shape('<polygon class="shape" points="7,3 27,3 32,8 32,14 27,19 7,19 2,14 2,8"/>', 'Fail'),
  ];
  return `<section class="panel legend"><h2>Legend</h2><ul>${items.join('')}</ul><ul class="shapes">${shapes.join('')}</ul></section>`;
}

const iso = (d: Date | undefined) => (d ? d.toISOString() : '');

function duration(summary: ExecutionOverlay['summary']): string {
  if (!summary.startDate || !summary.stopDate) return '';
  const ms = summary.stopDate.getTime() - summary.startDate.getTime();
  return ms < 10_000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function summaryPanel(overlay: ExecutionOverlay | undefined, definition: DefinitionLike): string {
  if (!overlay) {
    return `<section class="panel summary"><h2>Execution</h2><p>No execution given: the graph shows the definition only (${Object.keys(definition.States).length} states).</p></section>`;
  }
  const s = overlay.summary;
  const rows: [string, string][] = [['Status', `<span class="status ${esc(s.status)}">${esc(s.status)}</span>`]];
  if (s.name) rows.push(['Name', esc(s.name)]);
  if (s.executionArn) rows.push(['Execution', esc(s.executionArn)]);
  if (s.startDate) rows.push(['Started', esc(iso(s.startDate))]);
  if (s.stopDate) rows.push(['Stopped', esc(iso(s.stopDate))]);
  if (duration(s)) rows.push(['Duration', esc(duration(s))]);
  rows.push(['Events', String(s.eventCount)]);
  rows.push(['States entered', `${overlay.entered.length} of ${Object.keys(definition.States).length}`]);
  if (s.error) rows.push(['Error', `<code>${esc(s.error)}</code>`]);
  const cause = s.cause ? `<dt>Cause</dt><dd><pre class="cause">${esc(clip(s.cause, 4000))}</pre></dd>` : '';
  return `<section class="panel summary"><h2>Execution</h2><dl>${rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}${cause}</dl></section>`;
}

function statesTable(overlay: ExecutionOverlay | undefined, definition: DefinitionLike): string {
  if (!overlay || !overlay.entered.length) return '';
  const rows = overlay.entered.map((name) => {
    const run = overlay.states.get(name)!;
    const type = (definition.States[name] as { Type?: unknown } | undefined)?.Type;
    const error = run.error ? `<code>${esc(run.error)}</code>${run.cause ? `<br/>${esc(clip(run.cause, 300))}` : ''}` : '';
    return `<tr class="st-${run.status}"><td class="name">${esc(name)}</td><td>${esc(typeof type === 'string' ? type : '?')}</td><td>${run.visits}</td><td>${esc(STATUS_TEXT[run.status])}${run.retries ? ` (↻${run.retries})` : ''}</td><td>${error}</td></tr>`;
  });
  return `<section class="panel states"><h2>States entered</h2><table><thead><tr><th>State</th><th>Type</th><th>Visits</th><th>Status</th><th>Error</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

/**
 * A self-contained HTML page: the state machine as inline SVG (states named after the steps),
 * and, given an execution history, the path it took and each state's status, as the console's
 * graph view shows them. No scripts, no external resources; the CSP forbids both.
 */
export function renderGraphPage(input: GraphPageInput): string {
  const { svg, overlay } = renderGraphSvg(input);
  const unknown = overlay ? overlay.entered.filter((name) => !Object.hasOwn(input.definition.States, name)) : [];
  const warning = unknown.length
    ? `<section class="panel warning"><h2>History does not match</h2><p>The history enters states this definition does not have: ${unknown.map((n) => `<code>${esc(n)}</code>`).join(', ')}. Is it an execution of another workflow or version?</p></section>`
    : '';
  const title = `${input.workflowId}${overlay ? ` — ${overlay.summary.status}` : ''} — arazzo-sfn graph`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8"/>',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"/>`,
    '<meta name="viewport" content="width=device-width, initial-scale=1"/>',
    '<meta name="generator" content="arazzo-sfn graph"/>',
    `<title>${esc(title)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    `<header><h1>Workflow <span class="wf">${esc(input.workflowId)}</span></h1><p class="subtitle">${esc(
      typeof input.definition.Comment === 'string' && input.definition.Comment ? clip(input.definition.Comment, 300) : 'Step Functions state machine',
    )}</p></header>`,
    '<main>',
    `<section class="panel canvas">${svg}</section>`,
    `<aside>${warning}${summaryPanel(overlay, input.definition)}${legend(overlay)}</aside>`,
    statesTable(overlay, input.definition),
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
