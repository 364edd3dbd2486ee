/**
 * Runtime expressions embedded in `regex`, `jsonpath` and `xpath` conditions (Arazzo 1.1
 * § Criterion Object, "Runtime Expressions in Conditions"): `{$...}` is evaluated, converted to a
 * string (§ Runtime Expressions: a scalar as its text, a parsed structure as JSON) and substituted
 * before the condition is evaluated.
 *
 * The spec substitutes text into the condition. For a regex that is what its own example means
 * (`'^({$inputs.statusPattern})$'` substitutes a pattern), so a regex value is inserted as it is;
 * the pattern still runs on the linear-time engine or under the time budget (match-regex.ts).
 * For JSONPath and XPath, a value is data, never query syntax, so it stands as a literal of the
 * language: inside a string literal of the condition it is escaped for that literal's quote (the
 * spec's `"{$inputs.expectedStatus}"`, which reads the same for every value without a quote or
 * backslash), outside one it must be a number (`price > {$steps.getPricing.outputs.minPrice}`;
 * a JSONPath may also take `true`, `false`, `null`). Anything else cannot be read as the author
 * meant without letting the value write the path, and the criterion is not met (§ Evaluation
 * Errors), with the reason in the step's history.
 */
import { evaluateExpression, type ExpressionContext } from '../expressions/evaluate-expression.js';
import { ExpressionSyntaxError } from '../expressions/expression-syntax-error.js';
import { formatExpression } from '../expressions/format-expression.js';
import { scanExpression, startsWithExpressionRoot, type Expression } from '../expressions/parse-expression.js';
import type { CriterionPlan } from '../plan.js';
import { CriterionNotMet } from './criterion-not-met.js';

/** How a condition's text quotes literals: JSONPath escapes with `\`, XPath 2.0+ doubles the quote, XPath 1.0 has no escape. */
export type ConditionSyntax = 'regex' | 'jsonpath' | 'xpath-10' | 'xpath-2';

export interface EmbeddedExpression {
  readonly kind: 'expression';
  readonly expression: Expression;
  /** Offsets of `{` and one past `}` in the condition. */
  readonly start: number;
  readonly end: number;
  /** The quote of the string literal the expression sits in, if it sits in one. */
  readonly quote?: '"' | "'";
}

export type ConditionPart = { readonly kind: 'text'; readonly text: string } | EmbeddedExpression;

/** The syntax of a criterion's condition, or undefined for a `simple` one (its runtime expressions are operands). */
export function conditionSyntaxOf(c: Pick<CriterionPlan, 'type' | 'version'>): ConditionSyntax | undefined {
  switch (c.type) {
    case 'simple':
      return undefined;
    case 'regex':
    case 'jsonpath':
      return c.type;
    case 'xpath':
      return c.version === 'xpath-10' ? 'xpath-10' : 'xpath-2';
  }
}

/**
 * Splits a condition into text and `{$...}` expressions, noting for each whether it sits inside a
 * string literal. A `{` escaped in a regex (`\{`) and a `{$` not followed by a runtime expression
 * root (an XPath map constructor over a variable) stay text. Throws ExpressionSyntaxError for a
 * malformed expression after a known root.
 */
export function splitCondition(condition: string, syntax: ConditionSyntax): ConditionPart[] {
  const parts: ConditionPart[] = [];
  let text = '';
  let quote: '"' | "'" | undefined;
  let i = 0;
  while (i < condition.length) {
    const c = condition[i];
    if (syntax === 'xpath-2' && !quote && c === '(' && condition[i + 1] === ':') {
      // An XPath 2.0+ comment (nested ones too): a quote in it opens no literal, so a value after it is not mistaken for one.
      const end = xpathCommentEnd(condition, i);
      text += condition.slice(i, end);
      i = end;
      continue;
    }
    if (c === '{' && startsWithExpressionRoot(condition, i + 1)) {
      const { expression, end } = scanExpression(condition, i + 1, 'braced');
      if (condition[end] !== '}') throw new ExpressionSyntaxError('expected "}" to close the embedded expression', end);
      if (text) parts.push({ kind: 'text', text });
      text = '';
      parts.push({ kind: 'expression', expression, start: i, end: end + 1, ...(quote ? { quote } : {}) });
      i = end + 1;
      continue;
    }
    text += c;
    i++;
    if (c === '\\' && (syntax === 'regex' || (syntax === 'jsonpath' && quote)) && i < condition.length) {
      text += condition[i++];
    } else if (syntax !== 'regex' && (c === '"' || c === "'")) {
      // XPath's doubled quote closes and reopens the literal, which reads the same.
      if (!quote) quote = c;
      else if (quote === c) quote = undefined;
    }
  }
  if (text) parts.push({ kind: 'text', text });
  return parts;
}

/** One past the `:)` closing the XPath comment that opens at `start` (comments nest), or the condition's end. */
function xpathCommentEnd(condition: string, start: number): number {
  let depth = 0;
  for (let i = start; i < condition.length - 1; i++) {
    if (condition[i] === '(' && condition[i + 1] === ':') {
      depth++;
      i++;
    } else if (condition[i] === ':' && condition[i + 1] === ')') {
      depth--;
      i++;
      if (depth === 0) return i + 1;
    }
  }
  return condition.length;
}

const CACHE_LIMIT = 500;
const splits = new Map<string, ConditionPart[]>();

/** splitCondition, cached: a warm Lambda evaluates the same conditions on every call. */
export function conditionParts(condition: string, syntax: ConditionSyntax): ConditionPart[] {
  const key = `${syntax}\u0000${condition}`;
  let parts = splits.get(key);
  if (!parts) {
    parts = condition.includes('{$') ? splitCondition(condition, syntax) : [{ kind: 'text', text: condition }];
    if (splits.size >= CACHE_LIMIT) splits.clear();
    splits.set(key, parts);
  }
  return parts;
}

export const hasEmbeddedExpressions = (parts: readonly ConditionPart[]) => parts.some((p) => p.kind === 'expression');

/** The runtime expressions a condition embeds (for reference checks and for what the step reads). */
export function embeddedExpressions(c: Pick<CriterionPlan, 'type' | 'version' | 'condition'>): Expression[] {
  const syntax = conditionSyntaxOf(c);
  if (!syntax) return [];
  return conditionParts(c.condition, syntax).flatMap((p) => (p.kind === 'expression' ? [p.expression] : []));
}

/**
 * The condition with each expression replaced by a stand-in of the same length that the
 * condition's parser reads as the value would stand there (text in a literal, a number outside,
 * an empty group in a regex), so a compile-time syntax check reports offsets of the condition as written.
 */
export function conditionForSyntaxCheck(parts: readonly ConditionPart[], syntax: ConditionSyntax): string {
  return parts
    .map((p) => {
      if (p.kind === 'text') return p.text;
      const length = p.end - p.start;
      if (p.quote) return 'x'.repeat(length);
      const standIn = syntax === 'regex' ? '(?:)' : syntax === 'jsonpath' ? '0' : '(0)';
      return standIn.padEnd(length, ' ');
    })
    .join('');
}

/**
 * A criterion's condition as its syntax is checked: each embedded `{$...}` replaced by a stand-in
 * of the same length (text inside a string literal, a number outside), so offsets are the
 * condition's. The condition itself when it embeds nothing or its expressions do not parse (checkCriterion reports those).
 */
export function conditionAsChecked(c: Pick<CriterionPlan, 'type' | 'version' | 'condition'>): string {
  const syntax = conditionSyntaxOf(c);
  if (!syntax || !c.condition.includes('{$')) return c.condition;
  try {
    return conditionForSyntaxCheck(splitCondition(c.condition, syntax), syntax);
  } catch (err) {
    if (err instanceof ExpressionSyntaxError) return c.condition;
    throw err;
  }
}

/** JSON's number grammar: the texts read as numbers when they stand outside a literal. */
const NUMBER_TEXT = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;

function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && NUMBER_TEXT.test(value)) return Number(value);
  return undefined;
}

const textOf = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

/** RFC 9535 §2.3.1.1: in a string literal, the backslash, the delimiting quote and the control characters are escaped. */
function jsonPathLiteral(text: string, quote: string): string {
  return text.replace(/[\\\u0000-\u001f"']/g, (c) => {
    if (c === '\\') return '\\\\';
    if (c === '"' || c === "'") return c === quote ? `\\${c}` : c;
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

function substitute(part: EmbeddedExpression, value: unknown, syntax: ConditionSyntax): string {
  const name = formatExpression(part.expression);
  if (syntax === 'regex') return textOf(value);
  if (part.quote) {
    const text = textOf(value);
    if (syntax === 'jsonpath') return jsonPathLiteral(text, part.quote);
    if (syntax === 'xpath-2') return text.replaceAll(part.quote, part.quote + part.quote);
    if (text.includes(part.quote)) {
      throw new CriterionNotMet(`the value of {${name}} holds the quote (${part.quote}) that delimits it, which an XPath 1.0 string literal cannot hold`);
    }
    return text;
  }
  const number = asNumber(value);
  if (syntax === 'jsonpath') {
    if (number !== undefined) return String(number);
    if (typeof value === 'boolean' || value === null) return String(value);
  } else if (number !== undefined) {
    const text = String(number);
    // XPath 1.0's Number has no exponent (§3.7).
    if (syntax === 'xpath-10' && /e/i.test(text)) throw new CriterionNotMet(`the value of {${name}} is a number that XPath 1.0 cannot write without an exponent`);
    return `(${text})`;
  }
  const what = syntax === 'jsonpath' ? 'a number, true, false or null' : 'a number';
  throw new CriterionNotMet(
    `{${name}} stands outside a string literal, where its value must be ${what} (it is ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}); to compare text, put the expression in quotes`,
  );
}

/**
 * The condition as it is evaluated: `condition` itself when it embeds nothing. Throws
 * CriterionNotMet when a value is absent or cannot stand where it is embedded; never quotes a
 * value, which may be personal data or a credential.
 */
export function interpolateCondition(c: CriterionPlan, ctx: ExpressionContext): string {
  const syntax = conditionSyntaxOf(c);
  if (!syntax) return c.condition;
  const parts = conditionParts(c.condition, syntax);
  if (!hasEmbeddedExpressions(parts)) return c.condition;
  let result = '';
  for (const part of parts) {
    if (part.kind === 'text') {
      result += part.text;
      continue;
    }
    const value = evaluateExpression(part.expression, ctx);
    if (value === undefined) throw new CriterionNotMet(`{${formatExpression(part.expression)}} has no value`);
    result += substitute(part, value, syntax);
  }
  return result;
}
