/**
 * Filters `?()` of Goessner's JSONPath (`draft-goessner-dispatch-jsonpath-00`, an Expression Type
 * Object version in Arazzo 1.1). The draft, like Goessner's 2007 article, leaves the filter's
 * language to "the underlying script engine", which for the original implementation and its
 * heirs is JavaScript. So a filter is read here as the JavaScript expression it is, with
 * JavaScript's own operators on the JSON values (loose `==`, `<` that converts, truthiness), for
 * the part of JavaScript that the article's filters use: `@` and its members (`@.price`,
 * `@['a b']`, `@[0]`, `@.length`), string, number, `true`/`false`/`null` literals, `== != ===
 * !== < <= > >=`, `! && ||` and parentheses. Anything more (arithmetic, calls such as
 * `@.name.match(...)`, `$` inside a filter, script selectors `[(...)]`) is refused at compile
 * time: its meaning is whatever an `eval` made of it. Nothing is evaluated by `eval`.
 *
 * The path around the filters reads the same as RFC 9535 (names, indices, wildcards, slices,
 * `..`), and the RFC 9535 engine evaluates it. The draft's implementations disagree on what `@`
 * is when a filter applies to an object's members (the original: the object itself; later ones:
 * each member), so that case leaves the criterion unmet with a note rather than picking one.
 */
import { query, type JsonValue } from 'jsonpath-rfc9535';
import { ExpressionSyntaxError } from '../expressions/expression-syntax-error.js';
import { CriterionNotMet } from './criterion-not-met.js';

type Accessor = string | number;

type FilterNode =
  | { readonly kind: 'current'; readonly path: readonly Accessor[] }
  | { readonly kind: 'literal'; readonly value: string | number | boolean | null }
  | { readonly kind: 'not'; readonly operand: FilterNode }
  | { readonly kind: 'binary'; readonly operator: BinaryOperator; readonly left: FilterNode; readonly right: FilterNode };

type BinaryOperator = '||' | '&&' | '==' | '!=' | '===' | '!==' | '<' | '<=' | '>' | '>=';

/** A Goessner path split at its filters: RFC 9535 path text, then each filter and the path text after it. */
interface GoessnerPath {
  readonly head: string;
  readonly filters: readonly { readonly filter: FilterNode; readonly tail: string }[];
}

/** Whether a jsonpath condition holds a Goessner filter `[?(...)]` (RFC 9535 writes `[?...]` without the parentheses too). */
export const isGoessnerFilterCondition = (condition: string) => /\[\s*\?\s*\(/.test(condition);

const OPERATORS: readonly BinaryOperator[] = ['===', '!==', '==', '!=', '<=', '>=', '&&', '||', '<', '>'];
const PRECEDENCE: readonly (readonly BinaryOperator[])[] = [['||'], ['&&'], ['==', '!=', '===', '!=='], ['<', '<=', '>', '>=']];
const MAX_NESTING = 64;

class FilterParser {
  private i: number;
  private depth = 0;

  constructor(
    private readonly text: string,
    start: number,
    private readonly end: number,
  ) {
    this.i = start;
  }

  parse(): FilterNode {
    const node = this.binary(0);
    this.space();
    if (this.i < this.end) throw this.unsupported();
    return node;
  }

  private space() {
    while (this.i < this.end && /\s/.test(this.text[this.i])) this.i++;
  }

  private unsupported(): ExpressionSyntaxError {
    return new ExpressionSyntaxError(
      `a Goessner filter reads @ and its members, literals, == != === !== < <= > >=, ! && || and parentheses; "${this.text[this.i]}" starts script beyond that, whose meaning was the original implementation's eval (write the condition as RFC 9535 JSONPath)`,
      this.i,
    );
  }

  private operator(levels: readonly BinaryOperator[]): BinaryOperator | undefined {
    this.space();
    const found = OPERATORS.find((o) => this.text.startsWith(o, this.i));
    return found && levels.includes(found) ? found : undefined;
  }

  private binary(level: number): FilterNode {
    if (level === PRECEDENCE.length) return this.unary();
    let left = this.binary(level + 1);
    let operator: BinaryOperator | undefined;
    while ((operator = this.operator(PRECEDENCE[level]))) {
      this.i += operator.length;
      const right = this.binary(level + 1);
      left = { kind: 'binary', operator, left, right };
    }
    return left;
  }

  private nested<T>(parse: () => T): T {
    if (++this.depth > MAX_NESTING) throw new ExpressionSyntaxError(`the filter nests deeper than ${MAX_NESTING} levels`, this.i);
    try {
      return parse();
    } finally {
      this.depth--;
    }
  }

  private unary(): FilterNode {
    this.space();
    if (this.text[this.i] === '!' && this.text[this.i + 1] !== '=') {
      this.i++;
      return this.nested(() => ({ kind: 'not', operand: this.unary() }));
    }
    return this.primary();
  }

  private primary(): FilterNode {
    this.space();
    const c = this.text[this.i];
    if (c === '(') {
      this.i++;
      const inner = this.nested(() => this.binary(0));
      this.space();
      if (this.text[this.i] !== ')') throw new ExpressionSyntaxError('expected ")"', this.i);
      this.i++;
      return inner;
    }
    if (c === '@') {
      this.i++;
      return { kind: 'current', path: this.accessors() };
    }
    if (c === "'" || c === '"') return { kind: 'literal', value: this.string() };
    const number = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/.exec(this.text.slice(this.i, this.end))?.[0];
    if (number) {
      this.i += number.length;
      return { kind: 'literal', value: Number(number) };
    }
    const word = /^(true|false|null)\b/.exec(this.text.slice(this.i, this.end))?.[1];
    if (word) {
      this.i += word.length;
      return { kind: 'literal', value: word === 'null' ? null : word === 'true' };
    }
    if (this.i >= this.end) throw new ExpressionSyntaxError('the filter ends where an operand is expected', this.i);
    throw this.unsupported();
  }

  private accessors(): Accessor[] {
    const path: Accessor[] = [];
    for (;;) {
      const c = this.text[this.i];
      if (c === '.' && /[A-Za-z_$]/.test(this.text[this.i + 1] ?? '')) {
        const name = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(this.text.slice(this.i + 1, this.end))![0];
        this.i += 1 + name.length;
        // A call (`@.name.match(...)`) is script, not a member.
        if (this.text[this.i] === '(') throw this.unsupported();
        path.push(name);
      } else if (c === '[') {
        this.i++;
        this.space();
        const q = this.text[this.i];
        let key: Accessor;
        if (q === "'" || q === '"') key = this.string();
        else {
          const index = /^(?:0|[1-9][0-9]*)/.exec(this.text.slice(this.i, this.end))?.[0];
          if (!index) throw this.unsupported();
          this.i += index.length;
          key = Number(index);
        }
        this.space();
        if (this.text[this.i] !== ']') throw new ExpressionSyntaxError('expected "]"', this.i);
        this.i++;
        path.push(key);
      } else {
        return path;
      }
    }
  }

  /** A JavaScript string literal (the escapes `\\ \' \" \n \t \r \b \f \/ \uXXXX`). */
  private string(): string {
    const quote = this.text[this.i];
    const start = this.i;
    let value = '';
    this.i++;
    while (this.i < this.end && this.text[this.i] !== quote) {
      let c = this.text[this.i++];
      if (c === '\\') {
        const e = this.text[this.i++];
        const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '\\': '\\', "'": "'", '"': '"', '/': '/' };
        if (e === 'u' && /^[0-9A-Fa-f]{4}$/.test(this.text.slice(this.i, this.i + 4))) {
          c = String.fromCharCode(parseInt(this.text.slice(this.i, this.i + 4), 16));
          this.i += 4;
        } else if (e !== undefined && e in simple) c = simple[e];
        else throw new ExpressionSyntaxError('an escape a JSON string does not have', this.i - 2);
      }
      value += c;
    }
    if (this.i >= this.end) throw new ExpressionSyntaxError('unterminated string literal', start);
    this.i++;
    return value;
  }
}

/** The end (exclusive, past `]`) of the filter selector that opens at `open` (`[`), skipping string literals. */
function filterEnd(text: string, open: number): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '[' || c === '(') depth++;
    else if (c === ']' || c === ')') {
      depth--;
      if (depth === 0) return c === ']' ? i + 1 : -1;
    }
  }
  return -1;
}

/** Splits and parses a Goessner path; throws ExpressionSyntaxError (with the offset into the condition) for what it does not read. */
function parseGoessnerPath(condition: string): GoessnerPath {
  const filters: { filter: FilterNode; tail: string }[] = [];
  let head: string | undefined;
  let from = 0;
  const pattern = /\[\s*\?\s*\(/g;
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(condition))) {
    const open = match.index;
    const close = filterEnd(condition, open);
    if (close < 0) throw new ExpressionSyntaxError('the filter "[?(" is not closed by ")]"', open);
    const paren = open + match[0].length - 1;
    const inner = condition.lastIndexOf(')', close - 1);
    if (inner <= paren || condition.slice(inner + 1, close - 1).trim()) throw new ExpressionSyntaxError('expected ")]" to close the filter', open);
    const path = condition.slice(from, open);
    // `..[?(...)]` filters the members of objects too, where the draft's implementations read @ two ways.
    if (/\.\.\s*$/.test(path)) throw new ExpressionSyntaxError('a filter right after ".." applies to the members of objects, where Goessner\'s implementations read @ two ways (the object itself, or each member); write the condition as RFC 9535 JSONPath', open);
    if (head === undefined) head = path;
    else filters[filters.length - 1].tail = path;
    filters.push({ filter: new FilterParser(condition, paren + 1, inner).parse(), tail: '' });
    from = close;
    pattern.lastIndex = close;
  }
  if (head === undefined) return { head: condition, filters: [] };
  filters[filters.length - 1].tail = condition.slice(from);
  return { head, filters };
}

/** The RFC 9535 parts of the path must parse as RFC 9535 (their reading is the same); throws ExpressionSyntaxError. */
function checkPathParts(path: GoessnerPath): void {
  const parts = [path.head, ...path.filters.map((f) => `$${f.tail}`)];
  for (const part of parts) {
    if (part.trim() === '$') continue;
    try {
      query({}, part);
    } catch (err) {
      throw new ExpressionSyntaxError(`"${part}" (the path around the filters) is not a JSONPath that Goessner's draft and RFC 9535 read alike: ${(err as Error).message}`, 0);
    }
  }
}

/** Compile-time check of a Goessner jsonpath condition with filters; throws ExpressionSyntaxError. */
export function checkGoessnerCondition(condition: string): void {
  if (!condition.trimStart().startsWith('$')) throw new ExpressionSyntaxError('a JSONPath starts with "$"', 0);
  checkPathParts(parseGoessnerPath(condition));
}

function member(value: unknown, key: Accessor): unknown {
  if (value === undefined || value === null) throw new CriterionNotMet(`a Goessner filter reads member "${key}" of ${value === null ? 'null' : 'an absent value'}, which JavaScript, its script language, refuses (TypeError)`);
  if (typeof value === 'string') return key === 'length' ? value.length : typeof key === 'number' ? value[key] : undefined;
  if (Array.isArray(value)) return key === 'length' ? value.length : typeof key === 'number' ? value[key] : undefined;
  if (typeof value === 'object') return Object.hasOwn(value, key) ? (value as Record<string, unknown>)[String(key)] : undefined;
  return undefined;
}

/** JavaScript's own operators on JSON values (no functions can hide in JSON, so converting an object runs no code of the document's). */
function evaluateFilter(node: FilterNode, current: unknown): unknown {
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'current':
      return node.path.reduce<unknown>((value, key) => member(value, key), current);
    case 'not':
      return !evaluateFilter(node.operand, current);
    case 'binary': {
      const left = evaluateFilter(node.left, current);
      if (node.operator === '&&') return left && evaluateFilter(node.right, current);
      if (node.operator === '||') return left || evaluateFilter(node.right, current);
      const right = evaluateFilter(node.right, current);
      const [a, b] = [left as number, right as number];
      switch (node.operator) {
        // Goessner's filters are JavaScript, whose == converts types.
        case '==': return a == b;
        case '!=': return a != b;
        case '===': return a === b;
        case '!==': return a !== b;
        case '<': return a < b;
        case '<=': return a <= b;
        case '>': return a > b;
        case '>=': return a >= b;
      }
    }
  }
}

function select(path: string, root: unknown): unknown[] {
  return path.trim() === '$' ? [root] : (query(root as JsonValue, path) as unknown[]);
}

const parsedPaths = new Map<string, GoessnerPath>();

/**
 * The nodes a Goessner path with filters selects in `root`. Throws CriterionNotMet where the
 * draft's readings part (a filter over an object's members, a member of null or of an absent value).
 */
export function goessnerQuery(condition: string, root: unknown, cacheable = true): unknown[] {
  let path = parsedPaths.get(condition);
  if (!path) {
    try {
      path = parseGoessnerPath(condition);
    } catch (err) {
      if (err instanceof ExpressionSyntaxError) throw new CriterionNotMet(`the condition, as evaluated, is not a Goessner JSONPath that this implementation reads (at offset ${err.offset})`);
      throw err;
    }
    // A condition with substituted values (per execution, possibly large) is not kept.
    if (cacheable) {
      if (parsedPaths.size >= 500) parsedPaths.clear();
      parsedPaths.set(condition, path);
    }
  }
  let nodes: unknown[];
  try {
    nodes = select(path.head, root);
  } catch {
    throw new CriterionNotMet('the path before its first filter is not an RFC 9535 JSONPath');
  }
  for (const { filter, tail } of path.filters) {
    const kept: unknown[] = [];
    for (const node of nodes) {
      if (node === null || typeof node !== 'object') continue;
      if (!Array.isArray(node)) {
        throw new CriterionNotMet("a Goessner filter applies to an object's members, where its implementations read @ two ways (the object itself, or each member); write the condition as RFC 9535 JSONPath, which reads each member");
      }
      for (const item of node) {
        try {
          if (evaluateFilter(filter, item)) kept.push(item);
        } catch (err) {
          if (err instanceof CriterionNotMet) throw err;
          // Converting an object with a "toString" member that is not a function: JavaScript's TypeError.
          throw new CriterionNotMet(`a Goessner filter could not be evaluated: ${(err as Error).name}`);
        }
      }
    }
    try {
      nodes = kept.flatMap((item) => select(`$${tail}`, item));
    } catch {
      throw new CriterionNotMet('the path after a filter is not an RFC 9535 JSONPath');
    }
  }
  return nodes;
}

/** Whether a Goessner jsonpath condition with filters selects at least one node (Arazzo 1.1 § JSONPath Conditions). */
export function evaluateGoessnerCondition(condition: string, root: unknown, cacheable = true): boolean {
  return goessnerQuery(condition, root, cacheable).length > 0;
}
