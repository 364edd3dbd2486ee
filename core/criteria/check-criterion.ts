import { ExpressionSyntaxError } from '../expressions/expression-syntax-error.js';
import { parseExpression } from '../expressions/parse-expression.js';
import type { CriterionPlan } from '../plan.js';
import { checkXPath } from './check-xpath.js';
import { mayBacktrackCatastrophically, REGEX_BUDGET_MS } from './match-regex.js';
import { parseCondition, type Condition } from './parse-condition.js';
import { describeJsonPathCondition, parseJsonPathCondition } from './parse-jsonpath-condition.js';
import { conditionForSyntaxCheck, conditionSyntaxOf, hasEmbeddedExpressions, splitCondition } from './embedded-expressions.js';
import { checkGoessnerCondition, isGoessnerFilterCondition } from './goessner-jsonpath.js';

export interface CriterionProblem {
  readonly message: string;
  /** The rule the problem breaks, when it is not the condition's plain syntax. */
  readonly rule?: 'embedded-expression' | 'jsonpath-goessner-filter';
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

const GOESSNER = 'draft-goessner-dispatch-jsonpath-00';

/** Why a problem of the condition's syntax may come from where an embedded expression stands. */
const standInNote = (embeds: boolean) => (embeds ? ' (each embedded {$...} read as the value it stands for: text inside quotes, a number outside)' : '');

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

/** The first string literal of a simple condition written in double quotes, as written; undefined when none is. */
function doubleQuotedLiteral(node: Condition, text: string): string | undefined {
  switch (node.kind) {
    case 'literal':
      // One that holds {$...} is ASFN2140's (compared as written), which says more.
      return typeof node.value === 'string' && text[node.offset] === '"' && !node.value.includes('{$') ? (/^"(?:[^"\\]|\\.)*"/.exec(text.slice(node.offset))?.[0] ?? undefined) : undefined;
    case 'expression':
      return undefined;
    case 'not':
      return doubleQuotedLiteral(node.operand, text);
    case 'logical':
    case 'comparison':
      return doubleQuotedLiteral(node.left, text) ?? doubleQuotedLiteral(node.right, text);
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

  const syntax = conditionSyntaxOf(c);
  let condition = c.condition;
  let embeds = false;
  if (syntax) {
    try {
      const parts = splitCondition(c.condition, syntax);
      embeds = hasEmbeddedExpressions(parts);
      condition = conditionForSyntaxCheck(parts, syntax);
    } catch (error) {
      if (!(error instanceof ExpressionSyntaxError)) throw error;
      problems.push({ rule: 'embedded-expression', message: `an embedded runtime expression does not parse: ${error.message}`, offset: error.offset });
      return { problems, warnings };
    }
  }

  switch (c.type) {
    case 'simple':
      attempt(
        problems,
        () => {
          const quoted = doubleQuotedLiteral(parseCondition(c.condition), c.condition);
          if (quoted === undefined) return;
          // Arazzo § Literals: "Strings MUST use single quotes"; a double-quoted one is read as its JSON string (a dialect: DESIGN.md).
          warnings.push({
            rule: 'simple-condition-double-quote',
            message: `condition "${c.condition}" writes the string ${quoted} in double quotes; Arazzo's literals use single quotes ('' escapes one), so it is read as the JSON string it is: write '${quoted.slice(1, -1).replace(/'/g, "''")}'`,
          });
        },
        (e) => ({ message: e.message, offset: e.offset }),
      );
      break;
    case 'regex':
      try {
        new RegExp(condition);
        if (mayBacktrackCatastrophically(condition)) {
          warnings.push({
            rule: 'regex-backtracking',
            message: `condition "${c.condition}" nests a repetition inside a repetition, which can backtrack for a time exponential in the text's length; it runs on the linear-time engine where RE2 reads it as ECMA-262 does, otherwise under a ${REGEX_BUDGET_MS} ms budget, past which ${c.unmetPastBounds ? 'the condition is not met, with a note (Arazzo 1.1 § Criterion Object, Evaluation Errors)' : 'the step fails with Arazzo.Expression'}; write it without nested repetition (e.g. ^a+$ for ^(a+)+$)`,
          });
        }
      } catch (error) {
        problems.push({ message: `condition is not an ECMA-262 regular expression${standInNote(embeds)}: ${(error as Error).message}` });
      }
      break;
    case 'jsonpath':
      if (c.version === GOESSNER && isGoessnerFilterCondition(c.condition)) {
        const goessner = attempt(
          problems,
          () => checkGoessnerCondition(condition),
          (e) => ({ rule: 'jsonpath-goessner-filter', message: `${e.message}${standInNote(embeds)}`, offset: e.offset }),
        );
        if (goessner) {
          warnings.push({
            rule: 'jsonpath-goessner-filter',
            message: `condition "${c.condition}" is Goessner JSONPath: its filters are read as the JavaScript they are (== converts types, a member test is truthiness); the standard form is RFC 9535 JSONPath (version "rfc9535": filters "?expr", == compares type and value, @.x tests existence)`,
          });
        }
        break;
      }
      attempt(
        problems,
        () => {
          const parsed = parseJsonPathCondition(condition);
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
        (e) => ({ message: `${e.message}${standInNote(embeds)}`, offset: e.offset }),
      );
      break;
    case 'xpath':
      // XPath 3.1 (the default) is checked by the compiler, with the library that evaluates it, loaded only there.
      if (c.version !== 'xpath-10') break;
      attempt(
        problems,
        () => checkXPath(condition),
        (e) => ({ message: `condition is not an XPath 1.0 expression${standInNote(embeds)}: ${e.message}`, offset: e.offset }),
      );
      break;
  }
  return { problems, warnings };
}
