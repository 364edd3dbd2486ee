import type { Diagnostic } from '../diagnostics/index.js';
import type { BoundDocument } from '../plan/bind-document.js';
import { diagnosticAt } from '../load/parse-yaml-source.js';
import type { ArazzoDocument } from '../validate/arazzo-schema.js';

/** A parameter's identity (`in` and `name`, through its component when it is reusable) and how to name it. */
function parameterIdentity(document: ArazzoDocument, entry: object): { key: string; label: string; field: string } | undefined {
  let parameter = entry as { name?: string; in?: string; reference?: string };
  const field = parameter.reference !== undefined ? 'reference' : 'name';
  if (parameter.reference !== undefined) {
    const match = /^\$components\.parameters\.([A-Za-z0-9_.-]+)$/.exec(parameter.reference);
    const base = match ? document.components?.parameters?.[match[1]] : undefined;
    if (!base) return undefined;
    parameter = base;
  }
  // Header names are case-insensitive (RFC 9110 §5.1): X-Request-Id and x-request-id are one header.
  const name = parameter.in === 'header' ? parameter.name?.toLowerCase() : parameter.name;
  return { key: `${parameter.in ?? ''}:${name}`, label: `"${parameter.name}"${parameter.in ? ` in ${parameter.in}` : ''}`, field };
}

/**
 * Names the specification requires to be unique that the planner does not check: source
 * description names (a second one silently replaces the first), parameters of one list
 * (Arazzo: "unique by name and location") and request body replacement targets.
 */
export function checkDuplicateNames({ loaded }: BoundDocument, diagnostics: Diagnostic[]): void {
  const { document, source } = loaded;
  const sources = new Set<string>();
  for (const [i, d] of document.sourceDescriptions.entries()) {
    if (sources.has(d.name)) diagnostics.push(diagnosticAt(source, `/sourceDescriptions/${i}/name`, 'duplicateId', `source description name "${d.name}" is used twice`));
    sources.add(d.name);
  }

  const checkParameters = (parameters: readonly object[] | undefined, pointer: string, owner: string) => {
    const seen = new Set<string>();
    for (const [i, p] of (parameters ?? []).entries()) {
      const identity = parameterIdentity(document, p);
      if (!identity) continue;
      if (seen.has(identity.key)) {
        diagnostics.push(diagnosticAt(source, `${pointer}/${i}/${identity.field}`, 'duplicateId', `parameter ${identity.label} is given twice in ${owner}`));
      }
      seen.add(identity.key);
    }
  };
  for (const [w, workflow] of document.workflows.entries()) {
    const wp = `/workflows/${w}`;
    checkParameters(workflow.parameters, `${wp}/parameters`, `workflow "${workflow.workflowId}"`);
    for (const [s, step] of workflow.steps.entries()) {
      const sp = `${wp}/steps/${s}`;
      checkParameters(step.parameters, `${sp}/parameters`, `step "${step.stepId}"`);
      const targets = new Set<string>();
      for (const [r, replacement] of (step.requestBody?.replacements ?? []).entries()) {
        if (targets.has(replacement.target)) {
          diagnostics.push(diagnosticAt(source, `${sp}/requestBody/replacements/${r}/target`, 'duplicateId', `replacement target "${replacement.target}" is given twice in step "${step.stepId}"`));
        }
        targets.add(replacement.target);
      }
    }
  }
}
