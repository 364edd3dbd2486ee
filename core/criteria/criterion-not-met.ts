/**
 * A criterion that cannot be evaluated (Arazzo 1.1 § Criterion Object, "Evaluation Errors": a
 * syntax error, a context of the wrong kind such as XPath over a body that is not XML, a dynamic
 * error): the condition "MUST evaluate to fail", and the implementation SHOULD report why.
 * evaluateCriterion turns it into `false` plus a note for the step's history; it never leaves the
 * evaluator. Its message names the problem, never a value of the context or of an input.
 *
 * The bounds this implementation sets (the XML size and depth an XPath reads, the regex time
 * budget) are raised as `Arazzo.Expression` errors marked with the bound (evaluation-bound.ts):
 * a selector fails on them, and a criterion reads them as evaluation errors only in an Arazzo 1.1
 * document (CriterionPlan.unmetPastBounds), as 1.0.x has no "Evaluation Errors" section.
 */
export class CriterionNotMet extends Error {
  override readonly name = 'CriterionNotMet';
}
