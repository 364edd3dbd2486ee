import { checkCriterion, conditionAsChecked } from '../../core/criteria/index.js';
import { ExpressionSyntaxError, parseTemplate, referencedSteps } from '../../core/expressions/index.js';
import type { CriterionPlan } from '../../core/plan.js';
import type { Diagnostic, DiagnosticKind } from '../diagnostics/index.js';
import { expressionStrings } from '../../core/selectors/is-selector.js';
import { diagnosticAt, type YamlSource } from '../load/parse-yaml-source.js';
import { checkXPath31 } from './check-selector-syntax.js';

const stringLeaves = expressionStrings;

/** Checks every runtime expression in a value (literal, whole expression or template). */
export function checkValueExpressions(source: YamlSource, value: unknown, pointer: string, diagnostics: Diagnostic[]): void {
  for (const [text, p] of stringLeaves(value, pointer)) {
    try {
      const parts = parseTemplate(text);
      const whole = parts.length === 1 && parts[0].kind === 'expression';
      for (const part of parts) {
        if (part.kind === 'expression' && !part.braced && !whole) {
          diagnostics.push(
            diagnosticAt(source, p, 'bareEmbeddedExpression', `"${text}" embeds a runtime expression without braces; Arazzo's form is {$...} (evaluated anyway)`, 'warning'),
          );
          break;
        }
      }
    } catch (err) {
      if (!(err instanceof ExpressionSyntaxError)) throw err;
      diagnostics.push(diagnosticAt(source, p, 'expressionSyntax', `invalid runtime expression in "${text}": ${err.message}`));
    }
  }
}

/** Each `$steps.<id>` a value reads, with the pointer of the string that reads it (syntax errors are reported elsewhere). */
export function stepReferences(value: unknown, pointer: string): [stepId: string, pointer: string][] {
  const found: [string, string][] = [];
  for (const [text, p] of stringLeaves(value, pointer)) {
    try {
      for (const part of parseTemplate(text)) if (part.kind === 'expression') for (const id of referencedSteps(part.expression)) found.push([id, p]);
    } catch {
      /* reported by checkValueExpressions */
    }
  }
  return found;
}

/** Step ids that `$steps.<id>` expressions in a value read. */
export function stepsReferencedBy(value: unknown): string[] {
  return [...new Set(stepReferences(value, '').map(([id]) => id))];
}

/** The diagnostic of each criterion warning's rule. */
const warningKinds: Readonly<Record<string, DiagnosticKind>> = { 'jsonpath-rfc9535': 'legacyJsonPath', 'regex-backtracking': 'regexBacktracking', 'jsonpath-goessner-filter': 'goessnerFilterRead', 'simple-condition-double-quote': 'simpleDoubleQuote' };

/** The diagnostic of each criterion problem's rule (the condition's plain syntax otherwise). */
const problemKinds: Readonly<Record<string, DiagnosticKind>> = { 'embedded-expression': 'conditionEmbeddedExpression', 'jsonpath-goessner-filter': 'goessnerFilterUnread' };

export function checkCriterionAt(source: YamlSource, criterion: CriterionPlan, pointer: string, diagnostics: Diagnostic[]): void {
  const { problems, warnings } = checkCriterion(criterion);
  const checked = conditionAsChecked(criterion);
  if (criterion.type === 'xpath' && criterion.version !== 'xpath-10' && !problems.length) {
    try {
      checkXPath31(checked);
    } catch (err) {
      if (!(err instanceof ExpressionSyntaxError)) throw err;
      const embeds = checked !== criterion.condition ? ' (each embedded {$...} read as the value it stands for: text inside quotes, a number outside)' : '';
      problems.push({ message: `condition is not an XPath ${criterion.version === 'xpath-20' ? '2.0' : criterion.version === 'xpath-30' ? '3.0' : '3.1'} expression${embeds}: ${err.message}`, offset: err.offset });
    }
  }
  for (const problem of problems) {
    diagnostics.push(diagnosticAt(source, `${pointer}/condition`, (problem.rule && problemKinds[problem.rule]) || 'criterionSyntax', `${criterion.type} criterion "${criterion.condition}": ${problem.message}`));
  }
  for (const warning of warnings) {
    diagnostics.push(diagnosticAt(source, `${pointer}/condition`, warningKinds[warning.rule] ?? 'criterionSyntax', warning.message, 'warning'));
  }
  if (criterion.type === 'simple') warnEmbeddedLiteral(source, criterion.condition, pointer, diagnostics);
  if (criterion.context !== undefined) checkValueExpressions(source, criterion.context, `${pointer}/context`, diagnostics);
}

/**
 * A simple condition's quoted literal that holds `{$...}` is compared as written: the
 * specification substitutes embedded expressions in regex, jsonpath and xpath conditions only
 * (Arazzo 1.1 § Criterion Object), so `$message.payload.id == "{$steps.a.outputs.id}"` never
 * holds. Likely meant unquoted, hence a warning, not an error: the literal is valid.
 */
function warnEmbeddedLiteral(source: YamlSource, condition: string, pointer: string, diagnostics: Diagnostic[]): void {
  const literal = /(["'])((?:(?!\1).)*\{\$[^}]*\}(?:(?!\1).)*)\1/.exec(condition);
  if (!literal) return;
  const message = `simple criterion "${condition}" compares the text ${literal[0]} as written: {$...} is substituted only in regex, jsonpath and xpath conditions; to compare with the value, write the runtime expression unquoted`;
  diagnostics.push(diagnosticAt(source, `${pointer}/condition`, 'simpleLiteralEmbedsExpression', message, 'warning'));
}

/** Workflow input names that `$inputs.<name>` expressions in a value read. */
export function inputsReferencedBy(value: unknown): string[] {
  const found = new Set<string>();
  for (const [text] of stringLeaves(value, '')) for (const m of text.matchAll(/\$inputs\.([A-Za-z0-9_-]+)/g)) found.add(m[1]);
  return [...found];
}

/** Checks the runtime expressions of a map of outputs (a step's or a workflow's). */
export function checkOutputExpressions(source: YamlSource, outputs: Readonly<Record<string, unknown>>, pointer: string, diagnostics: Diagnostic[]): void {
  for (const [name, expression] of Object.entries(outputs)) checkValueExpressions(source, expression, `${pointer}/${name}`, diagnostics);
}
