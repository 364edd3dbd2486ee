import type { Diagnostic } from './diagnostics/index.js';
import type { BoundDocument } from './plan/bind-document.js';
import { resolveWorkflow } from './plan/resolve-workflow.js';

/** Whether one workflow of a compiled document compiled, and if not, why. */
export interface WorkflowStatus {
  readonly workflowId: string;
  /** The arazzo source description it comes from; absent for a workflow of the compiled document. */
  readonly source?: string;
  readonly compiled: boolean;
  /**
   * Why it did not compile: `errors`, its own (diagnostics under its `/workflows/<i>`); `document`,
   * an error outside every workflow (a source description, components, the YAML); `dependency`, a
   * workflow it runs, depends on or goes to did not compile (`blockedBy` names them).
   */
  readonly reason?: 'errors' | 'document' | 'dependency';
  readonly blockedBy?: readonly string[];
}

/**
 * The workflow of a compile result that a command runs: `workflowId`, else the document's first.
 * `undefined` when the document has no such workflow (or did not load).
 */
export function statusOf(status: readonly WorkflowStatus[], workflowId?: string): WorkflowStatus | undefined {
  const own = status.filter((s) => s.source === undefined);
  return workflowId === undefined ? own[0] : own.find((s) => s.workflowId === workflowId);
}

/** One line on why a workflow did not compile. */
export function describeStatus(s: WorkflowStatus): string {
  if (s.compiled) return `workflow "${s.workflowId}" compiled`;
  if (s.reason === 'dependency') return `workflow "${s.workflowId}" does not compile: it needs ${s.blockedBy!.map((b) => `"${b}"`).join(', ')}, which do${s.blockedBy!.length === 1 ? 'es' : ''} not compile`;
  if (s.reason === 'document') return `workflow "${s.workflowId}" does not compile: the document has errors outside its workflows`;
  return `workflow "${s.workflowId}" does not compile: it has errors`;
}

const WORKFLOW_POINTER = /^\/workflows\/(\d+)(?:\/|$)/;
const keyOf = (workflowId: string, source?: string) => (source ? `${source}.${workflowId}` : workflowId);

/**
 * Diagnostics scoped per workflow: an error under `/workflows/<i>` of a document fails that
 * workflow only, an error elsewhere in a document fails all of its workflows, and a workflow
 * that runs, depends on or goes to a failed workflow fails with it. Its siblings compile.
 */
export function workflowStatuses(bound: BoundDocument, sources: readonly { readonly source: string; readonly bound: BoundDocument }[], diagnostics: readonly Diagnostic[]): WorkflowStatus[] {
  const documents = [{ source: undefined as string | undefined, bound }, ...sources];
  const own = new Map<string, WorkflowStatus>();
  const edges = new Map<string, string[]>();
  for (const { source, bound: doc } of documents) {
    const file = doc.loaded.source.displayPath;
    const errors = diagnostics.filter((d) => d.severity === 'error' && d.file === file);
    const documentWide = errors.some((d) => !WORKFLOW_POINTER.test(d.pointer));
    const failedIndexes = new Set(errors.flatMap((d) => (WORKFLOW_POINTER.exec(d.pointer) ? [Number(WORKFLOW_POINTER.exec(d.pointer)![1])] : [])));
    // A reference without a source is to the same document, whose own source name it then carries.
    const targetKey = (reference: string) => {
      const target = resolveWorkflow(doc.loaded, reference, '', []);
      return target && keyOf(target.workflowId, target.source ?? source);
    };
    for (const { workflow, index, implied } of doc.workflows) {
      const key = keyOf(workflow.workflowId, source);
      const reason = documentWide ? 'document' : failedIndexes.has(index) ? 'errors' : undefined;
      // A workflowId given twice: one failure fails the id.
      if (!own.get(key)?.reason) own.set(key, { workflowId: workflow.workflowId, ...(source ? { source } : {}), compiled: !reason, ...(reason ? { reason } : {}) });
      const references = [
        ...(workflow.dependsOn ?? []),
        ...implied.map((d) => d.workflowId),
        ...workflow.steps.flatMap((s) => [
          ...(s.workflowId !== undefined ? [s.workflowId] : []),
          ...[...(s.onSuccess ?? []), ...(s.onFailure ?? [])].flatMap((a) => ((a as { workflowId?: string }).workflowId !== undefined ? [(a as { workflowId: string }).workflowId] : [])),
        ]),
        ...[...(workflow.successActions ?? []), ...(workflow.failureActions ?? [])].flatMap((a) => ((a as { workflowId?: string }).workflowId !== undefined ? [(a as { workflowId: string }).workflowId] : [])),
      ];
      edges.set(key, [...(edges.get(key) ?? []), ...references.flatMap((r) => targetKey(r) ?? [])]);
    }
  }
  // Failure flows backwards along the references, to every workflow that needs a failed one.
  const failedNeeds = (key: string, seen = new Set<string>()): string[] => {
    if (seen.has(key)) return [];
    seen.add(key);
    return (edges.get(key) ?? []).filter((t) => own.get(t)?.compiled === false || failedNeeds(t, seen).length > 0);
  };
  return [...own.entries()].map(([key, status]) => {
    if (!status.compiled) return status;
    const blockedBy = [...new Set(failedNeeds(key))];
    return blockedBy.length ? { ...status, compiled: false, reason: 'dependency' as const, blockedBy } : status;
  });
}
