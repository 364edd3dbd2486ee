import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { compileFile, hasErrors, type CompileResult, type CompiledWorkflow } from '../../compiler/index.js';
import { isWorkflowStep, type StepPlan, type WorkflowPlan } from '../../core/plan.js';
import { LocalWorkflow } from '../run-workflow.js';
import { stateMachineArn, type ArnScope } from './arns.js';
import type { CompileOptions } from '../../compiler/plan/compile-options.js';

/** What the catalog compiles with besides its ARNs: request signing and personal data by configuration, 429 handling. */
export type CatalogCompileOptions = Pick<CompileOptions, 'signing' | 'personalData' | 'throttle'>;

/** A machine's name for a compiled workflow: its id, prefixed by the arazzo source it came from (as the compiler's local ARNs are). */
// A state machine name allows letters, digits, - and _ (a workflowId that breaks Arazzo's SHOULD pattern is sanitised).
export const machineNameFor = (workflowId: string, source?: string) => `${source ? `${source}-` : ''}${workflowId}`.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 80);

/** JSON with sorted keys: two definitions are the same machine whatever their key order or spacing. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

/**
 * The workflows of one compiled document (and of its arazzo sources): a nested execution
 * started by one of them runs the machine registered for its target.
 */
export class DocumentGroup {
  private readonly byKey = new Map<string, CatalogEntry>();
  constructor(readonly file: string) {}

  add(entry: CatalogEntry, source?: string): void {
    this.byKey.set(`${source ?? ''}\u0000${entry.compiled.plan.workflowId}`, entry);
  }

  get(target: { readonly workflowId: string; readonly source?: string }): LocalWorkflow | undefined {
    return this.byKey.get(`${target.source ?? ''}\u0000${target.workflowId}`)?.workflow;
  }

  get plans(): WorkflowPlan[] {
    return [...this.byKey.values()].map((e) => e.compiled.plan);
  }
}

export interface CatalogEntry {
  readonly name: string;
  readonly arn: string;
  readonly compiled: CompiledWorkflow;
  readonly group: DocumentGroup;
  /** The LocalWorkflow bound to this machine's ARN. */
  readonly workflow: LocalWorkflow;
  /** The definition as DescribeStateMachine shows it. */
  readonly definitionText: string;
}

/** A Lambda function the endpoint runs in-process: the operation steps it serves, or the workflow function of one workflow. */
export interface LocalFunction {
  readonly arn: string;
  readonly workflowPlan?: WorkflowPlan;
  /** Step plans by step id; more than one when two workflows share an operation and a step id. */
  readonly steps: Map<string, StepPlan[]>;
}

export interface CatalogProblem {
  readonly file: string;
  readonly message: string;
}

/**
 * The compiled workflows the endpoint pre-registers (one state machine per workflow id), the
 * definitions they compile to (a CreateStateMachine with one of them runs as that workflow),
 * and the Lambda functions their Tasks call (what an arbitrary definition may call).
 */
export class WorkflowCatalog {
  readonly entries: CatalogEntry[] = [];
  readonly problems: CatalogProblem[] = [];
  readonly functions = new Map<string, LocalFunction>();
  private readonly byCanonical = new Map<string, CatalogEntry>();

  private constructor(readonly scope: ArnScope) {}

  /** Compiles every `*.arazzo.yaml?` in `dir` (sorted); a document that does not compile is reported and left out. */
  static async fromDirectory(dir: string, scope: ArnScope, options: CatalogCompileOptions = {}): Promise<WorkflowCatalog> {
    let files: string[] = [];
    try {
      files = (await readdir(dir)).filter((f) => /\.arazzo\.ya?ml$/.test(f)).sort().map((f) => join(dir, f));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    return WorkflowCatalog.fromFiles(files, scope, options);
  }

  static async fromFiles(files: readonly string[], scope: ArnScope, options: CatalogCompileOptions = {}): Promise<WorkflowCatalog> {
    const catalog = new WorkflowCatalog(scope);
    for (const file of files) {
      // Nested machines are addressed by the endpoint's ARNs, so histories name real machines.
      const result = await compileFile(file, { ...options, stateMachineArnFor: (workflowId, source) => stateMachineArn(scope, machineNameFor(workflowId, source)) });
      if (hasErrors(result.diagnostics)) {
        const errors = result.diagnostics.filter((d) => d.severity === 'error');
        const failed = result.status.filter((s) => !s.compiled).map((s) => s.workflowId);
        catalog.problems.push({
          file,
          message: `${errors.length} compile error(s), first: ${errors[0].code} ${errors[0].message} (line ${errors[0].line})${failed.length ? `; left out: ${failed.join(', ')}` : ''}`,
        });
      }
      // Errors are scoped per workflow: the workflows that compiled are registered.
      if (result.workflows.length) catalog.addDocument(file, result);
    }
    return catalog;
  }

  private addDocument(file: string, result: CompileResult): void {
    const group = new DocumentGroup(file);
    const add = (compiled: CompiledWorkflow, source?: string) => {
      const name = machineNameFor(compiled.plan.workflowId, source);
      const arn = stateMachineArn(this.scope, name);
      const taken = this.entries.find((e) => e.name === name);
      if (taken) {
        this.problems.push({ file, message: `state machine ${name} is already registered from ${relative(process.cwd(), taken.group.file)}; this one is left out` });
        // Nested executions of this document still find a workflow: the one registered under the name.
        group.add(taken, source);
        return;
      }
      const entry: CatalogEntry = { name, arn, compiled, group, workflow: new LocalWorkflow(compiled, { stateMachineArn: arn }), definitionText: JSON.stringify(compiled.definition, null, 2) };
      this.entries.push(entry);
      this.byCanonical.set(canonicalJson(compiled.definition), entry);
      group.add(entry, source);
      this.addFunctions(compiled);
    };
    for (const compiled of result.workflows) add(compiled);
    for (const { source, workflow } of result.external) add(workflow, source);
  }

  private addFunctions(compiled: CompiledWorkflow): void {
    const steps = new Map(compiled.plan.steps.map((s) => [s.stepId, s]));
    for (const [stateName, binding] of Object.entries(compiled.tasks)) {
      const resource = compiled.definition.States[stateName]?.Resource;
      // Service integrations (callbacks, nested executions) are not functions a definition can name by ARN.
      if (binding.kind === 'startExecution' || binding.waitsForCallback || typeof resource !== 'string' || !resource.startsWith('arn:aws:lambda:')) continue;
      const fn: { arn: string; workflowPlan?: WorkflowPlan; steps: Map<string, StepPlan[]> } = this.functions.get(resource) ?? { arn: resource, steps: new Map() };
      this.functions.set(resource, fn);
      const step = binding.stepId ? steps.get(binding.stepId) : undefined;
      if (step && !isWorkflowStep(step)) fn.steps.set(step.stepId, [...(fn.steps.get(step.stepId) ?? []), step]);
      // The same workflow id in two documents: the first registered serves the function, as it serves the machine.
      else fn.workflowPlan ??= compiled.plan;
    }
  }

  byName(name: string): CatalogEntry | undefined {
    return this.entries.find((e) => e.name === name);
  }

  /** The compiled workflow a definition is (same JSON, key order aside). */
  forDefinition(definition: unknown): CatalogEntry | undefined {
    return this.byCanonical.get(canonicalJson(definition));
  }
}
