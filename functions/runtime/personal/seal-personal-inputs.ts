import { getAtCredentialPath, setAtCredentialPath, splitCredentialPath } from '../../../core/credential-names.js';
import { invalidInputs } from '../../../core/errors.js';
import { inputsFromEvent } from '../../../core/event-input.js';
import type { WorkflowPlan } from '../../../core/plan.js';
import { isSealed, type Sealer } from '../secrets/index.js';

/** The context personal inputs are sealed under: the workflow's steps all share the deployment's. */
export const sealContextOf = (plan: WorkflowPlan): string => plan.steps[0]?.sealContext ?? 'arazzo-sfn';

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * What every starter does before it starts an execution of a workflow with personal inputs (the
 * CLI's run and demo, the local endpoint's StartExecution, the construct's starter function
 * that EventBridge invokes): the personal values are sealed, so the execution input, and so the
 * history from its first event on, carries only opaque `sealed:` strings. Inputs picked from an
 * EventBridge event are picked first (the event itself must not reach the execution). A value
 * already sealed (a parent workflow hands its own over) is kept; null is kept (it says nothing).
 * An input that is not an object is returned as is: the input check refuses it by name.
 */
export async function sealPersonalInputs(plan: WorkflowPlan, input: unknown, sealer: Sealer): Promise<unknown> {
  const paths = plan.personalInputs ?? [];
  if (!paths.length || !isObject(input)) return input;
  const picked = inputsFromEvent(input);
  if (picked.problems.length) throw invalidInputs(`workflow ${plan.workflowId}: ${picked.problems.join('; ')}`);
  let out: Record<string, unknown> = picked.inputs;
  const context = sealContextOf(plan);
  for (const path of paths) {
    const value = getAtCredentialPath(out, path);
    if (value === undefined || value === null || isSealed(value)) continue;
    out = setAtCredentialPath(out, path, await sealer.seal(JSON.stringify(value), context));
  }
  return out;
}

/**
 * The input check's view of personal inputs: each must arrive sealed (a plaintext one was written
 * to the history by whoever started the execution without a starter, and is refused so it goes no
 * further), and is opened in memory only, to be checked against its schema. Returns the inputs
 * with the personal values opened, and a function that puts the sealed ones back.
 */
export async function openPersonalForCheck(
  plan: WorkflowPlan,
  inputs: Record<string, unknown>,
  sealer: Sealer,
): Promise<{ opened: Record<string, unknown>; reseal: (checked: Record<string, unknown>) => Record<string, unknown> }> {
  const problems: string[] = [];
  let opened = inputs;
  const sealed = new Map<string, string>();
  const context = sealContextOf(plan);
  for (const path of plan.personalInputs ?? []) {
    const value = getAtCredentialPath(inputs, path);
    if (value === undefined || value === null) continue;
    if (!isSealed(value)) {
      problems.push(
        `inputs.${splitCredentialPath(path).join('.')}: is personal data, so the execution input must carry it sealed: start the execution through a starter that seals it (arazzo-sfn run, the local endpoint, the construct's trigger or starter function)`,
      );
      continue;
    }
    sealed.set(path, value);
    opened = setAtCredentialPath(opened, path, JSON.parse(await sealer.unseal(value, context)) as unknown);
  }
  if (problems.length) {
    throw invalidInputs(`workflow ${plan.workflowId}: ${problems.length} problem${problems.length > 1 ? 's' : ''} with the inputs: ${problems.join('; ')}`);
  }
  const reseal = (checked: Record<string, unknown>) => {
    let out = checked;
    for (const [path, value] of sealed) out = setAtCredentialPath(out, path, value);
    return out;
  };
  return { opened, reseal };
}
