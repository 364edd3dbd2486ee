import type { Diagnostic } from '../diagnostics/index.js';
import type { BoundDocument } from '../plan/bind-document.js';
import { diagnosticAt } from '../load/parse-yaml-source.js';
import { expressionSites } from './expression-sites.js';

/**
 * Names that runtime expressions point at: `$components.<section>.<name>`,
 * `$sourceDescriptions.<name>` and `$workflows.<id>`. (The planner checks the `reference` of a
 * reusable parameter or action, and `$ref`s in inputs schemas.)
 */
export function checkReferences({ loaded }: BoundDocument, diagnostics: Diagnostic[]): void {
  const { document, source } = loaded;
  const components = (document.components ?? {}) as Record<string, Record<string, unknown> | undefined>;
  const sources = new Set(document.sourceDescriptions.map((d) => d.name));
  const workflows = new Set(document.workflows.map((w) => w.workflowId));
  // A workflow id may name a workflow of another Arazzo document: only checked when there is none.
  const otherDocuments = document.sourceDescriptions.some((d) => d.type === 'arazzo');

  for (const site of expressionSites(document)) {
    for (const e of site.expressions) {
      if (e.kind === 'component' && !Object.hasOwn(components[e.section] ?? {}, e.name)) {
        diagnostics.push(diagnosticAt(source, site.pointer, 'expressionReference', `$components.${e.section}.${e.name} does not name an entry of components.${e.section}`));
      } else if (e.kind === 'sourceDescription' && !sources.has(e.name)) {
        diagnostics.push(diagnosticAt(source, site.pointer, 'expressionReference', `$sourceDescriptions.${e.name} names no source description (has: ${[...sources].join(', ')})`));
      } else if ((e.kind === 'workflowInput' || e.kind === 'workflowOutput') && !otherDocuments && !workflows.has(e.workflowId)) {
        diagnostics.push(diagnosticAt(source, site.pointer, 'unknownWorkflow', `$workflows.${e.workflowId} names no workflow of this document (has: ${[...workflows].join(', ')})`));
      }
    }
  }
}
