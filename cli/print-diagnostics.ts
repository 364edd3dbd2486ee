import { formatDiagnostic, type Diagnostic } from '../compiler/diagnostics/index.js';
import { plain, type Style } from './style.js';

/** One `file:line:col: severity CODE message [rule]` line per diagnostic, the severity in its colour on a terminal. */
export function printDiagnostics(result: { readonly diagnostics: readonly Diagnostic[] }, out: NodeJS.WritableStream, style: Style = plain): void {
  for (const d of result.diagnostics) {
    const line = formatDiagnostic(d);
    out.write(`${style.enabled ? line.replace(`: ${d.severity} `, `: ${(d.severity === 'error' ? style.red : style.yellow)(d.severity)} `) : line}\n`);
  }
}
