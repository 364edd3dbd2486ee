import { embeddedExpressions, listConditionExpressions, parseCondition } from '../../core/criteria/index.js';
import type { CriterionType, ExpressionVersion } from '../../core/plan.js';
import { ExpressionSyntaxError, parseExpression, parseTemplate, type Expression } from '../../core/expressions/index.js';
import { expressionStrings } from '../../core/selectors/is-selector.js';
import { encodePointer } from '../load/parse-yaml-source.js';
import type { ArazzoCriterion, ArazzoDocument } from '../validate/arazzo-schema.js';

/**
 * When an expression is evaluated: `request` while the step's request is built (no response
 * yet), `response` once it has arrived (criteria, step outputs), `workflow` for workflow outputs.
 */
export type Phase = 'request' | 'response' | 'workflow';

/** One string of the document that holds runtime expressions. */
export interface ExpressionSite {
  /** Absent for reusable actions under `components`, which have no workflow of their own. */
  readonly workflowIndex?: number;
  readonly stepIndex?: number;
  readonly pointer: string;
  readonly text: string;
  readonly phase: Phase;
  readonly expressions: readonly Expression[];
}

// Malformed text is skipped here: the planner reports it (ASFN1009, ASFN1013) once.
function parseOr(read: () => Expression[]): Expression[] {
  try {
    return read();
  } catch (error) {
    if (error instanceof ExpressionSyntaxError) return [];
    throw error;
  }
}

// A Selector Object's selector is not a runtime expression: only its context is.
const stringLeaves = expressionStrings;

type Where = Pick<ExpressionSite, 'workflowIndex' | 'stepIndex' | 'phase'>;

function* valueSites(value: unknown, pointer: string, where: Where): Generator<ExpressionSite> {
  for (const [text, p] of stringLeaves(value, pointer)) {
    const expressions = parseOr(() => parseTemplate(text).flatMap((part) => (part.kind === 'expression' ? [part.expression] : [])));
    if (expressions.length) yield { ...where, pointer: p, text, expressions };
  }
}

function* criteriaSites(criteria: readonly ArazzoCriterion[] | undefined, pointer: string, where: Where): Generator<ExpressionSite> {
  for (const [i, c] of (criteria ?? []).entries()) {
    if (c.context !== undefined) {
      const expressions = parseOr(() => [parseExpression(c.context!)]);
      if (expressions.length) yield { ...where, pointer: `${pointer}/${i}/context`, text: c.context, expressions };
    }
    // A simple condition is made of runtime expressions; the others embed them as {$...} (Arazzo 1.1).
    const typed = typeof c.type === 'object' ? (c.type as { type: CriterionType; version?: ExpressionVersion }) : undefined;
    const type = typed ? typed.type : ((c.type as CriterionType | undefined) ?? 'simple');
    const expressions = parseOr(() => (type === 'simple' ? listConditionExpressions(parseCondition(c.condition)) : embeddedExpressions({ type, condition: c.condition, ...(typed?.version ? { version: typed.version } : {}) })));
    if (expressions.length) yield { ...where, pointer: `${pointer}/${i}/condition`, text: c.condition, expressions };
  }
}

function* actionSites(actions: readonly object[] | undefined, pointer: string, where: Where): Generator<ExpressionSite> {
  for (const [i, action] of (actions ?? []).entries()) {
    // A reusable action's criteria live under components and are visited there.
    if ('reference' in action) continue;
    yield* criteriaSites((action as { criteria?: ArazzoCriterion[] }).criteria, `${pointer}/${i}/criteria`, where);
  }
}

function* parameterSites(parameters: readonly object[] | undefined, pointer: string, where: Where): Generator<ExpressionSite> {
  for (const [i, p] of (parameters ?? []).entries()) {
    const value = (p as { value?: unknown }).value;
    if (value !== undefined) yield* valueSites(value, `${pointer}/${i}/value`, where);
  }
}

/** The values of an `x-security` list (Respect's extension): evaluated while the request is built. */
function* securitySites(owner: object, pointer: string, where: Where): Generator<ExpressionSite> {
  const entries = (owner as Record<string, unknown>)['x-security'];
  if (!Array.isArray(entries)) return;
  for (const [i, entry] of entries.entries()) {
    const values = (entry as { values?: unknown } | null)?.values;
    if (values && typeof values === 'object') yield* valueSites(values, `${pointer}/x-security/${i}/values`, where);
  }
}

/** Every string of the document that the runtime evaluates as (or with) runtime expressions. */
export function* expressionSites(document: ArazzoDocument): Generator<ExpressionSite> {
  for (const [w, workflow] of document.workflows.entries()) {
    const wp = `/workflows/${w}`;
    yield* parameterSites(workflow.parameters, `${wp}/parameters`, { workflowIndex: w, phase: 'request' });
    yield* securitySites(workflow, wp, { workflowIndex: w, phase: 'request' });
    for (const [s, step] of workflow.steps.entries()) {
      const sp = `${wp}/steps/${s}`;
      const request: Where = { workflowIndex: w, stepIndex: s, phase: 'request' };
      const response: Where = { workflowIndex: w, stepIndex: s, phase: 'response' };
      yield* parameterSites(step.parameters, `${sp}/parameters`, request);
      yield* securitySites(step, sp, request);
      if (step.requestBody?.payload !== undefined) yield* valueSites(step.requestBody.payload, `${sp}/requestBody/payload`, request);
      for (const [r, replacement] of (step.requestBody?.replacements ?? []).entries()) {
        yield* valueSites(replacement.value, `${sp}/requestBody/replacements/${r}/value`, request);
      }
      yield* criteriaSites(step.successCriteria, `${sp}/successCriteria`, response);
      yield* actionSites(step.onSuccess, `${sp}/onSuccess`, response);
      yield* actionSites(step.onFailure, `${sp}/onFailure`, response);
      for (const [name, expression] of Object.entries(step.outputs ?? {})) yield* valueSites(expression, `${sp}/outputs${encodePointer([name])}`, response);
    }
    yield* actionSites(workflow.successActions, `${wp}/successActions`, { workflowIndex: w, phase: 'response' });
    yield* actionSites(workflow.failureActions, `${wp}/failureActions`, { workflowIndex: w, phase: 'response' });
    for (const [name, expression] of Object.entries(workflow.outputs ?? {})) yield* valueSites(expression, `${wp}/outputs${encodePointer([name])}`, { workflowIndex: w, phase: 'workflow' });
  }
  const components = document.components;
  for (const section of ['successActions', 'failureActions'] as const) {
    for (const [name, action] of Object.entries(components?.[section] ?? {})) {
      yield* criteriaSites(action.criteria, `/components/${section}${encodePointer([name])}/criteria`, { phase: 'response' });
    }
  }
  for (const [name, parameter] of Object.entries(components?.parameters ?? {})) {
    if (parameter.value !== undefined) yield* valueSites(parameter.value, `/components/parameters${encodePointer([name])}/value`, { phase: 'request' });
  }
}
