import type { Diagnostic } from '../diagnostics/index.js';
import { bindDocument, type BoundDocument } from '../plan/bind-document.js';
import { checkDocumentTree } from './document-tree.js';
import { checkDuplicateNames } from './duplicate-names.js';
import { checkIdPatterns } from './id-pattern.js';
import { checkInputsSchemas } from './inputs-schema.js';
import { checkLoopExtensions } from './loop-extension.js';
import { checkReferences } from './references.js';
import { checkRequestBodies } from './request-body.js';
import { checkResponseBeforeRequest } from './response-before-request.js';
import { checkUndeclaredInputs } from './undeclared-inputs.js';
import { checkUndeclaredOutputs } from './undeclared-outputs.js';

/** A check over a bound document: it reads the planner's bindings, never binds again. */
export type LintRule = (bound: BoundDocument, diagnostics: Diagnostic[]) => void;

export const LINT_RULES: readonly LintRule[] = [
  checkDuplicateNames,
  checkIdPatterns,
  checkInputsSchemas,
  checkReferences,
  checkUndeclaredInputs,
  checkUndeclaredOutputs,
  checkResponseBeforeRequest,
  checkRequestBodies,
  checkLoopExtensions,
  checkDocumentTree,
];

/**
 * The check stage: every rule, once, over a bound document and the arazzo-typed sources
 * compiled with it (`sources`, bound by the planner; a source of a source is bound here, its
 * binding problems unreported, as it is not planned). Each problem has one owner: a rule does
 * not report what the planner reports.
 */
export function lintDocument(bound: BoundDocument, sources: readonly BoundDocument[], diagnostics: Diagnostic[]): void {
  const documents = new Map<string, BoundDocument>();
  const visit = (document: BoundDocument) => {
    if (documents.has(document.loaded.source.path)) return;
    documents.set(document.loaded.source.path, document);
    for (const other of document.loaded.arazzos.values()) visit(sources.find((s) => s.loaded === other) ?? bindDocument(other, []));
  };
  visit(bound);
  for (const document of documents.values()) for (const rule of LINT_RULES) rule(document, diagnostics);
}
