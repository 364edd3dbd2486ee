import type { CompileResult, CompiledWorkflow } from '../compiler/compile-file.js';
import { localStateMachineArnFor } from '../compiler/emit/emit-asl.js';
import { LocalWorkflow, type LocalExecution, type LocalRunOptions } from './run-workflow.js';

const keyOf = (workflowId: string, source?: string) => `${source ?? ''}\u0000${workflowId}`;

/**
 * The workflows of one compiled document (and of its arazzo sources) bound to the embedded
 * engine, so that nested executions (workflow steps, `goto` a workflow, `dependsOn`) find the
 * machine they start, as they would find a deployed state machine on AWS.
 */
export class LocalWorkflowSet {
  private readonly byKey = new Map<string, LocalWorkflow>();
  readonly workflows: readonly LocalWorkflow[];

  constructor(result: Pick<CompileResult, 'workflows' | 'external'>) {
    this.workflows = result.workflows.map((w) => this.add(w));
    for (const { source, workflow } of result.external) this.add(workflow, source);
  }

  private add(workflow: CompiledWorkflow, source?: string): LocalWorkflow {
    const local = new LocalWorkflow(workflow, { stateMachineArn: localStateMachineArnFor(workflow.plan.workflowId, source) });
    this.byKey.set(keyOf(workflow.plan.workflowId, source), local);
    return local;
  }

  get(target: { readonly workflowId: string; readonly source?: string }): LocalWorkflow | undefined {
    return this.byKey.get(keyOf(target.workflowId, target.source));
  }

  /** Every compiled workflow, the external ones included: what a run's server URLs must cover. */
  get all(): readonly CompiledWorkflow[] {
    return [...this.byKey.values()].map((w) => w.compiled);
  }

  run(workflowId: string, input: unknown, options: Omit<LocalRunOptions, 'workflows'>): Promise<LocalExecution> {
    const workflow = this.get({ workflowId });
    if (!workflow) throw new Error(`no workflow "${workflowId}" (has: ${this.workflows.map((w) => w.compiled.plan.workflowId).join(', ')})`);
    return workflow.run(input, { ...options, workflows: (target) => this.get(target) });
  }
}
