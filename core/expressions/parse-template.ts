import { ExpressionSyntaxError } from './expression-syntax-error.js';
import { parseExpression, scanExpression, startsWithExpressionRoot, type Expression } from './parse-expression.js';

export type TemplatePart =
  | { kind: 'text'; text: string }
  | { kind: 'expression'; expression: Expression; braced: boolean; offset: number };

/**
 * Splits a string value into literal text and runtime expressions.
 *
 * - The whole string is one expression: a single part with `braced: false` at offset 0
 *   (see {@link isWholeExpression}); it keeps the type of the value it designates.
 * - `{$...}` is the embedded form of the specification (`braced: true`).
 * - A bare `$inputs.x`, `$steps.a.outputs.b`, … inside text (`"Bearer $inputs.token"`) is the
 *   lenient form found in real documents (`braced: false`); a `$` that does not start a known
 *   expression root (`$5`, `$HOME`) stays text.
 *
 * Throws ExpressionSyntaxError when text after a known root, or inside `{$...}`, is malformed.
 */
export function parseTemplate(text: string): TemplatePart[] {
  if (text.startsWith('$')) {
    try {
      return [{ kind: 'expression', expression: parseExpression(text), braced: false, offset: 0 }];
    } catch (error) {
      // Not one expression as a whole: read it as text with embedded expressions below.
      if (!(error instanceof ExpressionSyntaxError)) throw error;
    }
  }
  const parts: TemplatePart[] = [];
  let literal = '';
  const flush = () => {
    if (literal !== '') parts.push({ kind: 'text', text: literal });
    literal = '';
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '{' && text[i + 1] === '$') {
      const { expression, end } = scanExpression(text, i + 1, 'braced');
      if (text[end] !== '}') throw new ExpressionSyntaxError('expected "}" to close the embedded expression', end);
      flush();
      parts.push({ kind: 'expression', expression, braced: true, offset: i });
      i = end + 1;
    } else if (c === '$' && startsWithExpressionRoot(text, i)) {
      const { expression, end } = scanExpression(text, i, 'bare');
      flush();
      parts.push({ kind: 'expression', expression, braced: false, offset: i });
      i = end;
    } else {
      literal += c;
      i++;
    }
  }
  flush();
  return parts;
}

/** Whether the parts are a single unbraced expression spanning the whole string. */
export function isWholeExpression(
  parts: readonly TemplatePart[],
): parts is [{ kind: 'expression'; expression: Expression; braced: false; offset: 0 }] {
  return parts.length === 1 && parts[0].kind === 'expression' && !parts[0].braced;
}
