import { existsSync } from 'node:fs';
import type { WorkflowPlan } from '../core/plan.js';
import { CompileError, DiagnosticCodes, hasErrors, type Diagnostic } from './diagnostics/index.js';
import { emitAsl, type EmitOptions, type EmittedWorkflow } from './emit/index.js';
import { checkDocumentTree } from './lint/document-tree.js';
import { lintDocument } from './lint/index.js';
import { inInvalidWorkflow, loadArazzo, lockPathOf, type LoadedArazzo, type LoadOptions, type RemoteSourceOptions } from './load/index.js';
import { bindDocument, planDocument, type CompileOptions } from './plan/index.js';
import { validateAsl } from './validate/validate-asl.js';
import { workflowStatuses, type WorkflowStatus } from './workflow-status.js';

export { describeStatus, statusOf, type WorkflowStatus } from './workflow-status.js';

export interface CompiledWorkflow extends EmittedWorkflow {
  readonly plan: WorkflowPlan;
}

export interface CompileResult {
  readonly file: string;
  /** The workflows of the document that compiled (a sibling's errors do not stop them). */
  readonly workflows: readonly CompiledWorkflow[];
  /**
   * Every workflow of the document and of its arazzo sources, in document order: compiled or
   * not, and why not. Errors are scoped per workflow (see workflowStatuses).
   */
  readonly status: readonly WorkflowStatus[];
  /** Workflows of the document's arazzo-typed sources (run by its workflow steps), by source name. */
  readonly external: readonly { readonly source: string; readonly workflow: CompiledWorkflow }[];
  /** Errors and warnings, in document order. */
  readonly diagnostics: readonly Diagnostic[];
  /**
   * Absolute paths of every file the compile read: the document, its arazzo sources, their
   * OpenAPI descriptions and the files their `$ref`s reach. Whatever changes one of them may
   * change the result (the CLI's compile cache checks them).
   */
  readonly inputs: readonly string[];
}

/** The files a loaded document was read from, its arazzo sources' included (and its lock file, when it has remote sources). */
function filesOf(loaded: LoadedArazzo): string[] {
  const lock = lockPathOf(loaded.source.path);
  const remote = loaded.document.sourceDescriptions.some((d) => /^https?:\/\//i.test(d.url)) && existsSync(lock);
  return [loaded.source.path, ...(remote ? [lock] : []), ...[...loaded.openapis.values()].flatMap((o) => o.files), ...[...loaded.arazzos.values()].flatMap(filesOf)];
}

/**
 * Load → validate → plan → emit one Arazzo file. Never throws for problems in the document:
 * they come back as diagnostics (use `compileFileOrThrow` to fail on errors).
 */
export interface CompileFileOptions extends CompileOptions, EmitOptions, LoadOptions, RemoteSourceOptions {
  /**
   * Check each emitted definition with asl-validator. A check of the emitter, not of the
   * document: the test suite runs it on every workflow it compiles, and `run` skips it to start
   * in milliseconds (its first use costs ~200 ms of schema compilation).
   * @default true
   */
  readonly validateAsl?: boolean;
}

export async function compileFile(file: string, options: CompileFileOptions = {}): Promise<CompileResult> {
  const diagnostics: Diagnostic[] = [];
  const { loaded, diagnostics: loadDiagnostics } = await loadArazzo(file, options);
  diagnostics.push(...loadDiagnostics);
  // Schema errors inside one workflow fail that workflow only (workflowStatuses); any other load error fails the document.
  const blocked = !loaded || hasErrors(diagnostics.filter((d) => !inInvalidWorkflow(loaded, d)));
  // A source outside the document's tree is named even when loading failed (it may be why).
  if (loaded && blocked) checkDocumentTree({ loaded }, diagnostics);
  if (!loaded || blocked) return { file, workflows: [], status: [], external: [], diagnostics, inputs: [] };
  const inputs = [...new Set(filesOf(loaded))];

  // Bind every step once; planning and the check stage read the same bindings.
  const bound = bindDocument(loaded, diagnostics);
  // The workflows of arazzo-typed sources are compiled too: a workflow step may start any of them.
  const sources = [...loaded.arazzos].map(([source, other]) => ({ source, bound: bindDocument(other, diagnostics) }));
  const plans = planDocument(bound, options, diagnostics);
  const externalPlans = sources.flatMap(({ source, bound: other }) => planDocument(other, options, diagnostics).map((plan) => ({ source, plan })));
  lintDocument(bound, sources.map((s) => s.bound), diagnostics);
  const status = workflowStatuses(bound, sources, diagnostics);
  const compiles = (workflowId: string, source?: string) => status.some((s) => s.compiled && s.workflowId === workflowId && s.source === source);

  const emit = (plan: WorkflowPlan): CompiledWorkflow => {
    const emitted = emitAsl(plan, options);
    // With the ARN check off, asl-validator rejects a `${...}` placeholder Resource (it then matches two oneOf branches).
    const problems = options.validateAsl === false ? [] : validateAsl(emitted.definition, { checkArn: true });
    if (problems.length) {
      // The emitter produced invalid ASL: a compiler bug, reported against the workflow.
      const { code, rule } = DiagnosticCodes.unsupported;
      diagnostics.push({ code, rule, severity: 'error', message: `internal: emitted ASL for ${plan.workflowId} is invalid: ${problems.join('; ')}`, file: plan.sourceFile, line: 1, col: 1, pointer: '' });
    }
    return { plan, ...emitted };
  };
  const workflows = plans.filter((plan) => compiles(plan.workflowId)).map(emit);
  const external = externalPlans.filter(({ source, plan }) => compiles(plan.workflowId, source)).map(({ source, plan }) => ({ source, workflow: emit(plan) }));
  // An emitter bug is no document's fault: it fails the whole compile.
  const failed = diagnostics.some((d) => d.severity === 'error' && d.pointer === '' && d.message.startsWith('internal: '));
  return {
    file,
    workflows: failed ? [] : workflows,
    status: failed ? status.map((s) => ({ ...s, compiled: false, reason: 'document' as const })) : status,
    external: failed ? [] : external,
    diagnostics: sortDiagnostics(diagnostics),
    inputs,
  };
}

export async function compileFileOrThrow(file: string, options: CompileFileOptions = {}): Promise<CompileResult> {
  const result = await compileFile(file, options);
  if (hasErrors(result.diagnostics)) throw new CompileError(result.diagnostics);
  return result;
}

function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col);
}
