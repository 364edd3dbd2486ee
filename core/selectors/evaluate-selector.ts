import { expressionError } from '../errors.js';
import { evaluateExpression, type ExpressionContext } from '../expressions/evaluate-expression.js';
import { engineMessage, kindOf, xmlDocumentOf } from '../criteria/xml-context.js';
import { goessnerQuery } from '../criteria/goessner-jsonpath.js';
import { loadedXPathEngine } from '../criteria/xpath-engine.js';
import { loadedXPath31Engine } from '../criteria/xpath31-engine.js';
import type { SelectorPlan } from '../plan.js';
import { selectJsonPath } from './select-json-path.js';
import { selectJsonPointer } from './select-json-pointer.js';

const shorten = (text: string) => (text.length > 120 ? `${text.slice(0, 117)}...` : text);

/** The XPath engine of a version: XPath 1.0 for `xpath-10`, XPath 3.1 (which reads 2.0 and 3.0) for the others. */
export function xpathEngineFor(version: string) {
  const engine = version === 'xpath-10' ? loadedXPathEngine() : loadedXPath31Engine();
  if (!engine) throw new Error('an xpath selector is evaluated only after prepareCriteria() has loaded its XPath engine');
  return engine;
}

function structured(context: unknown, where: string): unknown {
  if (context !== null && typeof context === 'object') return context;
  throw expressionError(`${where}: the context is ${kindOf(context)}, not JSON data (a response body is parsed only when its media type is JSON)`);
}

/**
 * The value a Selector Object designates (Arazzo 1.1 § Selector Object), or undefined when its
 * context or the selected data is absent; the caller decides whether absence is an error, as for
 * a runtime expression. JSONPath: see selectJsonPath. XPath: nodes as their string values; no
 * item is absent, one item is its value, several are a list. Errors are Arazzo.Expression and
 * name the selector, never the data.
 */
export function evaluateSelector(selector: SelectorPlan, ctx: ExpressionContext, where = 'selector'): unknown {
  const context = evaluateExpression(selector.context, ctx);
  if (context === undefined || context === null) return undefined;
  const { type, version } = selector.type;
  const what = `${where}: ${type} selector "${shorten(selector.selector)}"`;
  try {
    switch (type) {
      case 'jsonpointer':
        return selectJsonPointer(selector.selector, structured(context, what));
      case 'jsonpath':
        // The planner keeps the Goessner version only for a selector with filters `?(...)` (a filter query selects a list).
        if (version === 'draft-goessner-dispatch-jsonpath-00') return goessnerQuery(selector.selector, structured(context, what));
        if (version !== 'rfc9535') throw expressionError(`${what}: JSONPath version ${version} is not evaluated`);
        return selectJsonPath(selector.selector, structured(context, what));
      case 'xpath': {
        const engine = xpathEngineFor(version);
        const items = engine.select(selector.selector, xmlDocumentOf(context, what, engine.parseXml));
        return items.length === 0 ? undefined : items.length === 1 ? items[0] : items;
      }
    }
  } catch (err) {
    if ((err as Error).name === 'Arazzo.Expression') throw err;
    throw expressionError(`${what} could not be evaluated: ${engineMessage(err)}`, { cause: err });
  }
}
