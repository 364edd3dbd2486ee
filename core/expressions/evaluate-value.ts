import { expressionError } from '../errors.js';
import { evaluateExpression, type ExpressionContext } from './evaluate-expression.js';
import { formatExpression } from './format-expression.js';
import { isWholeExpression, parseTemplate, type TemplatePart } from './parse-template.js';

const TEMPLATE_LIMIT = 1000;
const templates = new Map<string, TemplatePart[]>();

function parseCached(text: string): TemplatePart[] {
  let parts = templates.get(text);
  if (!parts) {
    parts = parseTemplate(text);
    if (templates.size >= TEMPLATE_LIMIT) templates.clear();
    templates.set(text, parts);
  }
  return parts;
}

function stringify(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Escapes a value substituted into a template for the syntax of the text around it (XML bodies); `before` is the text so far. */
export type SubstitutionEscape = (value: string, before: string) => string;

function evaluateString(text: string, ctx: ExpressionContext, escape?: SubstitutionEscape): unknown {
  if (!text.includes('$')) return text;
  const parts = parseCached(text);
  if (isWholeExpression(parts)) return evaluateExpression(parts[0].expression, ctx);
  let result = '';
  for (const part of parts) {
    if (part.kind === 'text') {
      result += part.text;
      continue;
    }
    const value = evaluateExpression(part.expression, ctx);
    // Text has no way to carry "absent": substituting "" would silently send e.g. "Bearer ".
    // Only the expression is named, never a value, as values may be credentials.
    if (value === undefined) throw expressionError(`${formatExpression(part.expression)} has no value`);
    result += escape ? escape(stringify(value), result) : stringify(value);
  }
  return result;
}

/**
 * Evaluates a value from the Arazzo document: every string leaf is read as a template (see
 * parseTemplate); a leaf that is one whole expression keeps the type of its value and may be
 * undefined. Objects and arrays are rebuilt, other values pass through.
 */
export function evaluateValue(value: unknown, ctx: ExpressionContext, escape?: SubstitutionEscape): unknown {
  if (typeof value === 'string') return evaluateString(value, ctx, escape);
  if (Array.isArray(value)) return value.map((item) => evaluateValue(item, ctx, escape));
  if (value !== null && typeof value === 'object') {
    // fromEntries defines own properties, so a "__proto__" key cannot replace the prototype.
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, evaluateValue(item, ctx, escape)]));
  }
  return value;
}
