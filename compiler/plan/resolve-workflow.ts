import type { Diagnostic } from '../diagnostics/index.js';
import type { LoadedArazzo } from '../load/load-arazzo.js';
import { diagnosticAt } from '../load/parse-yaml-source.js';
import type { ArazzoWorkflow } from '../validate/arazzo-schema.js';
import { qualifiedSource, sourceNames } from './source-reference.js';

export interface ResolvedWorkflow {
  readonly workflowId: string;
  /** The arazzo source description it comes from; absent for a workflow of this document. */
  readonly source?: string;
  readonly workflow: ArazzoWorkflow;
}


/**
 * Resolves a `workflowId` (a step's, a goto action's, or a `dependsOn` entry): a workflow of
 * this document, or `$sourceDescriptions.<name>.<workflowId>` for one in an arazzo-typed source.
 */
export function resolveWorkflow(loaded: LoadedArazzo, reference: string, pointer: string, diagnostics: Diagnostic[]): ResolvedWorkflow | undefined {
  const split = qualifiedSource(reference, sourceNames(loaded.document));
  // A workflowId that is not one id after the source is looked up as written (as before source names could hold a dot).
  const qualified = split && /^[A-Za-z0-9_-]+$/.test(split[2]) ? split : null;
  if (qualified) {
    const [, source, workflowId] = qualified;
    const other = loaded.arazzos.get(source);
    if (!other) {
      const known = [...loaded.arazzos.keys()];
      diagnostics.push(
        diagnosticAt(loaded.source, pointer, 'unknownWorkflow', `"${reference}" names no arazzo source description (${known.length ? `arazzo sources: ${known.join(', ')}` : 'this document has none'})`),
      );
      return undefined;
    }
    const workflow = other.document.workflows.find((w) => w.workflowId === workflowId);
    if (!workflow) {
      diagnostics.push(
        diagnosticAt(loaded.source, pointer, 'unknownWorkflow', `source "${source}" has no workflow "${workflowId}" (workflows: ${other.document.workflows.map((w) => w.workflowId).join(', ')})`),
      );
      return undefined;
    }
    return { workflowId, source, workflow };
  }
  const workflow = loaded.document.workflows.find((w) => w.workflowId === reference);
  if (!workflow) {
    diagnostics.push(
      diagnosticAt(loaded.source, pointer, 'unknownWorkflow', `unknown workflow "${reference}" (workflows: ${loaded.document.workflows.map((w) => w.workflowId).join(', ')})`),
    );
    return undefined;
  }
  return { workflowId: reference, workflow };
}

/**
 * Workflows of this document that run themselves through nested steps, `goto` or `dependsOn`:
 * Step Functions would start executions without end. Returns each cycle once, as a path.
 */
export function findWorkflowCycles(edges: ReadonlyMap<string, readonly { target: string; pointer: string }[]>): { path: string[]; pointer: string }[] {
  const cycles: { path: string[]; pointer: string }[] = [];
  const state = new Map<string, 'active' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string) => {
    state.set(id, 'active');
    stack.push(id);
    for (const edge of edges.get(id) ?? []) {
      const s = state.get(edge.target);
      if (s === 'active') cycles.push({ path: [...stack.slice(stack.indexOf(edge.target)), edge.target], pointer: edge.pointer });
      else if (s === undefined && edges.has(edge.target)) visit(edge.target);
    }
    stack.pop();
    state.set(id, 'done');
  };
  for (const id of edges.keys()) if (!state.has(id)) visit(id);
  return cycles;
}
