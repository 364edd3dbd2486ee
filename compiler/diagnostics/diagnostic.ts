import { ArazzoError } from '../../core/errors.js';

/**
 * Compiler diagnostics as data: collected across a whole document, reported together, each
 * with a stable code (listed in docs/diagnostics.md) and the `file:line:col` it points at.
 */

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  /** Stable code, `ASFN1xxx` for errors, `ASFN2xxx` for lint warnings. */
  readonly code: string;
  /** Lint rule name (warnings) or short error kind (errors). */
  readonly rule: string;
  readonly severity: Severity;
  readonly message: string;
  readonly file: string;
  readonly line: number;
  readonly col: number;
  /** JSON pointer of the node in `file`. */
  readonly pointer: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.col}: ${d.severity} ${d.code} ${d.message} [${d.rule}]`;
}

export const hasErrors = (diagnostics: readonly Diagnostic[]) => diagnostics.some((d) => d.severity === 'error');

/** Thrown once per compilation, carrying every error found (and the warnings seen so far). */
export class CompileError extends ArazzoError {
  override readonly name = 'CompileError';
  constructor(readonly diagnostics: readonly Diagnostic[]) {
    super(diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic).join('\n'));
  }
}
