import { checkXPath } from './check-xpath.js';
import { CriterionNotMet } from './criterion-not-met.js';
import { engineMessage, kindOf, xmlDocumentOf, xpathSyntaxProblem } from './xml-context.js';
import { loadedXPathEngine, XmlSyntaxError, type CompiledXPath } from './xpath-engine.js';
import { loadedXPath31Engine } from './xpath31-engine.js';

const CACHE_LIMIT = 200;
const compiled = new Map<string, CompiledXPath>();
/** `keep`: false for a condition with substituted values (per execution, possibly large), which no cache should hold. */
function compile(condition: string, keep: boolean): CompiledXPath {
  let expression = compiled.get(condition);
  if (expression) return expression;
  try {
    expression = loadedXPathEngine()!.compile(condition);
  } catch {
    // Only substituted values can bring a syntax error the compiler did not report: say where, not what (the text may quote a value).
    let at = '';
    try {
      checkXPath(condition);
    } catch (err) {
      if (typeof (err as { offset?: unknown }).offset === 'number') at = ` (at offset ${(err as { offset: number }).offset} of the condition as evaluated)`;
    }
    throw new CriterionNotMet(`it does not parse as XPath 1.0${at}`);
  }
  if (!keep) return expression;
  if (compiled.size >= CACHE_LIMIT) compiled.clear();
  compiled.set(condition, expression);
  return expression;
}

/**
 * The context's parsed document. A context that is not XML text, or not well-formed, leaves the
 * criterion unmet (Arazzo 1.1 § Evaluation Errors: "Invalid context"), as a JSONPath over a body
 * that holds no matching node is; text past the size or depth an XPath reads is an
 * `Arazzo.Expression` error marked with its bound, which evaluateCriterion reads as not met in a
 * 1.1 document.
 */
function documentOf(context: unknown, where: string, parseXml: (text: string) => unknown): unknown {
  if (typeof context !== 'string') throw new CriterionNotMet(`the context is ${kindOf(context)}, not XML text (only a response with a JSON media type is parsed; XML stays text)`);
  try {
    return xmlDocumentOf(context, where, parseXml);
  } catch (err) {
    const cause = (err as Error).cause;
    if (cause instanceof XmlSyntaxError) throw new CriterionNotMet(`the context is ${cause.message}`);
    throw err;
  }
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
 * A condition that cannot be evaluated (a context that is not XML, a dynamic error such as
 * FORG0006, or a syntax error that only substituted values can bring) throws CriterionNotMet,
 * which the caller reads as "not met"; the size and depth bounds are Arazzo.Expression, marked
 * with the bound (evaluateCriterion reads them as not met in a 1.1 document). Neither
 * quotes the document, which may hold personal data. `where` names the step and criterion (see describeCriterion).
 */
export function evaluateXPath(condition: string, context: unknown, where: string, version = 'xpath-31', cacheable = true): boolean {
  if (version !== 'xpath-10') return evaluateXPath31(condition, context, where);
  if (!loadedXPathEngine()) throw new Error('xpath criteria are evaluated only after prepareCriteria() has loaded the XPath engine');
  if (context === undefined) return false;
  const document = documentOf(context, where, loadedXPathEngine()!.parseXml);
  const expression = compile(condition, cacheable);
  try {
    return expression.evaluate({ node: document }).booleanValue();
  } catch (err) {
    throw notEvaluated(err);
  }
}

// Evaluation errors name parts of the expression (an unbound prefix, a function), not of the document.
const notEvaluated = (err: unknown) => new CriterionNotMet(`it could not be evaluated: ${engineMessage(err)}`);

function evaluateXPath31(condition: string, context: unknown, where: string): boolean {
  const engine = loadedXPath31Engine();
  if (!engine) throw new Error('xpath criteria are evaluated only after prepareCriteria() has loaded the XPath engine');
  if (context === undefined) return false;
  const document = documentOf(context, where, engine.parseXml);
  try {
    return engine.test(condition, document);
  } catch (err) {
    const syntax = xpathSyntaxProblem(err, condition);
    if (syntax) throw new CriterionNotMet(`it does not parse as XPath 3.1 (at offset ${syntax.offset} of the condition as evaluated)`);
    throw notEvaluated(err);
  }
}

