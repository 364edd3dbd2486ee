import { ExpressionSyntaxError } from '../expressions/expression-syntax-error.js';
import { parseExpression, type Expression } from '../expressions/parse-expression.js';
import type { CriterionPlan } from '../plan.js';
import { listConditionExpressions, parseCondition } from './parse-condition.js';

/**
 * The runtime expressions a criterion reads (its context, and the operands of a simple
 * condition), for the compiler's reference checks. Malformed parts are skipped:
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
  return found;
}
