/**
 * A line chart as a self-contained SVG document, written by hand: the benchmarks add no
 * dependency, and the file renders in GitHub's Markdown view and any browser.
 */

export interface Series {
  readonly name: string;
  readonly color: string;
  readonly dashed?: boolean;
  /** One y per x of the chart; NaN leaves a gap. */
  readonly values: readonly number[];
}

export interface LineChart {
  readonly title: string;
  readonly subtitle?: string;
  readonly xLabel: string;
  readonly yLabel: string;
  /** The x values, plotted at equal distances (a log scale when they grow geometrically). */
  readonly xs: readonly number[];
  readonly series: readonly Series[];
}

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** 1, 2 or 5 × a power of ten: the step that gives about `target` gridlines up to `max`. */
function niceStep(max: number, target = 5): number {
  const raw = max / target;
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
}

const label = (v: number) => (v >= 10_000 ? `${Math.round(v / 1000)}k` : v >= 1000 ? `${(v / 1000).toFixed(1).replace(/\.0$/, '')}k` : String(Math.round(v * 100) / 100));

export function renderLineChart(chart: LineChart): string {
  const legendWidth = 40 + 7 * Math.max(0, ...chart.series.map((s) => s.name.length));
  const width = 520 + legendWidth;
  const height = 440;
  const margin = { top: chart.subtitle ? 64 : 48, right: legendWidth, bottom: 56, left: 72 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const finite = chart.series.flatMap((s) => s.values.filter(Number.isFinite));
  const step = niceStep(Math.max(1, ...finite));
  const yMax = Math.ceil(Math.max(1, ...finite) / step) * step;
  const x = (i: number) => margin.left + (chart.xs.length === 1 ? plotW / 2 : (i * plotW) / (chart.xs.length - 1));
  const y = (v: number) => margin.top + plotH - (v / yMax) * plotH;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif" font-size="12">`);
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text x="${margin.left}" y="24" font-size="15" font-weight="600" fill="#111">${escape(chart.title)}</text>`);
  if (chart.subtitle) out.push(`<text x="${margin.left}" y="44" fill="#555">${escape(chart.subtitle)}</text>`);
  for (let v = 0; v <= yMax + step / 2; v += step) {
    out.push(`<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="${v === 0 ? '#333' : '#e3e3e3'}"/>`);
    out.push(`<text x="${margin.left - 8}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" fill="#333">${label(v)}</text>`);
  }
  chart.xs.forEach((xv, i) => {
    out.push(`<line x1="${x(i).toFixed(1)}" x2="${x(i).toFixed(1)}" y1="${margin.top}" y2="${margin.top + plotH}" stroke="#f0f0f0"/>`);
    out.push(`<text x="${x(i).toFixed(1)}" y="${margin.top + plotH + 18}" text-anchor="middle" fill="#333">${label(xv)}</text>`);
  });
  out.push(`<text x="${margin.left + plotW / 2}" y="${height - 14}" text-anchor="middle" fill="#333">${escape(chart.xLabel)}</text>`);
  out.push(`<text transform="translate(18 ${margin.top + plotH / 2}) rotate(-90)" text-anchor="middle" fill="#333">${escape(chart.yLabel)}</text>`);
  chart.series.forEach((s, k) => {
    const points = s.values.map((v, i) => (Number.isFinite(v) ? `${x(i).toFixed(1)},${y(v).toFixed(1)}` : undefined));
    // A NaN splits the line in two rather than dropping to zero.
    const runs: string[][] = [[]];
    for (const p of points) {
      if (p) runs[runs.length - 1].push(p);
      else runs.push([]);
    }
    for (const run of runs.filter((r) => r.length > 1)) {
      out.push(`<polyline points="${run.join(' ')}" fill="none" stroke="${s.color}" stroke-width="2.2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    }
    s.values.forEach((v, i) => {
      if (!Number.isFinite(v)) return;
      out.push(
        `<circle cx="${x(i).toFixed(1)}" cy="${y(v).toFixed(1)}" r="3.5" fill="${s.dashed ? '#fff' : s.color}" stroke="${s.color}" stroke-width="1.8"><title>${escape(s.name)} at ${label(chart.xs[i])}: ${label(v)}</title></circle>`,
      );
    });
    const ly = margin.top + 8 + k * 22;
    const lx = margin.left + plotW + 18;
    out.push(`<line x1="${lx}" x2="${lx + 26}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2.2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    out.push(`<text x="${lx + 32}" y="${ly + 4}" fill="#222">${escape(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
