import type { JsonValue, OutputPlan, ReplacementPlan, SelectorPlan } from '../plan.js';

/** The parts of a step plan (an operation step or a workflow step) that may hold Selector Objects. */
export interface SelectorHolder {
  readonly outputs?: Readonly<Record<string, OutputPlan>>;
  readonly workflowOutputs?: Readonly<Record<string, OutputPlan>>;
  readonly parameters?: readonly { readonly selector?: SelectorPlan }[];
  readonly requestBody?: {
    readonly payload: JsonValue;
    readonly selections?: readonly { readonly selector: SelectorPlan }[];
    readonly replacements: readonly ReplacementPlan[];
  };
  readonly inputSelectors?: Readonly<Record<string, SelectorPlan>>;
  /** Actions whose parameters (the inputs of the workflow they run) hold Selector Objects. */
  readonly onSuccess?: readonly { readonly inputSelectors?: Readonly<Record<string, SelectorPlan>> }[];
  readonly onFailure?: readonly { readonly inputSelectors?: Readonly<Record<string, SelectorPlan>> }[];
}

/** Every Selector Object a step evaluates: its outputs', its workflow outputs', its parameters', its payload's and replacements', its child inputs' (its actions' too). */
export function listSelectors(step: SelectorHolder): SelectorPlan[] {
  const outputs = (map?: Readonly<Record<string, OutputPlan>>) => Object.values(map ?? {}).filter((o): o is SelectorPlan => typeof o !== 'string');
  return [
    ...outputs(step.outputs),
    ...outputs(step.workflowOutputs),
    ...(step.parameters ?? []).flatMap((p) => (p.selector ? [p.selector] : [])),
    ...(step.requestBody?.selections ?? []).map((s) => s.selector),
    ...(step.requestBody?.replacements ?? []).flatMap((r) => (r.selector ? [r.selector] : [])),
    ...Object.values(step.inputSelectors ?? {}),
    ...[...(step.onSuccess ?? []), ...(step.onFailure ?? [])].flatMap((a) => Object.values(a.inputSelectors ?? {})),
  ];
}
