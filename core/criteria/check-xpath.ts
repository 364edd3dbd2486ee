/**
 * A static check of an XPath 1.0 expression (W3C XPath 1.0 §3, lexical rules §3.7), for the
 * compiler: it reports the first problem with its offset, as the other criterion parsers do.
 *
 * It is written here rather than borrowed from the evaluating library because that library
 * reports no position ("XPath parse error"), accepts unknown axes and defers unknown functions
 * and wrong arities to evaluation, and because the compiler must stay synchronous while the
 * library is loaded lazily (see xpath-engine.ts). Namespace prefixes are not checked: they
 * resolve against the response document, which only exists at run time.
 */
import { ExpressionSyntaxError } from '../expressions/expression-syntax-error.js';

type Token =
  | { readonly kind: 'punct'; readonly value: '(' | ')' | '[' | ']' | '.' | '..' | '@' | ',' | '::'; readonly at: number }
  | { readonly kind: 'operator'; readonly value: string; readonly at: number }
  | { readonly kind: 'nameTest'; readonly value: string; readonly at: number }
  /** An NCName or QName followed by `(`: a function name or a node type. */
  | { readonly kind: 'call'; readonly value: string; readonly at: number }
  | { readonly kind: 'axis'; readonly value: string; readonly at: number }
  | { readonly kind: 'literal'; readonly value: string; readonly at: number }
  | { readonly kind: 'number'; readonly value: string; readonly at: number }
  | { readonly kind: 'variable'; readonly value: string; readonly at: number }
  | { readonly kind: 'end'; readonly value: ''; readonly at: number };

const AXES = new Set([
  'ancestor', 'ancestor-or-self', 'attribute', 'child', 'descendant', 'descendant-or-self', 'following',
  'following-sibling', 'namespace', 'parent', 'preceding', 'preceding-sibling', 'self',
]);

const NODE_TYPES = new Set(['comment', 'text', 'processing-instruction', 'node']);

/** XPath 1.0 §4, the core function library: name → [fewest, most] arguments. */
const FUNCTIONS: Readonly<Record<string, readonly [number, number]>> = {
  last: [0, 0], position: [0, 0], count: [1, 1], id: [1, 1], 'local-name': [0, 1], 'namespace-uri': [0, 1], name: [0, 1],
  string: [0, 1], concat: [2, Infinity], 'starts-with': [2, 2], contains: [2, 2], 'substring-before': [2, 2],
  'substring-after': [2, 2], substring: [2, 3], 'string-length': [0, 1], 'normalize-space': [0, 1], translate: [3, 3],
  boolean: [1, 1], not: [1, 1], true: [0, 0], false: [0, 0], lang: [1, 1],
  number: [0, 1], sum: [1, 1], floor: [1, 1], ceiling: [1, 1], round: [1, 1],
};

// XML Namespaces NCName, approximated by Unicode classes as XML 1.0 fifth edition allows.
const NCNAME = /[\p{L}_][\p{L}\p{N}\p{M}_.\-\u00B7\u203F\u2040]*/uy;
const NUMBER = /\d+(?:\.\d*)?|\.\d+/y;
const SPACE = /[\x20\x09\x0D\x0A]*/y;
const OPERATOR_NAMES = new Set(['and', 'or', 'mod', 'div']);

function matchAt(pattern: RegExp, text: string, at: number): string | undefined {
  pattern.lastIndex = at;
  return pattern.exec(text)?.[0] || undefined;
}

function skipSpace(text: string, at: number): number {
  SPACE.lastIndex = at;
  SPACE.exec(text);
  return SPACE.lastIndex;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  // §3.7: after these (or at the start), `*` is a name test and an NCName is a name, not an operator.
  const operandExpected = () => {
    const last = tokens[tokens.length - 1];
    return !last || last.kind === 'operator' || (last.kind === 'punct' && ['@', '::', '(', '[', ','].includes(last.value));
  };
  let i = skipSpace(text, 0);
  while (i < text.length) {
    const at = i;
    const c = text[i];
    const two = text.slice(i, i + 2);
    if (two === '..' || two === '::') {
      tokens.push({ kind: 'punct', value: two, at });
      i += 2;
    } else if (c === '.' && !/\d/.test(text[i + 1] ?? '')) {
      tokens.push({ kind: 'punct', value: '.', at });
      i++;
    } else if ('()[]@,'.includes(c)) {
      tokens.push({ kind: 'punct', value: c as '(' | ')' | '[' | ']' | '@' | ',', at });
      i++;
    } else if (two === '//' || two === '!=' || two === '<=' || two === '>=') {
      tokens.push({ kind: 'operator', value: two, at });
      i += 2;
    } else if ('/|+-=<>'.includes(c)) {
      tokens.push({ kind: 'operator', value: c, at });
      i++;
    } else if (c === '*') {
      tokens.push(operandExpected() ? { kind: 'nameTest', value: '*', at } : { kind: 'operator', value: '*', at });
      i++;
    } else if (c === '"' || c === "'") {
      const close = text.indexOf(c, i + 1);
      if (close < 0) throw new ExpressionSyntaxError('unterminated string literal', at);
      tokens.push({ kind: 'literal', value: text.slice(i + 1, close), at });
      i = close + 1;
    } else if (/[\d.]/.test(c)) {
      const number = matchAt(NUMBER, text, i)!;
      tokens.push({ kind: 'number', value: number, at });
      i += number.length;
    } else if (c === '$') {
      const name = readQName(text, i + 1);
      if (!name) throw new ExpressionSyntaxError('expected a variable name after "$"', at);
      tokens.push({ kind: 'variable', value: name, at });
      i += 1 + name.length;
    } else {
      const ncname = matchAt(NCNAME, text, i);
      if (!ncname) throw new ExpressionSyntaxError(`unexpected character "${c}"`, at);
      if (!operandExpected() && OPERATOR_NAMES.has(ncname)) {
        tokens.push({ kind: 'operator', value: ncname, at });
        i += ncname.length;
      } else if (text[i + ncname.length] === ':' && text[i + ncname.length + 1] === '*') {
        tokens.push({ kind: 'nameTest', value: `${ncname}:*`, at });
        i += ncname.length + 2;
      } else {
        const name = readQName(text, i)!;
        const next = skipSpace(text, i + name.length);
        if (text[next] === '(') tokens.push({ kind: 'call', value: name, at });
        else if (text.startsWith('::', next) && !name.includes(':')) tokens.push({ kind: 'axis', value: name, at });
        else if (!operandExpected()) throw new ExpressionSyntaxError(`expected an operator, found "${name}"`, at);
        else tokens.push({ kind: 'nameTest', value: name, at });
        i += name.length;
      }
    }
    i = skipSpace(text, i);
  }
  tokens.push({ kind: 'end', value: '', at: text.length });
  return tokens;
}

function readQName(text: string, at: number): string | undefined {
  const prefix = matchAt(NCNAME, text, at);
  if (!prefix) return undefined;
  if (text[at + prefix.length] !== ':') return prefix;
  const local = matchAt(NCNAME, text, at + prefix.length + 1);
  return local ? `${prefix}:${local}` : prefix;
}

class Parser {
  private i = 0;
  constructor(private readonly tokens: readonly Token[]) {}

  private get token(): Token {
    return this.tokens[this.i];
  }

  private is(kind: Token['kind'], ...values: string[]): boolean {
    return this.token.kind === kind && (values.length === 0 || values.includes(this.token.value));
  }

  private fail(message: string, token: Token = this.token): never {
    throw new ExpressionSyntaxError(message, token.at);
  }

  private describe(token: Token = this.token): string {
    return token.kind === 'end' ? 'the end of the expression' : token.kind === 'literal' ? 'a string literal' : `"${token.value}"`;
  }

  private expect(kind: Token['kind'], value: string, what = `"${value}"`): void {
    if (!this.is(kind, value)) this.fail(`expected ${what}, found ${this.describe()}`);
    this.i++;
  }

  parse(): void {
    this.expr();
    if (!this.is('end')) this.fail(`unexpected ${this.describe()}`);
  }

  private expr(): void {
    this.binary(0);
  }

  // Operator precedence of §3.4–3.5, loosest first; unary minus binds tighter than all of them.
  private static readonly LEVELS: readonly (readonly string[])[] = [['or'], ['and'], ['=', '!='], ['<', '>', '<=', '>='], ['+', '-'], ['*', 'div', 'mod']];

  private binary(level: number): void {
    if (level === Parser.LEVELS.length) return this.unary();
    this.binary(level + 1);
    while (this.is('operator', ...Parser.LEVELS[level])) {
      this.i++;
      this.binary(level + 1);
    }
  }

  private unary(): void {
    if (this.is('operator', '-')) {
      this.i++;
      return this.unary();
    }
    this.path();
    while (this.is('operator', '|')) {
      this.i++;
      this.path();
    }
  }

  private startsFilter(): boolean {
    const t = this.token;
    return t.kind === 'variable' || t.kind === 'literal' || t.kind === 'number' || (t.kind === 'punct' && t.value === '(') || (t.kind === 'call' && !NODE_TYPES.has(t.value));
  }

  private startsStep(): boolean {
    const t = this.token;
    return t.kind === 'nameTest' || t.kind === 'axis' || (t.kind === 'call' && NODE_TYPES.has(t.value)) || (t.kind === 'punct' && ['.', '..', '@'].includes(t.value));
  }

  private path(): void {
    if (this.startsFilter()) {
      this.primary();
      while (this.is('punct', '[')) this.predicate();
      if (this.is('operator', '/', '//')) {
        this.i++;
        this.relativePath();
      }
      return;
    }
    if (this.is('operator', '/')) {
      this.i++;
      if (this.startsStep()) this.relativePath();
      return;
    }
    if (this.is('operator', '//')) {
      this.i++;
      return this.relativePath();
    }
    if (!this.startsStep()) this.fail(`expected an expression, found ${this.describe()}`);
    this.relativePath();
  }

  private relativePath(): void {
    this.step();
    while (this.is('operator', '/', '//')) {
      this.i++;
      this.step();
    }
  }

  private step(): void {
    if (this.is('punct', '.', '..')) {
      this.i++;
      return;
    }
    if (this.is('axis')) {
      if (!AXES.has(this.token.value)) this.fail(`"${this.token.value}" is not an XPath 1.0 axis`);
      this.i++;
      this.expect('punct', '::');
    } else if (this.is('punct', '@')) {
      this.i++;
    }
    this.nodeTest();
    while (this.is('punct', '[')) this.predicate();
  }

  private nodeTest(): void {
    const t = this.token;
    if (t.kind === 'nameTest') {
      this.i++;
      return;
    }
    if (t.kind === 'call' && NODE_TYPES.has(t.value)) {
      this.i++;
      this.expect('punct', '(');
      if (t.value === 'processing-instruction' && this.is('literal')) this.i++;
      this.expect('punct', ')');
      return;
    }
    if (t.kind === 'call') this.fail(`function ${t.value}() cannot be a step; only node(), text(), comment() and processing-instruction() can`);
    this.fail(`expected a node test (a name, "*", node(), text(), ...), found ${this.describe()}`);
  }

  private predicate(): void {
    this.expect('punct', '[');
    this.expr();
    this.expect('punct', ']');
  }

  private primary(): void {
    const t = this.token;
    if (t.kind === 'variable') {
      // No variables are bound when a criterion is evaluated: any reference would fail there.
      this.fail(`variable $${t.value} is not bound; Arazzo criteria have no XPath variables`);
    }
    if (t.kind === 'literal' || t.kind === 'number') {
      this.i++;
      return;
    }
    if (t.kind === 'punct' && t.value === '(') {
      this.i++;
      this.expr();
      this.expect('punct', ')');
      return;
    }
    const arity = Object.prototype.hasOwnProperty.call(FUNCTIONS, t.value) ? FUNCTIONS[t.value] : undefined;
    if (!arity) this.fail(`${t.value}() is not an XPath 1.0 function`);
    this.i++;
    this.expect('punct', '(');
    let count = 0;
    if (!this.is('punct', ')')) {
      this.expr();
      count++;
      while (this.is('punct', ',')) {
        this.i++;
        this.expr();
        count++;
      }
    }
    this.expect('punct', ')', '"," or ")"');
    const [fewest, most] = arity;
    if (count < fewest || count > most) {
      const expected = fewest === most ? `${fewest}` : most === Infinity ? `at least ${fewest}` : `${fewest} to ${most}`;
      this.fail(`${t.value}() takes ${expected} argument${expected === '1' ? '' : 's'}, not ${count}`, t);
    }
  }
}

/** Throws ExpressionSyntaxError (offset into `expression`) when it is not an XPath 1.0 expression. */
export function checkXPath(expression: string): void {
  if (expression.trim() === '') throw new ExpressionSyntaxError('the XPath expression is empty', 0);
  new Parser(tokenize(expression)).parse();
}
