import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CompiledWorkflow } from '../../compiler/compile-file.js';
import { isWorkflowStep } from '../../core/plan.js';

/** The metadata key of a state machine version resource: which construct it belongs to and its state shape. */
export const STATE_SHAPE_METADATA = 'arazzo-sfn:state-shape';
/** The name of the alias every deploy moves to the version it publishes; triggers start executions through it. */
export const LIVE_ALIAS = 'live';

/**
 * What a deploy shares between the executions already running (on an older version, with the
 * Lambda versions that version names) and the new ones: what a change to it does to executions
 * in flight. A version keeps its own definition and functions, so only these matter:
 * - `callbacks`: the webhook receiver is one function behind one URL, so the new code settles the
 *   callbacks of every running execution with its own plan of the step (by step id);
 * - `functions`: a function removed from the template is deleted with all its versions, the
 *   ones running executions call included;
 * - `inputs`: a parent workflow's running execution starts this one with the input it was built for;
 * - `states`: informational (running executions keep their version's states).
 */
export interface StateShape {
  readonly states: Readonly<Record<string, string>>;
  readonly callbacks: Readonly<Record<string, string>>;
  readonly functions: readonly string[];
  readonly inputs: string;
}

const digest = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);

/** The hash of what a deploy embeds for this workflow: its definition and its plans. */
export function planHash(workflow: CompiledWorkflow): string {
  return digest({ definition: workflow.definition, plan: workflow.plan });
}

export function stateShape(workflow: CompiledWorkflow, functionKeys: readonly string[]): StateShape {
  const states: Record<string, string> = {};
  collectStates((workflow.definition as { States?: Record<string, { Type?: string }> }).States ?? {}, states);
  const callbacks: Record<string, string> = {};
  for (const step of workflow.plan.steps) if (!isWorkflowStep(step) && step.callback) callbacks[step.stepId] = digest(step);
  return { states: sortKeys(states), callbacks: sortKeys(callbacks), functions: [...functionKeys].sort(), inputs: digest(workflow.plan.inputsSchema) };
}

export function shapeHash(shape: StateShape): string {
  return digest(shape);
}

/** Nested states (Map, Parallel) count with their parents'. */
function collectStates(states: Record<string, { Type?: string; Iterator?: { States?: object }; ItemProcessor?: { States?: object }; Branches?: { States?: object }[] }>, out: Record<string, string>): void {
  for (const [name, state] of Object.entries(states)) {
    out[name] = String(state.Type);
    for (const inner of [state.Iterator, state.ItemProcessor, ...(state.Branches ?? [])]) {
      if (inner?.States) collectStates(inner.States as Parameters<typeof collectStates>[0], out);
    }
  }
}

const sortKeys = <T>(record: Record<string, T>): Record<string, T> => Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));

/**
 * What changed from `before` to `after`, each line saying what it does to executions already
 * running; `breaking` when one of them may fail because of it.
 */
export function shapeChanges(before: StateShape, after: StateShape): { readonly lines: string[]; readonly breaking: boolean } {
  const lines: string[] = [];
  let breaking = false;
  for (const [stepId, hash] of Object.entries(before.callbacks)) {
    if (!(stepId in after.callbacks)) {
      lines.push(`callback step ${stepId} is gone: the webhook receiver rejects the callbacks its running executions still wait for`);
      breaking = true;
    } else if (after.callbacks[stepId] !== hash) {
      lines.push(`callback step ${stepId} changed: the webhook receiver judges the callbacks of running executions with the new step`);
      breaking = true;
    }
  }
  const removed = before.functions.filter((f) => !after.functions.includes(f));
  if (removed.length) {
    lines.push(`function${removed.length > 1 ? 's' : ''} ${removed.join(', ')} removed: deleted with all ${removed.length > 1 ? 'their' : 'its'} versions, which running executions may still call`);
    breaking = true;
  }
  if (before.inputs !== after.inputs) lines.push('the inputs schema changed: running executions of parent workflows start this one with the inputs they were built for');
  const gone = Object.keys(before.states).filter((s) => !(s in after.states));
  const added = Object.keys(after.states).filter((s) => !(s in before.states));
  const retyped = Object.keys(after.states).filter((s) => s in before.states && before.states[s] !== after.states[s]);
  if (gone.length || added.length || retyped.length) {
    const parts = [gone.length ? `removes ${gone.join(', ')}` : '', added.length ? `adds ${added.join(', ')}` : '', retyped.length ? `changes the type of ${retyped.join(', ')}` : ''].filter(Boolean);
    lines.push(`the definition ${parts.join('; ')} (running executions keep their version's states)`);
  }
  return { lines, breaking };
}

/**
 * The state shape the last synth into `outdir` recorded for the construct at `path`, from the
 * stack's template still there (`cdk.out`), or undefined on a first synth.
 */
export function previousShape(outdir: string, templateFile: string, path: string): StateShape | undefined {
  const file = join(outdir, templateFile);
  if (!existsSync(file)) return undefined;
  let template: { Resources?: Record<string, { Type?: string; Metadata?: Record<string, unknown> }> };
  try {
    template = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
  for (const resource of Object.values(template.Resources ?? {})) {
    const recorded = resource.Metadata?.[STATE_SHAPE_METADATA] as { path?: string; shape?: StateShape } | undefined;
    if (resource.Type === 'AWS::StepFunctions::StateMachineVersion' && recorded?.path === path && recorded.shape) return recorded.shape;
  }
  return undefined;
}
