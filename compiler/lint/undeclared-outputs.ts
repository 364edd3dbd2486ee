import type { Diagnostic } from '../diagnostics/index.js';
import { diagnosticAt } from '../load/parse-yaml-source.js';
import type { BoundDocument } from '../plan/bind-document.js';
import { readsOwnChild } from '../plan/implied-workflow-dependencies.js';
import { expressionSites } from './expression-sites.js';

const listed = (names: string[]) => (names.length ? `declares: ${names.join(', ')}` : 'it declares no outputs');

/**
 * `$steps.<id>.outputs.<name>`, `$workflows.<id>.outputs.<name>`, and in a step that runs a
 * workflow `$outputs.<name>`, whose step or workflow does not declare that output; and
 * `$workflows.<id>.outputs.<name>` of a workflow that has not run before the reader (ASFN1023: one of another
 * document that `dependsOn` does not list; one of this document runs first, implied, ASFN2125). An error: a
 * step or workflow returns only its declared outputs, so the value can never exist. Also
 * `$steps.<id>` of no step where the planner does not look (action criteria).
 */
export function checkUndeclaredOutputs({ loaded, workflows }: BoundDocument, diagnostics: Diagnostic[]): void {
  const { document, source } = loaded;
  for (const site of expressionSites(document)) {
    const workflow = site.workflowIndex === undefined ? undefined : document.workflows[site.workflowIndex];
    const step = site.stepIndex === undefined ? undefined : workflow?.steps[site.stepIndex];
    // Unknown workflows are the planner's to report; here only what a known one declares matters.
    const child = site.workflowIndex === undefined || site.stepIndex === undefined ? undefined : workflows[site.workflowIndex].steps[site.stepIndex].target?.workflow;
    for (const e of site.expressions) {
      if (e.kind === 'stepOutput' && workflow) {
        const target = workflow.steps.find((s) => s.stepId === e.stepId);
        if (!target) {
          diagnostics.push(diagnosticAt(source, site.pointer, 'expressionReference', `$steps.${e.stepId} names no step of workflow "${workflow.workflowId}"`));
        } else if (!Object.hasOwn(target.outputs ?? {}, e.name)) {
          diagnostics.push(
            diagnosticAt(source, site.pointer, 'undeclaredOutput', `$steps.${e.stepId}.outputs.${e.name}: step "${e.stepId}" has no output "${e.name}" (${listed(Object.keys(target.outputs ?? {}))})`),
          );
        }
      } else if (e.kind === 'outputs' && child && site.phase === 'response' && !Object.hasOwn(child.outputs ?? {}, e.name)) {
        diagnostics.push(
          diagnosticAt(source, site.pointer, 'undeclaredOutput', `$outputs.${e.name}: workflow "${child.workflowId}", which step "${step!.stepId}" runs, has no output "${e.name}" (${listed(Object.keys(child.outputs ?? {}))})`),
        );
      } else if (e.kind === 'workflowOutput') {
        // Only the workflows this one depends on have run before it, with their outputs: anything else would read nothing.
        const bound = site.workflowIndex === undefined ? undefined : workflows[site.workflowIndex];
        const known = document.workflows.some((w) => w.workflowId === e.workflowId) || document.sourceDescriptions.some((d) => d.type === 'arazzo');
        const ownChild = step !== undefined && readsOwnChild(step, site.phase, e.workflowId);
        const implied = bound?.implied.find((d) => d.workflowId === e.workflowId);
        if (implied && implied.pointer === site.pointer) {
          diagnostics.push(
            diagnosticAt(
              source,
              site.pointer,
              'impliedDependsOn',
              `$workflows.${e.workflowId}.outputs.${e.name}: workflow "${workflow!.workflowId}" reads workflow "${e.workflowId}" without listing it in dependsOn; it runs "${e.workflowId}" first, with the same inputs, as a dependency (list it in dependsOn to say so)`,
              'warning',
            ),
          );
        }
        if (bound && known && !ownChild && !bound.bindingFailed && !bound.dependsOn.some((d) => d.workflowId === e.workflowId)) {
          const deps = bound.dependsOn.map((d) => d.workflowId);
          diagnostics.push(
            diagnosticAt(
              source,
              site.pointer,
              'notDependedOn',
              `$workflows.${e.workflowId}.outputs.${e.name}: workflow "${workflow!.workflowId}" does not depend on "${e.workflowId}" (${deps.length ? `its dependsOn: ${deps.join(', ')}` : 'it has no dependsOn'}), so that workflow has not run and its outputs are never there; add it to dependsOn`,
            ),
          );
          continue;
        }
        // Unknown workflow ids are reported by checkReferences; other documents' workflows are not checked.
        const other = document.workflows.find((w) => w.workflowId === e.workflowId);
        if (other && !Object.hasOwn(other.outputs ?? {}, e.name)) {
          diagnostics.push(
            diagnosticAt(source, site.pointer, 'undeclaredOutput', `$workflows.${e.workflowId}.outputs.${e.name}: workflow "${e.workflowId}" has no output "${e.name}" (${listed(Object.keys(other.outputs ?? {}))})`),
          );
        }
      }
    }
  }
}
