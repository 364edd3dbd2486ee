import { ErrorCodes, expressionError, isErrorCode, type ArazzoRuntimeError } from '../errors.js';

/**
 * The bounds this implementation sets on evaluating a condition or a selector, by the name a
 * criterion's note gives them (their values: docs/selectors.md § Evaluation errors). A note
 * names the bound, never the value it stopped on.
 */
export type EvaluationBoundName = 'the regex time budget' | 'the XML size an XPath reads' | 'the XML nesting depth an XPath reads';

/** The `cause` of an `Arazzo.Expression` error raised because evaluation hit one of this implementation's bounds. */
export class EvaluationBound extends Error {
  override readonly name = 'EvaluationBound';
  constructor(readonly bound: EvaluationBoundName) {
    super(bound);
  }
}

/** The `Arazzo.Expression` error of a bound hit while evaluating, marked with which bound (boundOf). */
export const boundExceeded = (bound: EvaluationBoundName, message: string): ArazzoRuntimeError => expressionError(message, { cause: new EvaluationBound(bound) });

/** The bound an error says evaluation hit, or undefined for any other error. */
export function boundOf(err: unknown): EvaluationBoundName | undefined {
  return isErrorCode(err, ErrorCodes.Expression) && err.cause instanceof EvaluationBound ? err.cause.bound : undefined;
}
