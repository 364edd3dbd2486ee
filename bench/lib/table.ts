export interface Column {
  readonly header: string;
  /** Numbers read best right-aligned; the default. */
  readonly align?: 'left' | 'right';
}

export interface Table {
  readonly title: string;
  readonly columns: readonly Column[];
  readonly rows: readonly (readonly string[])[];
  /** Printed under the table: how to read it, what was skipped. */
  readonly notes?: readonly string[];
}

const pad = (text: string, width: number, align: 'left' | 'right') => (align === 'left' ? text.padEnd(width) : text.padStart(width));

export function renderText(table: Table): string {
  const widths = table.columns.map((c, i) => Math.max(c.header.length, ...table.rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    table.columns.map((c, i) => pad(cells[i] ?? '', widths[i], c.align ?? 'right')).join('  ').trimEnd();
  return [
    table.title,
    line(table.columns.map((c) => c.header)),
    widths.map((w) => '─'.repeat(w)).join('  '),
    ...table.rows.map(line),
    ...(table.notes ?? []).map((n) => `  ${n}`),
  ].join('\n');
}

export function renderMarkdown(table: Table): string {
  const escape = (s: string) => s.replace(/\|/g, '\\|');
  return [
    `### ${table.title}`,
    '',
    `| ${table.columns.map((c) => escape(c.header)).join(' | ')} |`,
    `| ${table.columns.map((c) => ((c.align ?? 'right') === 'left' ? ':--' : '--:')).join(' | ')} |`,
    ...table.rows.map((r) => `| ${table.columns.map((_, i) => escape(r[i] ?? '')).join(' | ')} |`),
    ...(table.notes?.length ? ['', ...table.notes.map((n) => `- ${n}`)] : []),
  ].join('\n');
}

export const ms = (x: number) => (Number.isFinite(x) ? (x < 1 ? x.toFixed(3) : x < 10 ? x.toFixed(2) : x.toFixed(1)) : '–');
// Below 1 a ratio is a share (0.25× of a competitor): one decimal would round the goal away.
export const ratio = (x: number) => (Number.isFinite(x) ? `${x < 1 ? x.toFixed(2) : x < 10 ? x.toFixed(1) : Math.round(x)}×` : '–');
export const percent = (x: number) => (Number.isFinite(x) ? `${Math.round(x * 100)}%` : '–');
