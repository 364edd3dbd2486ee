import { expressionError } from '../errors.js';
import { checkXPath } from './check-xpath.js';
import { loadedXPathEngine, XmlSyntaxError, type CompiledXPath } from './xpath-engine.js';

const CACHE_LIMIT = 200;
const compiled = new Map<string, CompiledXPath>();
// The criteria of one step usually read the same response body: parse it once.
let lastDocument: { text: string; document: unknown } | undefined;

function kindOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function compile(condition: string, where: string): CompiledXPath {
  let expression = compiled.get(condition);
  if (expression) return expression;
  try {
    expression = loadedXPathEngine()!.compile(condition);
  } catch {
    // The library says only "XPath parse error": the static check says what and where.
    let detail = 'not an XPath 1.0 expression';
    try {
      checkXPath(condition);
    } catch (err) {
      detail = `not an XPath 1.0 expression: ${(err as Error).message}`;
    }
    throw expressionError(`${where}: ${detail}`);
  }
  if (compiled.size >= CACHE_LIMIT) compiled.clear();
  compiled.set(condition, expression);
  return expression;
}

function parse(text: string, where: string): unknown {
  if (lastDocument?.text === text) return lastDocument.document;
  try {
    const document = loadedXPathEngine()!.parseXml(text);
    lastDocument = { text, document };
    return document;
  } catch (err) {
    if (err instanceof XmlSyntaxError) throw expressionError(`${where}: the context is ${err.message}`, { cause: err });
    throw err;
  }
}

/**
 * Whether an XPath 1.0 condition holds on an XML document given as text: true when the result
 * is a non-empty node-set, true, a number other than 0 and NaN, or a non-empty string (XPath's
 * own boolean() conversion). An absent context is false, as for the other criterion types.
 * Prefixes resolve against the namespace declarations in scope at the document element.
 *
 * Errors are Arazzo.Expression and never quote the document, which may hold personal data.
 * `where` names the step and criterion (see describeCriterion).
 */
export function evaluateXPath(condition: string, context: unknown, where: string): boolean {
  if (!loadedXPathEngine()) throw new Error('xpath criteria are evaluated only after prepareCriteria() has loaded the XPath engine');
  if (context === undefined) return false;
  if (typeof context !== 'string') {
    throw expressionError(`${where}: the context is ${kindOf(context)}, not XML text (only a response with a JSON media type is parsed; XML stays text)`);
  }
  const expression = compile(condition, where);
  const document = parse(context, where);
  try {
    return expression.evaluate({ node: document }).booleanValue();
  } catch (err) {
    // Evaluation errors name parts of the expression (an unbound prefix, a function), not of the document.
    const message = (err as Error).message ?? String(err);
    throw expressionError(`${where}: could not be evaluated: ${message.length > 200 ? `${message.slice(0, 197)}...` : message}`);
  }
}
