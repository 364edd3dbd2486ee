/**
 * Parser of `simple` criterion conditions (Arazzo 1.0.1 § "Criterion Object"): literals,
 * runtime expressions and the operators `< <= > >= == != ! && || ()`.
 *
 * Precedence, loosest first: `||`, `&&`, `== !=`, `< <= > >=`, `!`. Besides the specification's
 * single-quoted strings (`''` escapes a quote), double-quoted JSON strings are accepted, and
 * `{...}` groups like `(...)` because the specification's own example writes
 * `{$statusCode == 401}`.
 */
import { ExpressionSyntaxError } from '../expressions/expression-syntax-error.js';
import { scanExpression, type Expression } from '../expressions/parse-expression.js';

export type ComparisonOperator = '==' | '!=' | '<' | '<=' | '>' | '>=';
export type Literal = string | number | boolean | null;

export type Condition =
  | { readonly kind: 'literal'; readonly value: Literal; readonly offset: number }
  | { readonly kind: 'expression'; readonly expression: Expression; readonly offset: number }
  | { readonly kind: 'not'; readonly operand: Condition; readonly offset: number }
  | {
      readonly kind: 'logical';
      readonly operator: '&&' | '||';
      readonly left: Condition;
      readonly right: Condition;
      readonly offset: number;
    }
  | {
      readonly kind: 'comparison';
      readonly operator: ComparisonOperator;
      readonly left: Condition;
      readonly right: Condition;
      readonly offset: number;
    };

type Punctuator = ComparisonOperator | '!' | '&&' | '||' | '(' | ')' | '{' | '}';

type Token =
  | { readonly type: 'literal'; readonly value: Literal; readonly offset: number }
  | { readonly type: 'expression'; readonly expression: Expression; readonly offset: number }
  | { readonly type: 'punctuator'; readonly value: Punctuator; readonly offset: number };

// Longest first, so that "<=" is not read as "<" then "=".
const PUNCTUATORS: readonly Punctuator[] = ['&&', '||', '==', '!=', '<=', '>=', '<', '>', '!', '(', ')', '{', '}'];
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const WORD = /[A-Za-z_][A-Za-z0-9_]*/y;

function matchAt(pattern: RegExp, text: string, at: number): string | undefined {
  pattern.lastIndex = at;
  return pattern.exec(text)?.[0];
}

function readSingleQuoted(text: string, start: number): { value: string; end: number } {
  let value = '';
  let i = start + 1;
  while (i < text.length) {
    if (text[i] === "'") {
      if (text[i + 1] !== "'") return { value, end: i + 1 };
      value += "'";
      i += 2;
    } else {
      value += text[i++];
    }
  }
  throw new ExpressionSyntaxError('unterminated string literal', start);
}

function readDoubleQuoted(text: string, start: number): { value: string; end: number } {
  let i = start + 1;
  while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
  if (i >= text.length) throw new ExpressionSyntaxError('unterminated string literal', start);
  try {
    return { value: JSON.parse(text.slice(start, i + 1)) as string, end: i + 1 };
  } catch {
    throw new ExpressionSyntaxError('invalid escape in string literal', start);
  }
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '$') {
      const { expression, end } = scanExpression(text, i, 'bare');
      tokens.push({ type: 'expression', expression, offset: i });
      i = end;
    } else if (c === "'" || c === '"') {
      const { value, end } = c === "'" ? readSingleQuoted(text, i) : readDoubleQuoted(text, i);
      tokens.push({ type: 'literal', value, offset: i });
      i = end;
    } else if (matchAt(NUMBER, text, i) !== undefined) {
      const number = matchAt(NUMBER, text, i)!;
      const end = i + number.length;
      if (/[A-Za-z0-9_.]/.test(text[end] ?? '')) throw new ExpressionSyntaxError('malformed number', i);
      tokens.push({ type: 'literal', value: Number(number), offset: i });
      i = end;
    } else if (matchAt(WORD, text, i) !== undefined) {
      const word = matchAt(WORD, text, i)!;
      if (word === 'true' || word === 'false' || word === 'null') {
        tokens.push({ type: 'literal', value: word === 'null' ? null : word === 'true', offset: i });
        i += word.length;
      } else {
        throw new ExpressionSyntaxError(
          `unexpected word "${word}": strings are quoted ('text') and runtime expressions start with "$"`,
          i,
        );
      }
    } else {
      const punctuator = PUNCTUATORS.find((p) => text.startsWith(p, i));
      if (!punctuator) {
        const hint = c === '=' ? ': use "==" to compare' : c === '&' || c === '|' ? `: use "${c}${c}"` : '';
        throw new ExpressionSyntaxError(`unexpected character "${c}"${hint}`, i);
      }
      tokens.push({ type: 'punctuator', value: punctuator, offset: i });
      i += punctuator.length;
    }
  }
  return tokens;
}

/**
 * How deep a condition may nest: `(`, `{` and `!` levels while parsing, and operators in the
 * tree (`a && b && c` is three deep). The parser, the evaluator and the compiler's checks recurse
 * once per level, so without a bound a long enough condition overflows the stack with a RangeError
 * instead of a syntax error; no hand-written condition comes near it.
 */
export const MAX_CONDITION_NESTING = 256;

const tooDeep = (offset: number) => new ExpressionSyntaxError(`the condition nests deeper than ${MAX_CONDITION_NESTING} levels`, offset);

class Parser {
  private index = 0;
  private depth = 0;
  private readonly depths = new WeakMap<Condition, number>();

  constructor(
    private readonly tokens: readonly Token[],
    private readonly length: number,
  ) {}

  private peekPunctuator(...values: Punctuator[]): Punctuator | undefined {
    const token = this.tokens[this.index];
    return token?.type === 'punctuator' && values.includes(token.value) ? token.value : undefined;
  }

  private get offset(): number {
    return this.tokens[this.index]?.offset ?? this.length;
  }

  parse(): Condition {
    if (this.tokens.length === 0) throw new ExpressionSyntaxError('the condition is empty', 0);
    const condition = this.or();
    if (this.index < this.tokens.length) {
      throw new ExpressionSyntaxError('unexpected token: expected an operator or the end of the condition', this.offset);
    }
    return condition;
  }

  /** `node`, after checking how deep the tree under it goes. */
  private node<T extends Condition>(node: T, ...children: Condition[]): T {
    const depth = 1 + Math.max(0, ...children.map((c) => this.depths.get(c) ?? 0));
    if (depth > MAX_CONDITION_NESTING) throw tooDeep(node.offset);
    this.depths.set(node, depth);
    return node;
  }

  private or(): Condition {
    let left = this.and();
    while (this.peekPunctuator('||')) {
      const offset = this.offset;
      this.index++;
      const right = this.and();
      left = this.node({ kind: 'logical', operator: '||', left, right, offset }, left, right);
    }
    return left;
  }

  private and(): Condition {
    let left = this.equality();
    while (this.peekPunctuator('&&')) {
      const offset = this.offset;
      this.index++;
      const right = this.equality();
      left = this.node({ kind: 'logical', operator: '&&', left, right, offset }, left, right);
    }
    return left;
  }

  private equality(): Condition {
    let left = this.relational();
    let operator: Punctuator | undefined;
    while ((operator = this.peekPunctuator('==', '!='))) {
      const offset = this.offset;
      this.index++;
      const right = this.relational();
      left = this.node({ kind: 'comparison', operator: operator as ComparisonOperator, left, right, offset }, left, right);
    }
    return left;
  }

  private relational(): Condition {
    let left = this.unary();
    let operator: Punctuator | undefined;
    while ((operator = this.peekPunctuator('<', '<=', '>', '>='))) {
      const offset = this.offset;
      this.index++;
      const right = this.unary();
      left = this.node({ kind: 'comparison', operator: operator as ComparisonOperator, left, right, offset }, left, right);
    }
    return left;
  }

  private nested<T>(offset: number, parse: () => T): T {
    if (++this.depth > MAX_CONDITION_NESTING) throw tooDeep(offset);
    try {
      return parse();
    } finally {
      this.depth--;
    }
  }

  private unary(): Condition {
    if (this.peekPunctuator('!')) {
      const offset = this.offset;
      this.index++;
      const operand = this.nested(offset, () => this.unary());
      return this.node({ kind: 'not', operand, offset }, operand);
    }
    return this.primary();
  }

  private primary(): Condition {
    const token = this.tokens[this.index];
    if (!token) throw new ExpressionSyntaxError('the condition ends where an operand is expected', this.length);
    if (token.type === 'literal') {
      this.index++;
      return { kind: 'literal', value: token.value, offset: token.offset };
    }
    if (token.type === 'expression') {
      this.index++;
      return { kind: 'expression', expression: token.expression, offset: token.offset };
    }
    const open = this.peekPunctuator('(', '{');
    if (open) {
      const offset = this.offset;
      this.index++;
      const inner = this.nested(offset, () => this.or());
      const close = open === '(' ? ')' : '}';
      if (!this.peekPunctuator(close)) throw new ExpressionSyntaxError(`expected "${close}"`, this.offset);
      this.index++;
      return inner;
    }
    throw new ExpressionSyntaxError(`expected an operand but found "${token.value}"`, token.offset);
  }
}

/** Parses a `simple` condition; throws ExpressionSyntaxError with the offending offset. */
export function parseCondition(text: string): Condition {
  return new Parser(tokenize(text), text.length).parse();
}

/** Every runtime expression the condition reads (for reference checks at compile time). */
export function listConditionExpressions(condition: Condition): Expression[] {
  switch (condition.kind) {
    case 'literal':
      return [];
    case 'expression':
      return [condition.expression];
    case 'not':
      return listConditionExpressions(condition.operand);
    case 'logical':
    case 'comparison':
      return [...listConditionExpressions(condition.left), ...listConditionExpressions(condition.right)];
  }
}
