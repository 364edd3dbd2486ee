import { evaluateExpression, type ExpressionContext } from '../expressions/evaluate-expression.js';
import { isJsonEqual } from './is-json-equal.js';
import type { ComparisonOperator, Condition } from './parse-condition.js';

const NUMERIC = /^\s*-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

/**
 * Both sides as numbers when one is a number and the other a number or a numeric string:
 * headers, query and path values always arrive as strings (`$response.header.x-count == 3`).
 */
function asNumbers(a: unknown, b: unknown): [number, number] | undefined {
  const toNumber = (v: unknown): number | undefined =>
    typeof v === 'number' ? v : typeof v === 'string' && NUMERIC.test(v) ? Number(v) : undefined;
  if (typeof a !== 'number' && typeof b !== 'number') return undefined;
  const x = toNumber(a);
  const y = toNumber(b);
  return x === undefined || y === undefined ? undefined : [x, y];
}

function bothNumericStrings(a: unknown, b: unknown): [number, number] | undefined {
  return typeof a === 'string' && typeof b === 'string' && NUMERIC.test(a) && NUMERIC.test(b) ? [Number(a), Number(b)] : undefined;
}

// Arazzo 1.0.1 § "Criterion Object" › Operators: "String comparisons MUST be case insensitive."
const fold = (s: string): string => s.toLowerCase();

function looselyEqual(a: unknown, b: unknown): boolean {
  // An absent value equals null and nothing else: the spec's own examples test presence with `!= null`
  // (`$response.body#/redirectAuthToken != null` in bnpl), as JavaScript's `undefined == null`.
  if (a === undefined || b === undefined) return (a ?? null) === null && (b ?? null) === null;
  if (a === null || b === null) return a === b;
  const numbers = asNumbers(a, b);
  if (numbers) return numbers[0] === numbers[1];
  if (typeof a === 'string' && typeof b === 'string') return fold(a) === fold(b);
  // "Loose comparisons" (spec): a header "true" equals the literal true.
  if (typeof a === 'boolean' && typeof b === 'string') return fold(b) === String(a);
  if (typeof a === 'string' && typeof b === 'boolean') return fold(a) === String(b);
  return isJsonEqual(a, b);
}

/**
 * Negative, zero or positive; undefined when the values have no order (mixed types, absent).
 * Arazzo 1.1 § Simple Conditions: "Numeric strings SHOULD be coerced to numbers when compared
 * with numeric operators", so two numeric strings order as numbers (a header "10" is above "9");
 * 1.0.1's "loose comparisons" allow the same. Equality stays textual (case-insensitive) between
 * two strings: `==` is not only a numeric operator.
 */
function order(a: unknown, b: unknown): number | undefined {
  const numbers = asNumbers(a, b) ?? bothNumericStrings(a, b);
  if (numbers) return numbers[0] - numbers[1];
  if (typeof a === 'string' && typeof b === 'string') {
    const x = fold(a);
    const y = fold(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return undefined;
}

/** A `simple` comparison of two values, as a condition evaluates it (loose, case-insensitive strings). */
export function compare(operator: ComparisonOperator, a: unknown, b: unknown): boolean {
  switch (operator) {
    case '==':
      return looselyEqual(a, b);
    case '!=':
      return !looselyEqual(a, b);
    default: {
      const o = order(a, b);
      if (o === undefined || Number.isNaN(o)) return false;
      return operator === '<' ? o < 0 : operator === '<=' ? o <= 0 : operator === '>' ? o > 0 : o >= 0;
    }
  }
}

/**
 * Truth of an operand used as a boolean. Strings "false" and "" are false because header and
 * query values carry booleans as text.
 */
export function isTruthy(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (value === undefined || value === null) return false;
  if (typeof value === 'number') return value !== 0 && !Number.isNaN(value);
  if (typeof value === 'string') {
    const folded = fold(value.trim());
    return folded !== '' && folded !== 'false';
  }
  return true;
}

function evaluateNode(node: Condition, ctx: ExpressionContext): unknown {
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'expression':
      return evaluateExpression(node.expression, ctx);
    case 'not':
      return !isTruthy(evaluateNode(node.operand, ctx));
    case 'logical': {
      const left = isTruthy(evaluateNode(node.left, ctx));
      if (node.operator === '&&' ? !left : left) return left;
      return isTruthy(evaluateNode(node.right, ctx));
    }
    case 'comparison':
      return compare(node.operator, evaluateNode(node.left, ctx), evaluateNode(node.right, ctx));
  }
}

/** Evaluates a parsed `simple` condition; never throws for absent values. */
export function evaluateCondition(condition: Condition, ctx: ExpressionContext): boolean {
  return isTruthy(evaluateNode(condition, ctx));
}
