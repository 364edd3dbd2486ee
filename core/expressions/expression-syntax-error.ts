import { ArazzoRuntimeError, ErrorCodes } from '../errors.js';

/**
 * A runtime expression, template or condition that does not follow its grammar.
 *
 * It extends the runtime error class so that, should a malformed expression ever reach the
 * handler, Step Functions sees `Arazzo.Expression` rather than an unknown error type. The
 * compiler reads `offset` to point at the offending character of the document text.
 */
export class ExpressionSyntaxError extends ArazzoRuntimeError {
  /** Zero-based index into the parsed text where the problem was found. */
  readonly offset: number;

  constructor(message: string, offset: number) {
    super(ErrorCodes.Expression, message);
    this.offset = offset;
  }
}
