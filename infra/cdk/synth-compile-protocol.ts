import type { CompiledWorkflow } from '../../compiler/compile-file.js';
import type { Diagnostic } from '../../compiler/diagnostics/index.js';
import type { CompileOptions } from '../../compiler/plan/compile-options.js';

/** What the construct asks the compiler process for: one workflow of one document. */
export interface SynthCompileRequest {
  readonly file: string;
  /** @default the document's only workflow */
  readonly workflowId?: string;
  readonly options: CompileOptions;
  readonly timeoutSeconds?: number;
}

/** A nested execution's target, as a placeholder stands for its state machine ARN. */
export interface WorkflowTarget {
  readonly workflowId: string;
  readonly source?: string;
}

export type SynthCompileResponse =
  | {
      readonly ok: true;
      readonly workflow: CompiledWorkflow;
      /** Lint warnings of the document, and the errors of its other workflows (errors that stop this one make `ok` false). */
      readonly warnings: readonly Diagnostic[];
      /** `definitionSubstitutions` key → the function key whose Lambda ARN it stands for. */
      readonly functionPlaceholders: Readonly<Record<string, string>>;
      /** `definitionSubstitutions` key → the workflow whose state machine ARN it stands for. */
      readonly stateMachinePlaceholders: Readonly<Record<string, WorkflowTarget>>;
    }
  | { readonly ok: false; readonly message: string; readonly diagnostics: readonly Diagnostic[] };

/**
 * Names of `definitionSubstitutions` keys: letters, digits and underscores (what Step Functions
 * accepts in `${...}`), unique even when two keys differ only in punctuation.
 */
export function createPlaceholderNamer(prefix: string): (key: string) => string {
  const byKey = new Map<string, string>();
  const taken = new Set<string>();
  return (key) => {
    const known = byKey.get(key);
    if (known) return known;
    const base = `${prefix}_${key.replace(/[^A-Za-z0-9]/g, '_')}`;
    let name = base;
    for (let i = 2; taken.has(name); i++) name = `${base}_${i}`;
    byKey.set(key, name);
    taken.add(name);
    return name;
  };
}
