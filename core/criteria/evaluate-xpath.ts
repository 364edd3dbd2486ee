import { expressionError } from '../errors.js';
import { checkXPath } from './check-xpath.js';
import { engineMessage, xmlDocumentOf, xpathSyntaxProblem } from './xml-context.js';
import { loadedXPathEngine, type CompiledXPath } from './xpath-engine.js';
import { loadedXPath31Engine } from './xpath31-engine.js';

const CACHE_LIMIT = 200;
const compiled = new Map<string, CompiledXPath>();
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

/**
 * Whether an XPath condition holds on an XML document given as text (Arazzo 1.1 § XPath
 * Conditions), by the Effective Boolean Value rules of its version: XPath 1.0's boolean()
 * (`xpath-10`: a non-empty node-set, true, a number other than 0 and NaN, a non-empty string), or
 * XPath 3.1's (§2.4.3; the default, and what 3.0 and 2.0 define alike), under which a sequence of
 * several atomic values has no boolean value (FORG0006). An absent context is false, as for the
 * other criterion types. Prefixes resolve against the namespace declarations in scope at the
 * document element.
 *
 * Errors are Arazzo.Expression and never quote the document, which may hold personal data.
 * `where` names the step and criterion (see describeCriterion).
 */
export function evaluateXPath(condition: string, context: unknown, where: string, version = 'xpath-31'): boolean {
  if (version !== 'xpath-10') return evaluateXPath31(condition, context, where);
  if (!loadedXPathEngine()) throw new Error('xpath criteria are evaluated only after prepareCriteria() has loaded the XPath engine');
  if (context === undefined) return false;
  const document = xmlDocumentOf(context, where, loadedXPathEngine()!.parseXml);
  const expression = compile(condition, where);
  try {
    return expression.evaluate({ node: document }).booleanValue();
  } catch (err) {
    throw evaluationError(err, where);
  }
}

// Evaluation errors name parts of the expression (an unbound prefix, a function), not of the document.
function evaluationError(err: unknown, where: string) {
  return expressionError(`${where}: could not be evaluated: ${engineMessage(err)}`);
}

function evaluateXPath31(condition: string, context: unknown, where: string): boolean {
  const engine = loadedXPath31Engine();
  if (!engine) throw new Error('xpath criteria are evaluated only after prepareCriteria() has loaded the XPath engine');
  if (context === undefined) return false;
  const document = xmlDocumentOf(context, where, engine.parseXml);
  try {
    return engine.test(condition, document);
  } catch (err) {
    const syntax = xpathSyntaxProblem(err, condition);
    if (syntax) throw expressionError(`${where}: not an XPath 3.1 expression: ${syntax.message} (at offset ${syntax.offset})`);
    throw evaluationError(err, where);
  }
}
