import { listCriterionExpressions } from '../../core/criteria/list-criterion-expressions.js';
import type { Expression } from '../../core/expressions/parse-expression.js';
import { parseTemplate } from '../../core/expressions/parse-template.js';
import type { StepPlan } from '../../core/plan.js';
import { expressionStrings } from '../../core/selectors/is-selector.js';
import { listSelectors } from '../../core/selectors/list-selectors.js';

/** The inputs and earlier outputs a step's expressions read: the only sealed values it needs opened. */
export interface StepReads {
  /** Execution inputs, read as `$inputs.<name>` or `$workflows.<id>.inputs.<name>`. */
  readonly inputs: ReadonlySet<string>;
  /** Step id → output names. */
  readonly stepOutputs: ReadonlyMap<string, ReadonlySet<string>>;
  /** `dependsOn` workflow id → output names. */
  readonly workflowOutputs: ReadonlyMap<string, ReadonlySet<string>>;
}

const cache = new WeakMap<StepPlan, StepReads | null>();

// A Selector Object's selector is not a runtime expression: only its context is.
function* strings(value: unknown): Generator<string> {
  for (const [text] of expressionStrings(value)) yield text;
}

/**
 * Everything a step evaluates with the execution's values: its parameters, request body and
 * replacements, its `x-security` values, the criteria of its success and of its actions, and its outputs. (Workflow
 * outputs read the stored values, never opened ones.) Undefined when an expression cannot be
 * parsed: the caller then opens everything, as it did before it knew what a step reads.
 */
export function stepReads(plan: StepPlan): StepReads | undefined {
  const known = cache.get(plan);
  if (known !== undefined) return known ?? undefined;
  let reads: StepReads | null;
  try {
    const expressions: Expression[] = [];
    const values = [
      ...listSelectors(plan).map((s) => s.context),
      ...plan.parameters.map((p) => p.value),
      plan.requestBody?.payload,
      ...(plan.requestBody?.replacements ?? []).map((r) => r.value),
      ...Object.values(plan.outputs),
      ...(plan.auth ?? []).map((a) => a.values),
    ];
    for (const text of strings(values)) {
      for (const part of parseTemplate(text)) if (part.kind === 'expression') expressions.push(part.expression);
    }
    for (const c of [...plan.successCriteria, ...plan.onSuccess.flatMap((a) => a.criteria), ...plan.onFailure.flatMap((a) => a.criteria)]) {
      expressions.push(...listCriterionExpressions(c));
    }
    const inputs = new Set<string>();
    const stepOutputs = new Map<string, Set<string>>();
    const workflowOutputs = new Map<string, Set<string>>();
    const add = (map: Map<string, Set<string>>, id: string, name: string) => {
      if (!map.has(id)) map.set(id, new Set());
      map.get(id)!.add(name);
    };
    for (const e of expressions) {
      if (e.kind === 'inputs' || e.kind === 'workflowInput') inputs.add(e.name);
      else if (e.kind === 'stepOutput') add(stepOutputs, e.stepId, e.name);
      else if (e.kind === 'workflowOutput') add(workflowOutputs, e.workflowId, e.name);
    }
    reads = { inputs, stepOutputs, workflowOutputs };
  } catch {
    reads = null;
  }
  cache.set(plan, reads);
  return reads ?? undefined;
}
