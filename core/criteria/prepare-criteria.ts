import type { ActionPlan, CriterionPlan, ExpressionVersion } from '../plan.js';
import { listSelectors, type SelectorHolder } from '../selectors/list-selectors.js';
import { loadRegexEngine } from './match-regex.js';
import { loadXPathEngine } from './xpath-engine.js';
import { loadXPath31Engine } from './xpath31-engine.js';

/** The criteria-bearing parts of a step plan (an operation step or a workflow step), and the values that may hold Selector Objects. */
export interface StepCriteria extends SelectorHolder {
  readonly stepId: string;
  readonly successCriteria: readonly CriterionPlan[];
  readonly onSuccess: readonly ActionPlan[];
  readonly onFailure: readonly ActionPlan[];
}

/** The XPath versions a step's Selector Objects and replacement targets use. */
function selectorXPathVersions(step: StepCriteria, found: Set<ExpressionVersion>): void {
  for (const s of listSelectors(step)) if (s.type.type === 'xpath') found.add(s.type.version);
  for (const r of step.requestBody?.replacements ?? []) {
    // An XPath target is written through the 3.1 engine, whatever its version (see applyReplacement).
    if (r.targetType?.type === 'xpath' || (r.targetType === undefined && typeof step.requestBody?.payload === 'string')) found.add('xpath-31');
  }
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
 * The XPath versions a step evaluates (its criteria, Selector Objects and replacement targets):
 * which lazily loaded XML libraries its bundle must carry (`xpath-10`: xpath, any other: fontoxpath; both: @xmldom/xmldom).
 */
export function xpathVersionsOf(step: StepCriteria): Set<ExpressionVersion> {
  const found = new Set<ExpressionVersion>();
  for (const c of [...step.successCriteria, ...step.onSuccess.flatMap((a) => a.criteria), ...step.onFailure.flatMap((a) => a.criteria)]) {
    if (c.type === 'xpath') found.add(c.version ?? 'xpath-31');
  }
  selectorXPathVersions(step, found);
  return found;
}

/**
 * Readies a step's criteria and Selector Objects for the synchronous evaluators: loads the XPath
 * engines its xpath criteria and selectors use (XPath 1.0 for `xpath-10`, XPath 3.1 otherwise)
 * and the RE2 engine when any criterion is a regex one (the kinds whose libraries are loaded
 * lazily), and records where each criterion sits for error messages. Call it before
 * evaluating; it is cheap to call on every invocation.
 */
export async function prepareCriteria(step: StepCriteria): Promise<void> {
  let regex = false;
  const visit = (criteria: readonly CriterionPlan[], where: string) =>
    criteria.forEach((c, i) => {
      if (!labels.has(c)) labels.set(c, `step ${step.stepId} ${where}[${i}]`);
      regex ||= c.type === 'regex';
    });
  visit(step.successCriteria, 'successCriteria');
  for (const kind of ['onSuccess', 'onFailure'] as const) {
    step[kind].forEach((action, i) => visit(action.criteria, `${kind}${action.name ? ` "${action.name}"` : `[${i}]`} criteria`));
  }
  const xpath = xpathVersionsOf(step);
  const needs10 = xpath.has('xpath-10');
  const needs31 = [...xpath].some((v) => v !== 'xpath-10');
  await Promise.all([needs10 ? loadXPathEngine() : undefined, needs31 ? loadXPath31Engine() : undefined, regex ? loadRegexEngine() : undefined]);
}
