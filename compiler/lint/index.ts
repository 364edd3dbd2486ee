import type { Diagnostic } from '../diagnostics/index.js';
import type { LoadedArazzo } from '../load/load-arazzo.js';
import { checkDuplicateNames } from './duplicate-names.js';
import { checkInputsSchemas } from './inputs-schema.js';
import { checkLoopExtensions } from './loop-extension.js';
import { checkReferences } from './references.js';
import { checkRequestBodies } from './request-body.js';
import { checkResponseBeforeRequest } from './response-before-request.js';
import { checkUndeclaredInputs } from './undeclared-inputs.js';
import { checkUndeclaredOutputs } from './undeclared-outputs.js';

export type LintRule = (loaded: LoadedArazzo, diagnostics: Diagnostic[]) => void;

export const LINT_RULES: readonly LintRule[] = [
  checkDuplicateNames,
  checkInputsSchemas,
  checkReferences,
  checkUndeclaredInputs,
  checkUndeclaredOutputs,
  checkResponseBeforeRequest,
  checkRequestBodies,
  checkLoopExtensions,
];

const sameReport = (d: Diagnostic) => `${d.file}\0${d.line}\0${d.col}\0${d.code}\0${d.message}`;

/** `loaded` and the Arazzo documents it names as sources, each once: their workflows are compiled with it. */
function documentsOf(loaded: LoadedArazzo, seen = new Set<string>()): LoadedArazzo[] {
  if (seen.has(loaded.source.path)) return [];
  seen.add(loaded.source.path);
  return [loaded, ...[...(loaded.arazzos?.values() ?? [])].flatMap((other) => documentsOf(other, seen))];
}

/**
 * Semantic checks over a document that loaded and planned (and over the arazzo-typed sources
 * compiled with it), added to `diagnostics`.
 *
 * A rule may look where the planner also looks (the planner is not the place for every
 * check, and changes): a finding with the code of a diagnostic already reported at the same
 * node is dropped, so each problem is reported once. Identical reports are collapsed too: the
 * planner plans workflow-level actions and parameters once per step.
 */
export function lintDocument(loaded: LoadedArazzo, diagnostics: Diagnostic[]): void {
  const found: Diagnostic[] = [];
  for (const document of documentsOf(loaded)) for (const rule of LINT_RULES) rule(document, found);
  const reportedAt = new Set(diagnostics.map((d) => `${d.file}\0${d.pointer}\0${d.code}`));
  const seen = new Set<string>();
  const unique = [...diagnostics, ...found.filter((d) => !reportedAt.has(`${d.file}\0${d.pointer}\0${d.code}`))].filter((d) => {
    const key = sameReport(d);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  diagnostics.splice(0, diagnostics.length, ...unique);
}
