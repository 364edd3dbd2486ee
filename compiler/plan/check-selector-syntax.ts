import { createRequire } from 'node:module';
import { checkXPath } from '../../core/criteria/check-xpath.js';
import { engineMessage, xpathSyntaxProblem } from '../../core/criteria/xml-context.js';
import { ExpressionSyntaxError } from '../../core/expressions/expression-syntax-error.js';
import type { ExpressionTypePlan } from '../../core/plan.js';
import { isSingularJsonPath } from '../../core/selectors/select-json-path.js';
import { checkJsonPointer } from '../../core/selectors/select-json-pointer.js';

interface FontoXPathParser {
  parseScript(expression: string, options: { language: string }, document: unknown): unknown;
}

let parser: { fontoxpath: FontoXPathParser; document: unknown } | undefined;

/**
 * fontoxpath and a DOM to build its parse tree in, loaded on the first XPath 3.1 expression a
 * compile meets: a document without one never loads them. The compiler runs in Node, never in a
 * Lambda, so a synchronous require keeps the planner synchronous.
 */
function xpath31Parser() {
  if (!parser) {
    const require = createRequire(import.meta.url);
    const fontoxpath = require('fontoxpath') as FontoXPathParser;
    const { DOMImplementation } = require('@xmldom/xmldom') as { DOMImplementation: new () => { createDocument(a: null, b: null, c: null): unknown } };
    parser = { fontoxpath, document: new DOMImplementation().createDocument(null, null, null) };
  }
  return parser;
}

/** Static check of an XPath 3.1 expression (its grammar, not its functions or variables, which bind at run time). */
export function checkXPath31(expression: string): void {
  const { fontoxpath, document } = xpath31Parser();
  try {
    fontoxpath.parseScript(expression, { language: 'XPath3.1' }, document);
  } catch (err) {
    const problem = xpathSyntaxProblem(err, expression) ?? { message: engineMessage(err), offset: 0 };
    throw new ExpressionSyntaxError(problem.message, problem.offset);
  }
}

/** Throws ExpressionSyntaxError (with an offset into the expression) when it does not parse as its type and version say. */
export function checkSelectorSyntax(expression: string, type: ExpressionTypePlan): void {
  switch (type.type) {
    case 'jsonpointer':
      return checkJsonPointer(expression);
    case 'jsonpath':
      isSingularJsonPath(expression);
      return;
    case 'xpath':
      if (type.version === 'xpath-10') checkXPath(expression);
      else checkXPath31(expression);
  }
}
