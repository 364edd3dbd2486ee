import type { ActionPlan, CriterionPlan } from '../plan.js';
import { loadRegexEngine } from './match-regex.js';
import { loadXPathEngine } from './xpath-engine.js';

/** The criteria-bearing parts of a step plan (an operation step or a workflow step). */
export interface StepCriteria {
  readonly stepId: string;
  readonly successCriteria: readonly CriterionPlan[];
  readonly onSuccess: readonly ActionPlan[];
  readonly onFailure: readonly ActionPlan[];
}

// Keyed by the plan's own criterion objects, which the evaluator receives unchanged: errors can
// then name the step and the criterion without every caller threading a label through.
const labels = new WeakMap<CriterionPlan, string>();

const shorten = (text: string) => (text.length > 120 ? `${text.slice(0, 117)}...` : text);

/** How messages name a criterion: its step and position when prepareCriteria saw it, its type and condition always. */
export function describeCriterion(c: CriterionPlan): string {
  const what = `${c.type} criterion "${shorten(c.condition)}"`;
  const where = labels.get(c);
  return where ? `${where}, ${what}` : what;
}

/**
 * Readies a step's criteria for the synchronous evaluator: loads the XPath engine when any
 * criterion is an xpath one and the RE2 engine when any is a regex one (the kinds whose
 * libraries are loaded lazily), and records
 * where each criterion sits for error messages. Call it before evaluating; it is cheap to
 * call on every invocation.
 */
export async function prepareCriteria(step: StepCriteria): Promise<void> {
  let xpath = false;
  let regex = false;
  const visit = (criteria: readonly CriterionPlan[], where: string) =>
    criteria.forEach((c, i) => {
      if (!labels.has(c)) labels.set(c, `step ${step.stepId} ${where}[${i}]`);
      xpath ||= c.type === 'xpath';
      regex ||= c.type === 'regex';
    });
  visit(step.successCriteria, 'successCriteria');
  for (const kind of ['onSuccess', 'onFailure'] as const) {
    step[kind].forEach((action, i) => visit(action.criteria, `${kind}${action.name ? ` "${action.name}"` : `[${i}]`} criteria`));
  }
  await Promise.all([xpath ? loadXPathEngine() : undefined, regex ? loadRegexEngine() : undefined]);
}
