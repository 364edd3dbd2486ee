import type { Expression } from './parse-expression.js';

/** Step ids whose outputs the expression reads, so the compiler can check they ran before. */
export function referencedSteps(expr: Expression): string[] {
  return expr.kind === 'stepOutput' ? [expr.stepId] : [];
}
