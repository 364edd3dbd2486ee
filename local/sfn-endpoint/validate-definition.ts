import { aslProblems } from '../../compiler/validate/validate-asl.js';
import { jsonSyntaxProblem } from './errors.js';

export interface ValidationDiagnostic {
  readonly severity: 'ERROR' | 'WARNING';
  readonly code: string;
  readonly message: string;
  readonly location?: string;
}

/**
 * ValidateStateMachineDefinition: asl-validator's findings in the service's shape,
 * `{result: 'OK' | 'FAIL', diagnostics: [{severity, code, message, location}], truncated}`, with
 * the service's codes where they match (INVALID_JSON_DESCRIPTION, SCHEMA_VALIDATION_FAILED,
 * MISSING_TRANSITION_TARGET, ...). Every finding is an ERROR: asl-validator has no warnings, so
 * `severity: 'WARNING'` asks for nothing more. Messages never quote the definition's values.
 */
export function validateDefinition(text: string, options: { severity: 'ERROR' | 'WARNING'; maxResults: number }): { result: 'OK' | 'FAIL'; diagnostics: ValidationDiagnostic[]; truncated: boolean } {
  let definition: unknown;
  try {
    definition = JSON.parse(text);
  } catch (err) {
    return { result: 'FAIL', diagnostics: [{ severity: 'ERROR', code: 'INVALID_JSON_DESCRIPTION', message: jsonSyntaxProblem(err) }], truncated: false };
  }
  if (!definition || typeof definition !== 'object' || Array.isArray(definition)) {
    return { result: 'FAIL', diagnostics: [{ severity: 'ERROR', code: 'SCHEMA_VALIDATION_FAILED', message: 'The definition must be a JSON object', location: '/' }], truncated: false };
  }
  const all: ValidationDiagnostic[] = aslProblems(definition as never).map((p) => ({
    severity: 'ERROR',
    code: p.code || 'SCHEMA_VALIDATION_FAILED',
    message: p.message,
    ...(p.location ? { location: p.location } : {}),
  }));
  return { result: all.length ? 'FAIL' : 'OK', diagnostics: all.slice(0, options.maxResults), truncated: all.length > options.maxResults };
}
