import type { Diagnostic } from '../diagnostics/index.js';
import { diagnosticAt } from '../load/parse-yaml-source.js';
import type { BoundDocument } from '../plan/bind-document.js';

/** Arazzo 1.0.1 §Workflow Object, §Step Object: the ids SHOULD conform to this expression. */
const ID = /^[A-Za-z0-9_-]+$/;

/**
 * `workflowId` and `stepId` values outside `[A-Za-z0-9_-]+` (`Search Stations`): a SHOULD of the
 * spec, so a warning. The workflow compiles; its state names and JSONPaths are derived safely
 * (emit/state-names.ts). A runtime expression names it where the expression's end is known (a
 * whole value or `{$...}`); embedded in text without braces, a space ends the id.
 */
export function checkIdPatterns({ loaded }: BoundDocument, diagnostics: Diagnostic[]): void {
  for (const [i, description] of loaded.document.sourceDescriptions.entries()) {
    if (ID.test(description.name)) continue;
    const message = `source name "${description.name}" does not match [A-Za-z0-9_-]+ (Arazzo: SHOULD); operationId, operationPath, channelPath, workflowId and schemeName read it (the longest source name that fits decides), but a runtime expression in a value or condition cannot name it`;
    diagnostics.push(diagnosticAt(loaded.source, `/sourceDescriptions/${i}/name`, 'idPattern', message, 'warning'));
  }
  for (const [w, workflow] of loaded.document.workflows.entries()) {
    if (!ID.test(workflow.workflowId)) {
      diagnostics.push(
        diagnosticAt(loaded.source, `/workflows/${w}/workflowId`, 'idPattern', `workflowId "${workflow.workflowId}" does not match [A-Za-z0-9_-]+ (Arazzo: SHOULD); names derived for AWS are sanitised, and $workflows.<id> names it only as a whole value or in {braces}`, 'warning'),
      );
    }
    for (const [s, step] of workflow.steps.entries()) {
      if (ID.test(step.stepId)) continue;
      diagnostics.push(
        diagnosticAt(loaded.source, `/workflows/${w}/steps/${s}/stepId`, 'idPattern', `stepId "${step.stepId}" does not match [A-Za-z0-9_-]+ (Arazzo: SHOULD); its state names are sanitised, and $steps.<id> names it only as a whole value or in {braces}`, 'warning'),
      );
    }
  }
}
