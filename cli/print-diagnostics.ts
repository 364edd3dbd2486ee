import { formatDiagnostic, type Diagnostic } from '../compiler/diagnostics/index.js';

/** One `file:line:col: severity CODE message [rule]` line per diagnostic. */
export function printDiagnostics(result: { readonly diagnostics: readonly Diagnostic[] }, out: NodeJS.WritableStream): void {
  for (const d of result.diagnostics) out.write(`${formatDiagnostic(d)}\n`);
}
