import { parseCheckSeverities } from '../core/response-checks.js';
import type { CompileOptions } from '../compiler/plan/compile-options.js';
import { UsageError } from './cli-error.js';

export const severityHelp = `  --severity <CHECK=error|warn|off>
                         severity of a response check besides the criteria (repeatable, or
                         comma-separated): CONTENT_TYPE_CHECK (the answer's Content-Type is
                         one the operation declares), SCHEMA_CHECK (a JSON body matches the
                         declared schema); default warn: the criteria decide and the history
                         names the check`;

/** The compile options that `--severity` entries ask for (none when there are none). */
export function severityOptions(entries: readonly string[] | undefined): Pick<CompileOptions, 'checks'> {
  if (!entries?.length) return {};
  try {
    return { checks: parseCheckSeverities(entries) };
  } catch (err) {
    throw new UsageError(`--severity: ${(err as Error).message}`);
  }
}
