/**
 * Which HTTP statuses a step's criteria can accept, decided at compile time so that the runtime
 * knows, per step, which provider-fault statuses (5xx, 429) the workflow handles itself and
 * which the Task's `Retry` may take (Arazzo: success is what successCriteria say).
 *
 * Each criterion is evaluated once per status with three-valued logic: `$statusCode` is the
 * status, a comparison of it with a literal is true or false, and every other operand
 * (`$response.body#/...`, headers, inputs) is unknown. A status is admitted unless some
 * criterion is false for it whatever the unknown operands hold.
 */
import type { ActionPlan, CriterionPlan, StatusRange } from '../plan.js';
import type { Expression } from '../expressions/parse-expression.js';
import { parseExpression } from '../expressions/parse-expression.js';
import { compare, isTruthy } from './evaluate-condition.js';
import { parseCondition, type Condition } from './parse-condition.js';

/** The statuses a provider-fault retry may take when a step does not handle them: 429 and every 5xx. */
export const FAULT_STATUSES: readonly number[] = [429, ...Array.from({ length: 100 }, (_, i) => 500 + i)];

const UNKNOWN = Symbol('unknown');
type Verdict = boolean | typeof UNKNOWN;
type Operand = { readonly known: true; readonly value: unknown } | { readonly known: false };

const isStatus = (e: Expression) => e.kind === 'statusCode';

function operand(node: Condition, status: number): Operand {
  if (node.kind === 'literal') return { known: true, value: node.value };
  if (node.kind === 'expression' && isStatus(node.expression)) return { known: true, value: status };
  const verdict = judge(node, status);
  return verdict === UNKNOWN ? { known: false } : { known: true, value: verdict };
}

function judge(node: Condition, status: number): Verdict {
  switch (node.kind) {
    case 'literal':
      return isTruthy(node.value);
    case 'expression':
      return isStatus(node.expression) ? isTruthy(status) : UNKNOWN;
    case 'not': {
      const v = judge(node.operand, status);
      return v === UNKNOWN ? UNKNOWN : !v;
    }
    case 'logical': {
      const left = judge(node.left, status);
      const right = judge(node.right, status);
      if (node.operator === '&&') return left === false || right === false ? false : left === true && right === true ? true : UNKNOWN;
      return left === true || right === true ? true : left === false && right === false ? false : UNKNOWN;
    }
    case 'comparison': {
      const a = operand(node.left, status);
      const b = operand(node.right, status);
      return a.known && b.known ? compare(node.operator, a.value, b.value) : UNKNOWN;
    }
  }
}

/** Whether a criterion reads `$statusCode` (a simple condition naming it, or a regex on it). */
function readsStatus(c: CriterionPlan): boolean {
  if (c.type === 'regex') return c.context?.trim() === '$statusCode';
  if (c.type !== 'simple') return false;
  return /\$statusCode\b/.test(c.condition);
}

/** A criterion's verdict as a function of the status, parsed once (it is asked for each of 101 statuses). */
function judgeOf(c: CriterionPlan): (status: number) => Verdict {
  if (c.type === 'simple') {
    let condition: Condition;
    try {
      condition = parseCondition(c.condition);
    } catch {
      return () => UNKNOWN; // a malformed condition is the compiler's to report
    }
    return (status) => judge(condition, status);
  }
  if (c.type === 'regex' && c.context !== undefined) {
    try {
      if (isStatus(parseExpression(c.context.trim()))) {
        const pattern = new RegExp(c.condition);
        return (status) => pattern.test(String(status));
      }
    } catch {
      return () => UNKNOWN;
    }
  }
  return () => UNKNOWN;
}

/** Whether every criterion can hold for a status (no criterion is false for it whatever the rest holds). */
function admits(criteria: readonly CriterionPlan[]): (status: number) => boolean {
  const judges = criteria.map(judgeOf);
  return (status) => judges.every((j) => j(status) !== false);
}

/** Whether every criterion can hold for `status` (no criterion is false for it whatever the rest holds). */
export function criteriaAdmit(criteria: readonly CriterionPlan[], status: number): boolean {
  return admits(criteria)(status);
}

/** Whether the criteria name the status: they admit it and at least one of them reads `$statusCode`. */
export function criteriaName(criteria: readonly CriterionPlan[], status: number): boolean {
  return criteria.some(readsStatus) && criteriaAdmit(criteria, status);
}

/** Sorted statuses as inclusive ranges: `[429, 500, 501, 502]` → `[[429, 429], [500, 502]]`. */
export function toStatusRanges(statuses: readonly number[]): StatusRange[] {
  const ranges: [number, number][] = [];
  for (const s of [...statuses].sort((a, b) => a - b)) {
    const last = ranges[ranges.length - 1];
    if (last && s === last[1] + 1) last[1] = s;
    else ranges.push([s, s]);
  }
  return ranges;
}

export function inStatusRanges(ranges: readonly StatusRange[] | undefined, status: number): boolean {
  return (ranges ?? []).some(([from, to]) => status >= from && status <= to);
}

/**
 * The provider-fault statuses (5xx, 429) a step handles itself: those its successCriteria name
 * (`$statusCode == 503`, `$statusCode >= 500`), and those one of its onFailure actions (its own
 * or the workflow's) could match; an action without a `$statusCode` criterion matches them all.
 * The Task's provider-fault `Retry` takes only the others.
 */
export function handledFaultStatuses(successCriteria: readonly CriterionPlan[], onFailure: readonly ActionPlan[]): StatusRange[] {
  // The common cases without evaluating anything: nothing could handle a fault, or an action takes every failure.
  if (!onFailure.length && !successCriteria.some(readsStatus)) return [];
  if (onFailure.some((a) => a.criteria.length === 0)) return toStatusRanges(FAULT_STATUSES);
  const named = successCriteria.some(readsStatus) ? admits(successCriteria) : () => false;
  const matched = onFailure.map((a) => admits(a.criteria));
  return toStatusRanges(FAULT_STATUSES.filter((s) => named(s) || matched.some((m) => m(s))));
}
