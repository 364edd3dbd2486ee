import type { Diagnostic } from '../diagnostics/index.js';
import type { LoadedArazzo } from '../load/load-arazzo.js';
import { diagnosticAt } from '../load/parse-yaml-source.js';
import type { ArazzoReusable } from '../validate/arazzo-schema.js';
import type { CompileOptions } from './compile-options.js';

/** What every planning function reads, and where it reports what only planning can find. */
export interface PlanContext {
  readonly loaded: LoadedArazzo;
  readonly options: CompileOptions;
  readonly diagnostics: Diagnostic[];
  /** The bound of a whole execution (EmitOptions.timeoutSeconds; the construct's `timeout`, 300 s at most for EXPRESS), when given. */
  readonly executionTimeoutSeconds?: number;
}

export function reportAt(ctx: PlanContext, pointer: string, kind: Parameters<typeof diagnosticAt>[2], message: string, severity: 'error' | 'warning' = 'error'): void {
  ctx.diagnostics.push(diagnosticAt(ctx.loaded.source, pointer, kind, message, severity));
}

export const isReusable = (v: object): v is ArazzoReusable => 'reference' in v;

/**
 * The entry of `components.<kind>` a reusable object names. `report` is false where the same
 * reference is planned again (a workflow-level action or parameter, planned for each step): it
 * is reported once, where it is first planned.
 */
export function resolveComponent<T>(ctx: PlanContext, kind: 'parameters' | 'successActions' | 'failureActions', reference: string, pointer: string, report = true): T | undefined {
  const match = new RegExp(`^\\$components\\.${kind}\\.([A-Za-z0-9_.-]+)$`).exec(reference);
  const found = match ? (ctx.loaded.document.components?.[kind] as Record<string, T> | undefined)?.[match[1]] : undefined;
  if (!found && report) reportAt(ctx, `${pointer}/reference`, 'expressionReference', `reference "${reference}" does not name an entry of components.${kind}`);
  return found;
}
