export { ExpressionSyntaxError } from './expression-syntax-error.js';
export {
  parseExpression,
  isRuntimeExpression,
  scanExpression,
  startsWithExpressionRoot,
  type Accessor,
  type ComponentSection,
  type Expression,
  type ScanMode,
  type ScanResult,
} from './parse-expression.js';
export { evaluateExpression, type ExpressionContext } from './evaluate-expression.js';
export { formatExpression } from './format-expression.js';
export { referencedSteps } from './referenced-steps.js';
export { parseTemplate, isWholeExpression, type TemplatePart } from './parse-template.js';
export { evaluateValue } from './evaluate-value.js';
export { resolveAccessors } from './resolve-accessors.js';
