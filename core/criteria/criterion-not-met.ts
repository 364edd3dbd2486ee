/**
 * A criterion that cannot be evaluated (Arazzo 1.1 § Criterion Object, "Evaluation Errors": a
 * syntax error, a context of the wrong kind such as XPath over a body that is not XML, a dynamic
 * error): the condition "MUST evaluate to fail", and the implementation SHOULD report why.
 * evaluateCriterion turns it into `false` plus a note for the step's history; it never leaves the
 * evaluator. Its message names the problem, never a value of the context or of an input.
 *
 * What the spec does not cover stays an `Arazzo.Expression` error with its cause: the bounds this
 * implementation sets (the XML size and depth an XPath reads, the regex time budget).
 */
export class CriterionNotMet extends Error {
  override readonly name = 'CriterionNotMet';
}
