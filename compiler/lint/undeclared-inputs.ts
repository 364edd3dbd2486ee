import type { Diagnostic } from '../diagnostics/index.js';
import type { BoundDocument } from '../plan/bind-document.js';
import { diagnosticAt } from '../load/parse-yaml-source.js';
import { declaredInputs, isDeclared, type DeclaredInputs } from './declared-inputs.js';
import { expressionSites } from './expression-sites.js';

/**
 * `$inputs.<name>` (and `$workflows.<id>.inputs.<name>`) that the workflow's inputs schema does
 * not list. An error when the schema refuses other inputs (`additionalProperties: false`): the
 * value can never be given. Otherwise a warning: the schema admits the input, and the name is
 * often a typo that would only surface as a missing value at run time.
 */
export function checkUndeclaredInputs({ loaded }: BoundDocument, diagnostics: Diagnostic[]): void {
  const { document, source } = loaded;
  const declared = new Map<string, DeclaredInputs>();
  const declaredBy = (workflowId: string): DeclaredInputs | undefined => {
    const workflow = document.workflows.find((w) => w.workflowId === workflowId);
    if (!workflow) return undefined;
    if (!declared.has(workflowId)) declared.set(workflowId, declaredInputs(workflow.inputs, document));
    return declared.get(workflowId);
  };
  const describe = (workflowId: string, d: DeclaredInputs) =>
    d.names.size ? `the inputs schema of workflow "${workflowId}" does not declare it (declares: ${[...d.names].join(', ')})` : `workflow "${workflowId}" declares no inputs`;
  const unlisted = (src: typeof source, pointer: string, expression: string, workflowId: string, d: DeclaredInputs) =>
    d.closed
      ? diagnosticAt(src, pointer, 'undeclaredInput', `${expression}: ${describe(workflowId, d)}, and it admits no other input`)
      : diagnosticAt(src, pointer, 'unlistedInput', `${expression}: ${describe(workflowId, d)}; it admits other inputs, so the value is read when the execution input has it`, 'warning');

  for (const site of expressionSites(document)) {
    if (site.workflowIndex === undefined) continue;
    const workflowId = document.workflows[site.workflowIndex].workflowId;
    for (const e of site.expressions) {
      if (e.kind === 'inputs') {
        const d = declaredBy(workflowId)!;
        if (!isDeclared(d, e.name)) diagnostics.push(unlisted(source, site.pointer, `$inputs.${e.name}`, workflowId, d));
      } else if (e.kind === 'workflowInput') {
        // A workflow of another document (an arazzo source) is not checked here.
        const d = declaredBy(e.workflowId);
        if (d && !isDeclared(d, e.name)) diagnostics.push(unlisted(source, site.pointer, `$workflows.${e.workflowId}.inputs.${e.name}`, e.workflowId, d));
      }
    }
  }
}
