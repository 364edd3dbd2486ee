import { query, type JsonValue } from 'jsonpath-rfc9535';
import { expressionError } from '../errors.js';
import { evaluateExpression, type ExpressionContext } from '../expressions/evaluate-expression.js';
import type { CriterionPlan } from '../plan.js';
import { isJsonEqual } from './is-json-equal.js';
import { evaluateCondition } from './evaluate-condition.js';
import { evaluateXPath } from './evaluate-xpath.js';
import { parseCondition, type ComparisonOperator, type Condition } from './parse-condition.js';
import { parseJsonPathCondition, type JsonPathCondition, type JsonScalar, type SingularPath } from './parse-jsonpath-condition.js';
import { describeCriterion } from './prepare-criteria.js';
import { compileRegex, type CompiledRegex } from './match-regex.js';

// A warm Lambda evaluates the same few conditions on every call.
const CACHE_LIMIT = 500;
const simpleCache = new Map<string, Condition>();
const jsonPathCache = new Map<string, JsonPathCondition>();
const regexCache = new Map<string, CompiledRegex>();

function cached<T>(cache: Map<string, T>, key: string, make: () => T): T {
  let value = cache.get(key);
  if (value === undefined) {
    value = make();
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(key, value);
  }
  return value;
}

function contextValue(c: CriterionPlan, ctx: ExpressionContext): unknown {
  if (c.context === undefined) throw expressionError(`a ${c.type} criterion needs a context expression`);
  return evaluateExpression(c.context, ctx);
}

/** RFC 9535 §2.3.5.2.2 comparison of one node with a literal: type-strict, case-sensitive. */
function compareNode(operator: ComparisonOperator, node: unknown, literal: JsonScalar): boolean {
  const less = (a: unknown, b: unknown) =>
    (typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string')
      ? a < b
      : false;
  switch (operator) {
    case '==':
      return isJsonEqual(node, literal);
    case '!=':
      return !isJsonEqual(node, literal);
    case '<':
      return less(node, literal);
    case '<=':
      return less(node, literal) || isJsonEqual(node, literal);
    case '>':
      return less(literal, node);
    case '>=':
      return less(literal, node) || isJsonEqual(node, literal);
  }
}

/** The node a singular query selects (RFC 9535 §2.3.1.2, §2.3.3.2: names on objects, indices on arrays), as a nodelist. */
function selectSingular(root: unknown, path: SingularPath): unknown[] {
  let node = root;
  for (const step of path) {
    if (typeof step === 'string') {
      if (node === null || typeof node !== 'object' || Array.isArray(node) || !Object.hasOwn(node, step)) return [];
      node = (node as Record<string, unknown>)[step];
    } else {
      if (!Array.isArray(node)) return [];
      const index = step < 0 ? node.length + step : step;
      if (index < 0 || index >= node.length) return [];
      node = node[index];
    }
  }
  return [node];
}

function evaluateJsonPath(condition: JsonPathCondition, root: unknown): boolean {
  try {
    if (condition.form === 'standard') {
      if (condition.path) return selectSingular(root, condition.path).length > 0;
      if (query(root as JsonValue, condition.executable).length > 0) return true;
      // Arazzo's own examples (`$[?count(@.pets) > 0]` over `$response.body`) and Respect read a
      // root filter with `@` as the context itself; RFC 9535 applies it to the context's members.
      // For an object context both readings count, so a spec-style criterion is not silently false.
      const wrap = /^\$\s*\[\s*\?/.test(condition.executable) && root !== null && typeof root === 'object' && !Array.isArray(root);
      return wrap && query([root] as JsonValue, condition.executable).length > 0;
    }
    // The non-standard form compares one value: zero or several nodes cannot satisfy it.
    const nodes = selectSingular(root, condition.path);
    if (nodes.length !== 1) return false;
    const [node] = nodes;
    return condition.form === 'membership'
      ? condition.values.some((value) => isJsonEqual(node, value))
      : compareNode(condition.operator, node, condition.literal);
  } catch {
    throw expressionError('jsonpath criterion could not be evaluated');
  }
}

function asText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * Whether a criterion holds. Absent values make it false rather than throwing; malformed
 * conditions throw (the compiler rejects them first, see checkCriterion). xpath criteria need
 * prepareCriteria() to have run for their step, as their engine is loaded asynchronously.
 */
export function evaluateCriterion(c: CriterionPlan, ctx: ExpressionContext): boolean {
  switch (c.type) {
    case 'simple':
      return evaluateCondition(cached(simpleCache, c.condition, () => parseCondition(c.condition)), ctx);
    case 'regex': {
      const value = contextValue(c, ctx);
      if (value === undefined) return false;
      return cached(regexCache, c.condition, () => compileRegex(c.condition)).test(asText(value));
    }
    case 'jsonpath': {
      const value = contextValue(c, ctx);
      if (value === undefined) return false;
      return evaluateJsonPath(cached(jsonPathCache, c.condition, () => parseJsonPathCondition(c.condition)), value);
    }
    case 'xpath':
      return evaluateXPath(c.condition, contextValue(c, ctx), describeCriterion(c), c.version);
  }
}
