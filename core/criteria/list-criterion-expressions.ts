import { ExpressionSyntaxError } from '../expressions/expression-syntax-error.js';
import { parseExpression, type Expression } from '../expressions/parse-expression.js';
import type { CriterionPlan } from '../plan.js';
import { embeddedExpressions } from './embedded-expressions.js';
import { listConditionExpressions, parseCondition } from './parse-condition.js';

/**
 * The runtime expressions a criterion reads (its context, the operands of a simple condition,
 * the `{$...}` embedded in any other), for the compiler's reference checks and for what a step
 * reads at run time (the sealed values its handler opens). Malformed parts are skipped:
 * checkCriterion reports them.
 */
export function listCriterionExpressions(c: CriterionPlan): Expression[] {
  const found: Expression[] = [];
  const collect = (read: () => Expression[]) => {
    try {
      found.push(...read());
    } catch (error) {
      if (!(error instanceof ExpressionSyntaxError)) throw error;
    }
  };
  if (c.context !== undefined) collect(() => [parseExpression(c.context!)]);
  if (c.type === 'simple') collect(() => listConditionExpressions(parseCondition(c.condition)));
  else collect(() => embeddedExpressions(c));
  return found;
}
