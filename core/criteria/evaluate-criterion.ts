import { query, type JsonValue } from 'jsonpath-rfc9535';
import { ErrorCodes, expressionError, isErrorCode } from '../errors.js';
import { ExpressionSyntaxError } from '../expressions/expression-syntax-error.js';
import { evaluateExpression, type ExpressionContext } from '../expressions/evaluate-expression.js';
import type { CriterionPlan } from '../plan.js';
import { isJsonEqual } from './is-json-equal.js';
import { evaluateCondition } from './evaluate-condition.js';
import { evaluateXPath } from './evaluate-xpath.js';
import { parseCondition, type ComparisonOperator, type Condition } from './parse-condition.js';
import { parseJsonPathCondition, type JsonPathCondition, type JsonScalar, type SingularPath } from './parse-jsonpath-condition.js';
import { describeCriterion } from './prepare-criteria.js';
import { compileRegex, type CompiledRegex } from './match-regex.js';
import { CriterionNotMet } from './criterion-not-met.js';
import { boundOf } from './evaluation-bound.js';
import { interpolateCondition } from './embedded-expressions.js';
import { engineMessage } from './xml-context.js';
import { evaluateGoessnerCondition, isGoessnerFilterCondition } from './goessner-jsonpath.js';

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
  } catch (err) {
    throw new CriterionNotMet(`the JSONPath could not be evaluated: ${engineMessage(err)}`);
  }
}

/**
 * A condition's parse, where a syntax error (possible only once values are substituted: the
 * compiler checks the rest) leaves it unmet. `cache` is left out for a condition with substituted
 * values: they change per execution and may be as large as an input or a response, so a warm
 * Lambda would keep hundreds of them.
 */
function parsed<T>(cache: Map<string, T> | undefined, condition: string, parse: (text: string) => T, what: string): T {
  try {
    return cache ? cached(cache, condition, () => parse(condition)) : parse(condition);
  } catch (err) {
    if (err instanceof ExpressionSyntaxError || err instanceof SyntaxError || isErrorCode(err, ErrorCodes.Expression)) {
      throw new CriterionNotMet(`the condition, as evaluated (embedded values substituted), is not ${what}`);
    }
    throw err;
  }
}

function asText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function evaluate(c: CriterionPlan, ctx: ExpressionContext): boolean {
  switch (c.type) {
    case 'simple':
      return evaluateCondition(cached(simpleCache, c.condition, () => parseCondition(c.condition)), ctx);
    case 'regex': {
      const value = contextValue(c, ctx);
      if (value === undefined) return false;
      const pattern = interpolateCondition(c, ctx);
      return parsed(pattern === c.condition ? regexCache : undefined, pattern, compileRegex, 'a regular expression').test(asText(value));
    }
    case 'jsonpath': {
      const value = contextValue(c, ctx);
      if (value === undefined) return false;
      const condition = interpolateCondition(c, ctx);
      const substituted = condition !== c.condition;
      if (c.version === GOESSNER && isGoessnerFilterCondition(c.condition)) return evaluateGoessnerCondition(condition, value, !substituted);
      return evaluateJsonPath(parsed(substituted ? undefined : jsonPathCache, condition, parseJsonPathCondition, 'a JSONPath'), value);
    }
    case 'xpath': {
      const value = contextValue(c, ctx);
      if (value === undefined) return false;
      const condition = interpolateCondition(c, ctx);
      return evaluateXPath(condition, value, describeCriterion(c), c.version, condition === c.condition);
    }
  }
}

const GOESSNER = 'draft-goessner-dispatch-jsonpath-00';

/**
 * Whether a criterion holds. Absent values make it false rather than throwing. A criterion that
 * cannot be evaluated (Arazzo 1.1 § Evaluation Errors: a body that is not XML, a dynamic XPath
 * error, a condition that no longer parses once its embedded values are in) is not met, and
 * `notes` gets why, for the step's history. A bound this implementation sets (the regex time
 * budget, the XML size or depth an XPath reads) is such an error too where the plan says so
 * (`unmetPastBounds`, Arazzo 1.1 documents): the note names the bound, never the value it stopped
 * on; in a 1.0.x document it stays an `Arazzo.Expression` error. xpath criteria need
 * prepareCriteria() to have run for their step, as their engine is loaded asynchronously.
 */
export function evaluateCriterion(c: CriterionPlan, ctx: ExpressionContext, notes?: string[]): boolean {
  try {
    return evaluate(c, ctx);
  } catch (err) {
    const bound = c.unmetPastBounds ? boundOf(err) : undefined;
    if (bound) {
      notes?.push(`${describeCriterion(c)} is not met: it could not be evaluated within ${bound}, a bound of this implementation`);
      return false;
    }
    if (!(err instanceof CriterionNotMet)) throw err;
    notes?.push(`${describeCriterion(c)} is not met: ${err.message}`);
    return false;
  }
}
