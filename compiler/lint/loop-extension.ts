import type { Diagnostic } from '../diagnostics/index.js';
import type { LoadedArazzo } from '../load/load-arazzo.js';
import type { BoundDocument } from '../plan/bind-document.js';
import { diagnosticAt, encodePointer } from '../load/parse-yaml-source.js';
import { LOOP_LIMITS } from '../plan/compile-options.js';

export const LOOP_EXTENSION = 'x-arazzo-sfn-loop';

/**
 * What `x-arazzo-sfn-loop` accepts, the ranges the planner applies (readLoopExtension in
 * plan/build-plan.ts): the planner drops a value outside them and falls back to the default,
 * so without this check a typo would silently change a loop's pacing or bound.
 */
export { LOOP_LIMITS };

type LoopKey = keyof typeof LOOP_LIMITS;

function checkExtension(loaded: LoadedArazzo, value: unknown, pointer: string, diagnostics: Diagnostic[]): void {
  const at = (p: string, message: string) => diagnostics.push(diagnosticAt(loaded.source, p, 'loopBound', message));
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    at(pointer, `${LOOP_EXTENSION} must be an object with ${Object.keys(LOOP_LIMITS).join(', ')}`);
    return;
  }
  for (const [key, v] of Object.entries(value)) {
    const p = pointer + encodePointer([key]);
    const limit = LOOP_LIMITS[key as LoopKey];
    if (!limit) {
      at(p, `${LOOP_EXTENSION}: unknown field "${key}" (allowed: ${Object.keys(LOOP_LIMITS).join(', ')})`);
      continue;
    }
    const ok = typeof v === 'number' && Number.isFinite(v) && v >= limit.min && v <= limit.max && (!limit.integer || Number.isInteger(v));
    if (!ok) {
      const why = key === 'maxAttempts' ? ': a loop needs a bound it can reach' : '';
      at(p, `${LOOP_EXTENSION}.${key} must be ${limit.integer ? 'an integer' : 'a number'} from ${limit.min} to ${limit.max}, not ${JSON.stringify(v)}${why}`);
    }
  }
}

/** Every `x-arazzo-sfn-loop` the planner reads: on steps, on their actions, and on reusable actions. */
export function checkLoopExtensions({ loaded }: BoundDocument, diagnostics: Diagnostic[]): void {
  const { document } = loaded;
  const visit = (owner: object | undefined, pointer: string) => {
    if (owner && Object.hasOwn(owner, LOOP_EXTENSION)) checkExtension(loaded, (owner as Record<string, unknown>)[LOOP_EXTENSION], `${pointer}/${LOOP_EXTENSION}`, diagnostics);
  };
  const visitActions = (actions: readonly object[] | undefined, pointer: string) => actions?.forEach((a, i) => visit(a, `${pointer}/${i}`));
  for (const [w, workflow] of document.workflows.entries()) {
    const wp = `/workflows/${w}`;
    visitActions(workflow.successActions, `${wp}/successActions`);
    visitActions(workflow.failureActions, `${wp}/failureActions`);
    for (const [s, step] of workflow.steps.entries()) {
      const sp = `${wp}/steps/${s}`;
      visit(step, sp);
      visitActions(step.onSuccess, `${sp}/onSuccess`);
      visitActions(step.onFailure, `${sp}/onFailure`);
    }
  }
  for (const section of ['successActions', 'failureActions'] as const) {
    for (const [name, action] of Object.entries(document.components?.[section] ?? {})) visit(action, `/components/${section}${encodePointer([name])}`);
  }
}
