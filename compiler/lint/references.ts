import type { Diagnostic } from '../diagnostics/index.js';
import type { BoundDocument } from '../plan/bind-document.js';
import { diagnosticAt } from '../load/parse-yaml-source.js';
import { expressionSites } from './expression-sites.js';

/**
 * Names that runtime expressions point at: `$components.<section>.<name>`,
 * `$sourceDescriptions.<name>` and `$workflows.<id>`. (The planner checks the `reference` of a
 * reusable parameter or action, and `$ref`s in inputs schemas.)
 */
/**
 * A declared source name outside `[A-Za-z0-9_-]+` (`pets.v2`) that an expression read as a shorter
 * name (`pets`) plus a dotted reference (`v2.url`) was written for: the longest such name.
 */
function looseSourceNamed(sources: ReadonlySet<string>, name: string, reference: string): string | undefined {
  const written = `${name}.${reference}`;
  let best: string | undefined;
  for (const s of sources) if (s.length > name.length && written.startsWith(`${s}.`) && s.length > (best?.length ?? 0)) best = s;
  return best;
}

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
      } else if (e.kind === 'sourceDescription' && looseSourceNamed(sources, e.name, e.reference)) {
        const name = looseSourceNamed(sources, e.name, e.reference)!;
        const message = `$sourceDescriptions.${e.name}.${e.reference} cannot name source "${name}": a runtime expression's source-name is [A-Za-z0-9_-]+ (Arazzo § Runtime Expressions, ABNF identifier-strict), so it reads source "${e.name}"; rename the source to match the pattern`;
        diagnostics.push(diagnosticAt(source, site.pointer, 'sourceNameInExpression', message));
      } else if (e.kind === 'sourceDescription' && !sources.has(e.name)) {
        diagnostics.push(diagnosticAt(source, site.pointer, 'expressionReference', `$sourceDescriptions.${e.name} names no source description (has: ${[...sources].join(', ')})`));
      } else if ((e.kind === 'workflowInput' || e.kind === 'workflowOutput') && !otherDocuments && !workflows.has(e.workflowId)) {
        diagnostics.push(diagnosticAt(source, site.pointer, 'unknownWorkflow', `$workflows.${e.workflowId} names no workflow of this document (has: ${[...workflows].join(', ')})`));
      }
    }
  }
}
