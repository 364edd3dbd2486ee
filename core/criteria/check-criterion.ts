import { ExpressionSyntaxError } from '../expressions/expression-syntax-error.js';
import { parseExpression } from '../expressions/parse-expression.js';
import type { CriterionPlan } from '../plan.js';
import { checkXPath } from './check-xpath.js';
import { mayBacktrackCatastrophically, REGEX_BUDGET_MS } from './match-regex.js';
import { parseCondition } from './parse-condition.js';
import { describeJsonPathCondition, parseJsonPathCondition } from './parse-jsonpath-condition.js';

export interface CriterionProblem {
  readonly message: string;
  /** Offset into `condition` of the problem, when it lies there. */
  readonly offset?: number;
}

export interface CriterionWarning {
  readonly rule: string;
  readonly message: string;
}

export interface CriterionCheck {
  problems: CriterionProblem[];
  warnings: CriterionWarning[];
}

/** Runs `parse`, turning a syntax error into a problem. */
function attempt(
  problems: CriterionProblem[],
  parse: () => void,
  describe: (e: ExpressionSyntaxError) => CriterionProblem,
): boolean {
  try {
    parse();
    return true;
  } catch (error) {
    if (!(error instanceof ExpressionSyntaxError)) throw error;
    problems.push(describe(error));
    return false;
  }
}

/** Compile-time check of a criterion's syntax (but XPath 3.1's, see compiler/plan/check-selector-syntax.ts); needs no run-time context. */
export function checkCriterion(c: CriterionPlan): CriterionCheck {
  const problems: CriterionProblem[] = [];
  const warnings: CriterionWarning[] = [];

  if (c.context !== undefined) {
    const context = c.context;
    attempt(
      problems,
      () => parseExpression(context),
      (e) => ({
        message: `context "${context}" is not a runtime expression: ${e.message} (at offset ${e.offset} of the context)`,
      }),
    );
  } else if (c.type !== 'simple') {
    // Arazzo 1.0.1 § "Criterion Object": when type is specified, context MUST be provided.
    problems.push({ message: `a ${c.type} criterion requires a context (e.g. $response.body)` });
  }

  switch (c.type) {
    case 'simple':
      attempt(
        problems,
        () => parseCondition(c.condition),
        (e) => ({ message: e.message, offset: e.offset }),
      );
      break;
    case 'regex':
      try {
        new RegExp(c.condition);
        if (mayBacktrackCatastrophically(c.condition)) {
          warnings.push({
            rule: 'regex-backtracking',
            message: `condition "${c.condition}" nests a repetition inside a repetition, which can backtrack for a time exponential in the text's length; it runs on the linear-time engine where RE2 reads it as ECMA-262 does, otherwise under a ${REGEX_BUDGET_MS} ms budget that fails the criterion past it (Arazzo.Expression); write it without nested repetition (e.g. ^a+$ for ^(a+)+$)`,
          });
        }
      } catch (error) {
        problems.push({ message: `condition is not an ECMA-262 regular expression: ${(error as Error).message}` });
      }
      break;
    case 'jsonpath':
      attempt(
        problems,
        () => {
          const parsed = parseJsonPathCondition(c.condition);
          if (parsed.form === 'standard') return;
          const evaluatedAs = describeJsonPathCondition(parsed);
          const standard = parsed.standard
            ? `the standard form is ${parsed.standard}`
            : 'RFC 9535 cannot test the root value itself; point context at the parent value';
          warnings.push({
            rule: 'jsonpath-rfc9535',
            message: `condition "${c.condition}" is not RFC 9535 JSONPath; evaluated as ${evaluatedAs}; ${standard}`,
          });
        },
        (e) => ({ message: e.message, offset: e.offset }),
      );
      break;
    case 'xpath':
      // XPath 3.1 (the default) is checked by the compiler, with the library that evaluates it, loaded only there.
      if (c.version !== 'xpath-10') break;
      attempt(
        problems,
        () => checkXPath(c.condition),
        (e) => ({ message: `condition is not an XPath 1.0 expression: ${e.message}`, offset: e.offset }),
      );
      break;
  }
  return { problems, warnings };
}
