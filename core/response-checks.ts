/**
 * The extra checks a response goes through besides the step's successCriteria, named as Redocly
 * Respect names them so that a `--severity` setting reads the same in both tools. Each has a
 * severity: `error` fails the step with the check's error, `warn` lets the criteria decide and
 * records the finding in the step's result (`checks`, visible in the execution history), `off`
 * skips the check.
 */

/** `CONTENT_TYPE_CHECK`: the answer's Content-Type is one the operation declares for its status. `SCHEMA_CHECK`: a JSON body matches the schema it declares. */
export const RESPONSE_CHECKS = ['CONTENT_TYPE_CHECK', 'SCHEMA_CHECK'] as const;
export type ResponseCheck = (typeof RESPONSE_CHECKS)[number];

export const CHECK_SEVERITIES = ['error', 'warn', 'off'] as const;
export type CheckSeverity = (typeof CHECK_SEVERITIES)[number];

export type CheckSeverities = Readonly<Record<ResponseCheck, CheckSeverity>>;

/** Success is what successCriteria say: by default a failed check is a warning, never a failed step. */
export const DEFAULT_CHECK_SEVERITIES: CheckSeverities = { CONTENT_TYPE_CHECK: 'warn', SCHEMA_CHECK: 'warn' };

/** A check that failed at `warn`, as the step's result carries it. Its message names media types, paths and keywords, never a value. */
export interface CheckFinding {
  readonly check: ResponseCheck;
  readonly severity: 'warn';
  readonly message: string;
}

export const isResponseCheck = (name: string): name is ResponseCheck => (RESPONSE_CHECKS as readonly string[]).includes(name);
export const isCheckSeverity = (name: string): name is CheckSeverity => (CHECK_SEVERITIES as readonly string[]).includes(name);

/**
 * Reads `CHECK=severity` settings (`CONTENT_TYPE_CHECK=error`; several comma-separated, or one
 * per entry), as `--severity` and the construct take them. Throws an Error naming the bad entry.
 */
export function parseCheckSeverities(entries: readonly string[]): Partial<Record<ResponseCheck, CheckSeverity>> {
  const out: Partial<Record<ResponseCheck, CheckSeverity>> = {};
  for (const entry of entries.flatMap((e) => e.split(','))) {
    const text = entry.trim();
    if (!text) continue;
    const eq = text.indexOf('=');
    const name = (eq < 0 ? text : text.slice(0, eq)).trim().toUpperCase();
    const severity = (eq < 0 ? '' : text.slice(eq + 1)).trim().toLowerCase();
    if (!isResponseCheck(name)) throw new Error(`unknown check "${name}" in "${text}": the checks are ${RESPONSE_CHECKS.join(', ')}`);
    if (!isCheckSeverity(severity)) throw new Error(`"${text}": a check's severity is one of ${CHECK_SEVERITIES.join(', ')}`);
    out[name] = severity;
  }
  return out;
}
