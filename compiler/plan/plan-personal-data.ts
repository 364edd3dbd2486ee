import type { AnyStepPlan } from '../../core/plan.js';
import type { BoundWorkflow } from './bind-document.js';
import { ANY_WORKFLOW, detectPersonalInputs, PERSONAL_EXTENSION, personalInputPath, personalOutputsOf, personalStepOutput, schemaDeclares } from './detect-personal-data.js';
import { reportAt, type PlanContext } from './plan-context.js';

/**
 * The personal data of a workflow (issue 19 §4): its personal inputs, and its steps with every
 * output that carries personal data added to `sealedOutputs`. Declared in the document (the
 * inputs schema's and steps' `x-arazzo-sfn-personal`) or by configuration (`personalData`).
 */
export function planPersonalData(
  ctx: PlanContext,
  bound: BoundWorkflow,
  inputsSchema: Record<string, any> | undefined,
  credentialInputs: readonly string[],
  steps: readonly AnyStepPlan[],
): { inputs: string[]; steps: AnyStepPlan[] } {
  const { workflow, pointer: wp } = bound;
  // `*` entries apply to every workflow that has such an input (the CLI's --personal without a workflow id).
  const anyWorkflow = (ctx.options.personalData?.[ANY_WORKFLOW] ?? []).filter((e) => {
    const path = personalInputPath(e);
    return path !== undefined && schemaDeclares(inputsSchema, path);
  });
  const configured = [...(ctx.options.personalData?.[workflow.workflowId] ?? []), ...anyWorkflow];
  const detected = detectPersonalInputs(inputsSchema, configured);
  for (const p of detected.problems) {
    const kind = p.severity === 'error' ? 'personalDeclaration' : 'personalUnknown';
    // A configuration problem has no place in the document: it is reported at the workflow.
    reportAt(ctx, p.schemaPointer ? `${wp}/inputs${p.schemaPointer}` : `${wp}/workflowId`, kind, `workflow "${workflow.workflowId}": ${p.message}`, p.severity);
  }
  for (const input of detected.inputs) {
    if (credentialInputs.includes(input.name)) {
      reportAt(
        ctx,
        input.schemaPointer ? `${wp}/inputs${input.schemaPointer}` : `${wp}/workflowId`,
        'personalDeclaration',
        `input "${input.name}" is declared both a credential and personal data: a credential travels as a "secret:<name>" reference, so declare it one or the other`,
      );
    }
  }

  const declared = new Map<string, Set<string>>();
  const add = (stepId: string, name: string) => declared.set(stepId, (declared.get(stepId) ?? new Set()).add(name));
  for (const { step, pointer: sp } of bound.steps) {
    const list = (step as Record<string, unknown>)[PERSONAL_EXTENSION];
    if (list === undefined) continue;
    if (!Array.isArray(list) || list.some((n) => typeof n !== 'string')) {
      reportAt(ctx, `${sp}/${PERSONAL_EXTENSION}`, 'personalDeclaration', `${PERSONAL_EXTENSION} of a step must be a list of its output names`);
      continue;
    }
    list.forEach((name: string, i) => {
      if (!Object.hasOwn(step.outputs ?? {}, name)) {
        reportAt(ctx, `${sp}/${PERSONAL_EXTENSION}/${i}`, 'personalDeclaration', `step "${step.stepId}" declares output "${name}" personal, but has no such output`);
      } else add(step.stepId, name);
    });
  }
  for (const entry of configured) {
    const output = personalStepOutput(entry);
    if (!output) continue;
    const step = workflow.steps.find((s) => s.stepId === output.stepId);
    if (!step || !Object.hasOwn(step.outputs ?? {}, output.name)) {
      reportAt(ctx, `${wp}/workflowId`, 'personalUnknown', `workflow "${workflow.workflowId}": personal data "${entry}" names no output of a step of the workflow`, 'warning');
    } else add(output.stepId, output.name);
  }

  const inputs = detected.inputs.map((i) => i.name);
  if (!inputs.length && !declared.size) return { inputs, steps: [...steps] };
  const personal = personalOutputsOf(steps, inputs, declared);
  return {
    inputs,
    steps: steps.map((s) => {
      const names = [...(personal.get(s.stepId) ?? [])].filter((n) => !s.sealedOutputs.includes(n));
      return names.length ? { ...s, sealedOutputs: [...s.sealedOutputs, ...names] } : s;
    }),
  };
}
