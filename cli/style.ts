/**
 * Colours for a terminal. On when the stream is a TTY (or FORCE_COLOR asks for them), off with
 * `--no-color` or a non-empty NO_COLOR (https://no-color.org), which win over FORCE_COLOR.
 * Piped output, files and `--json` stay plain.
 */
export interface Style {
  readonly enabled: boolean;
  readonly red: (s: string) => string;
  readonly green: (s: string) => string;
  readonly yellow: (s: string) => string;
  readonly dim: (s: string) => string;
  readonly bold: (s: string) => string;
}

const wrap = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;
const same = (s: string) => s;

export const plain: Style = { enabled: false, red: same, green: same, yellow: same, dim: same, bold: same };
const coloured: Style = { enabled: true, red: wrap(31, 39), green: wrap(32, 39), yellow: wrap(33, 39), dim: wrap(2, 22), bold: wrap(1, 22) };

export function styleFor(stream: NodeJS.WritableStream, opts: { readonly noColor?: boolean; readonly env?: NodeJS.ProcessEnv } = {}): Style {
  const env = opts.env ?? process.env;
  if (opts.noColor || env.NO_COLOR) return plain;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false') return coloured;
  return (stream as NodeJS.WriteStream).isTTY && env.TERM !== 'dumb' ? coloured : plain;
}

/** A status word in its colour: green for success, red for failure, yellow for what is still open. */
export function statusColour(style: Style, status: string): string {
  if (status === 'SUCCEEDED') return style.green(status);
  if (status === 'RUNNING' || status === 'PENDING_REDRIVE') return style.yellow(status);
  return style.red(status);
}
