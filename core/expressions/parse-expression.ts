/**
 * Parser of Arazzo 1.0.1 runtime expressions (§ "Runtime Expressions").
 *
 * The ABNF of the specification leaves `name` as `*( CHAR )`, which cannot tell where an
 * expression embedded in text ends. Names are therefore read as `[A-Za-z0-9_-]+` (the
 * character set the specification recommends for ids), header names as RFC 7230 tokens, and
 * the part after `#` as an RFC 6901 JSON pointer. How far the last part reaches depends on
 * where the expression sits (see {@link ScanMode}). A step or workflow id is the exception where
 * the expression is whole or braced: ids outside that set break only a SHOULD, and the ABNF's
 * `*( CHAR )` admits them (`$steps.Plan a Trip_0.outputs.x`), so there the id runs to the keyword
 * that must follow it (see {@link Scanner.id}).
 */
import { ExpressionSyntaxError } from './expression-syntax-error.js';
import { unescapePointerToken } from '../json-pointer.js';

/** One step into a value: `.name`, `[0]`, or a JSON pointer `#/a/0` (kept decoded). */
export type Accessor =
  | { readonly kind: 'property'; readonly name: string }
  | { readonly kind: 'index'; readonly index: number }
  | { readonly kind: 'pointer'; readonly tokens: readonly string[] };

export type ComponentSection = 'inputs' | 'parameters' | 'successActions' | 'failureActions';

export type Expression =
  | { readonly kind: 'url' }
  | { readonly kind: 'method' }
  | { readonly kind: 'statusCode' }
  | { readonly kind: 'requestHeader'; readonly name: string }
  | { readonly kind: 'requestQuery'; readonly name: string }
  | { readonly kind: 'requestPath'; readonly name: string }
  | { readonly kind: 'requestBody'; readonly tail: readonly Accessor[] }
  | { readonly kind: 'responseHeader'; readonly name: string }
  | { readonly kind: 'responseBody'; readonly tail: readonly Accessor[] }
  /** Arazzo 1.1: the message an AsyncAPI `receive` step received. */
  | { readonly kind: 'messageHeader'; readonly name: string }
  | { readonly kind: 'messagePayload'; readonly tail: readonly Accessor[] }
  | { readonly kind: 'inputs'; readonly name: string; readonly tail: readonly Accessor[] }
  | { readonly kind: 'outputs'; readonly name: string; readonly tail: readonly Accessor[] }
  | { readonly kind: 'stepOutput'; readonly stepId: string; readonly name: string; readonly tail: readonly Accessor[] }
  | { readonly kind: 'workflowInput'; readonly workflowId: string; readonly name: string; readonly tail: readonly Accessor[] }
  | { readonly kind: 'workflowOutput'; readonly workflowId: string; readonly name: string; readonly tail: readonly Accessor[] }
  | { readonly kind: 'sourceDescription'; readonly name: string; readonly reference: string }
  | {
      readonly kind: 'component';
      readonly section: ComponentSection;
      readonly name: string;
      readonly tail: readonly Accessor[];
    };

/**
 * Where the expression sits, which decides where its open-ended last part stops:
 * - `whole`: the expression is the entire string; a JSON pointer runs to its end (spec form).
 * - `braced`: inside `{$...}`; a pointer runs to the closing `}`.
 * - `bare`: embedded in text without braces, or an operand of a simple condition; a pointer
 *   stops at white space or at a character that delimits text or condition syntax.
 */
export type ScanMode = 'whole' | 'braced' | 'bare';

export interface ScanResult {
  readonly expression: Expression;
  /** Index just past the last character of the expression. */
  readonly end: number;
}

/** Roots that form a complete expression on their own. */
const TERMINAL_ROOTS = new Set(['url', 'method', 'statusCode']);
/** Roots that must be followed by `.`. */
const DOTTED_ROOTS = new Set([
  'request',
  'response',
  'message',
  'inputs',
  'outputs',
  'steps',
  'workflows',
  'sourceDescriptions',
  'components',
]);
const COMPONENT_SECTIONS: ReadonlySet<string> = new Set<ComponentSection>([
  'inputs',
  'parameters',
  'successActions',
  'failureActions',
]);

const isNameChar = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_-]/.test(c);
const isRootChar = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_]/.test(c);
// RFC 7230 tchar.
const isTokenChar = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9!#$%&'*+.^_`|~-]/.test(c);
// Characters that end a bare pointer: they delimit template text (quotes, separators) or
// condition syntax (operators, grouping), and practically never occur in JSON member names.
const isBarePointerEnd = (c: string): boolean => /[\s"',;()[\]{}<>=!&|]/.test(c);

/** Reads the word after `$` at `start` (which points at the `$`). */
function readRoot(text: string, start: number): string {
  let i = start + 1;
  while (isRootChar(text[i])) i++;
  return text.slice(start + 1, i);
}

/**
 * Whether the `$` at `start` begins a known expression root (`$url`, `$inputs.`, …). Text such
 * as `$5`, `$HOME` or `$inputs` without a dot is not an expression and stays literal.
 */
export function startsWithExpressionRoot(text: string, start: number): boolean {
  if (text[start] !== '$') return false;
  const root = readRoot(text, start);
  if (TERMINAL_ROOTS.has(root)) return true;
  return DOTTED_ROOTS.has(root) && text[start + 1 + root.length] === '.';
}

class Scanner {
  i: number;

  constructor(
    readonly text: string,
    start: number,
    readonly mode: ScanMode,
  ) {
    this.i = start;
  }

  fail(message: string, offset = this.i): never {
    throw new ExpressionSyntaxError(message, offset);
  }

  expectDot(after: string): void {
    if (this.text[this.i] !== '.') this.fail(`expected "." after "${after}"`);
    this.i++;
  }

  /** A name: `[A-Za-z0-9_-]+`, and with `dots` also inner `.` (a trailing dot is left out). */
  name(what: string, dots = false): string {
    const start = this.i;
    while (true) {
      if (isNameChar(this.text[this.i])) this.i++;
      else if (dots && this.text[this.i] === '.' && isNameChar(this.text[this.i + 1])) this.i++;
      else break;
    }
    if (this.i === start) this.fail(`expected ${what}`);
    return this.text.slice(start, this.i);
  }

  /**
   * A step or workflow id, followed by `.` and one of `keywords`. An id outside `[A-Za-z0-9_-]`
   * (a space, a dot) is read up to the first `.<keyword>.` only where the expression's end is
   * known (whole or braced); embedded in text, a space ends it as any name.
   */
  id(what: string, keywords: readonly string[]): string {
    const start = this.i;
    const plain = this.name(what);
    const follows = (at: number) => keywords.some((k) => this.text.startsWith(`.${k}.`, at));
    if (this.mode === 'bare' || follows(this.i)) return plain;
    const end = this.mode === 'braced' ? this.text.indexOf('}', start) : this.text.length;
    for (let j = this.i; j < (end < 0 ? this.text.length : end); j++) {
      if (this.text[j] === '$' || this.text[j] === '\n') break;
      if (follows(j)) {
        this.i = j;
        return this.text.slice(start, j);
      }
    }
    return plain;
  }

  /** The header name: an RFC 7230 token, narrowed to a dotted name when embedded in text. */
  headerName(): string {
    if (this.mode === 'bare') return this.name('a header name', true);
    const start = this.i;
    while (isTokenChar(this.text[this.i])) this.i++;
    if (this.i === start) this.fail('expected a header name');
    return this.text.slice(start, this.i);
  }

  keyword<T extends string>(allowed: readonly T[], after: string): T {
    const start = this.i;
    while (isNameChar(this.text[this.i])) this.i++;
    const word = this.text.slice(start, this.i);
    if (!(allowed as readonly string[]).includes(word)) {
      this.fail(`expected ${allowed.map((a) => `"${a}"`).join(' or ')} after "${after}"`, start);
    }
    return word as T;
  }

  tail(): Accessor[] {
    const tail: Accessor[] = [];
    let pointerSeen = false;
    const { text } = this;
    while (this.i < text.length) {
      const c = text[this.i];
      if (c === '.' && isNameChar(text[this.i + 1])) {
        this.i++;
        tail.push({ kind: 'property', name: this.name('a property name') });
      } else if (c === '[') {
        const match = /\[(0|[1-9][0-9]*)\]/y;
        match.lastIndex = this.i;
        const m = match.exec(text);
        if (!m) break;
        tail.push({ kind: 'index', index: Number(m[1]) });
        this.i += m[0].length;
      } else if (c === '#' && !pointerSeen) {
        if (this.mode === 'bare' && text[this.i + 1] !== '/') break;
        pointerSeen = true;
        tail.push(this.pointer());
      } else {
        break;
      }
    }
    return tail;
  }

  /** `#` followed by an RFC 6901 JSON pointer; `this.i` is at the `#`. */
  pointer(): Accessor {
    const { text } = this;
    const start = this.i + 1;
    let end = start;
    if (this.mode === 'whole') end = text.length;
    else if (this.mode === 'braced') while (end < text.length && text[end] !== '}') end++;
    else while (end < text.length && !isBarePointerEnd(text[end])) end++;
    const raw = text.slice(start, end);
    if (raw !== '' && raw[0] !== '/') this.fail('a JSON pointer must be empty or start with "/"', start);
    const tokens: string[] = [];
    if (raw !== '') {
      let tokenStart = start + 1;
      for (const token of raw.slice(1).split('/')) {
        const bad = /~(?![01])/.exec(token);
        if (bad) this.fail('"~" in a JSON pointer must be followed by "0" or "1"', tokenStart + bad.index);
        tokens.push(unescapePointerToken(token));
        tokenStart += token.length + 1;
      }
    }
    this.i = end;
    return { kind: 'pointer', tokens };
  }

  expression(): Expression {
    const { text } = this;
    const start = this.i;
    if (text[start] !== '$') this.fail('a runtime expression starts with "$"');
    const root = readRoot(text, start);
    this.i = start + 1 + root.length;
    if (TERMINAL_ROOTS.has(root)) return { kind: root as 'url' | 'method' | 'statusCode' };
    if (!DOTTED_ROOTS.has(root)) {
      this.fail(
        root === ''
          ? 'expected an expression name after "$"'
          : `unknown runtime expression "$${root}" (expected $url, $method, $statusCode, $request, $response, $message, $inputs, $outputs, $steps, $workflows, $sourceDescriptions or $components)`,
        start + 1,
      );
    }
    this.expectDot(`$${root}`);
    switch (root) {
      case 'request':
      case 'response':
        return this.message(root);
      case 'message': {
        const source = this.keyword(['header', 'payload'] as const, '$message.');
        if (source === 'payload') return { kind: 'messagePayload', tail: this.tail() };
        this.expectDot('$message.header');
        return { kind: 'messageHeader', name: this.headerName() };
      }
      case 'inputs':
        return { kind: 'inputs', name: this.name('an input name after "$inputs."'), tail: this.tail() };
      case 'outputs':
        return { kind: 'outputs', name: this.name('an output name after "$outputs."'), tail: this.tail() };
      case 'steps': {
        const stepId = this.id('a step id after "$steps."', ['outputs']);
        this.expectDot(`$steps.${stepId}`);
        this.keyword(['outputs'], `$steps.${stepId}.`);
        this.expectDot(`$steps.${stepId}.outputs`);
        const name = this.name('an output name');
        return { kind: 'stepOutput', stepId, name, tail: this.tail() };
      }
      case 'workflows': {
        const workflowId = this.id('a workflow id after "$workflows."', ['inputs', 'outputs']);
        this.expectDot(`$workflows.${workflowId}`);
        const which = this.keyword(['inputs', 'outputs'], `$workflows.${workflowId}.`);
        this.expectDot(`$workflows.${workflowId}.${which}`);
        const name = this.name(which === 'inputs' ? 'an input name' : 'an output name');
        return which === 'inputs'
          ? { kind: 'workflowInput', workflowId, name, tail: this.tail() }
          : { kind: 'workflowOutput', workflowId, name, tail: this.tail() };
      }
      case 'sourceDescriptions': {
        const name = this.name('a source description name after "$sourceDescriptions."');
        this.expectDot(`$sourceDescriptions.${name}`);
        // A reference is a field (`url`) or an operationId/workflowId, which may be dotted.
        const reference = this.name('a reference', true);
        return { kind: 'sourceDescription', name, reference };
      }
      default: {
        const sectionStart = this.i;
        const section = this.name('a components section after "$components."');
        if (!COMPONENT_SECTIONS.has(section)) {
          this.fail(
            `unknown components section "${section}" (expected inputs, parameters, successActions or failureActions)`,
            sectionStart,
          );
        }
        this.expectDot(`$components.${section}`);
        // Component keys match ^[a-zA-Z0-9.\-_]+$, so dots belong to the name.
        const name = this.name('a component name', true);
        return { kind: 'component', section: section as ComponentSection, name, tail: this.tail() };
      }
    }
  }

  message(root: 'request' | 'response'): Expression {
    const allowed = root === 'request' ? (['header', 'query', 'path', 'body'] as const) : (['header', 'body'] as const);
    const source = this.keyword<'header' | 'query' | 'path' | 'body'>(allowed, `$${root}.`);
    if (source === 'body') {
      const tail = this.tail();
      return root === 'request' ? { kind: 'requestBody', tail } : { kind: 'responseBody', tail };
    }
    this.expectDot(`$${root}.${source}`);
    if (source === 'header') {
      const name = this.headerName();
      return root === 'request' ? { kind: 'requestHeader', name } : { kind: 'responseHeader', name };
    }
    const name = this.name(`a ${source} parameter name`, true);
    return source === 'query' ? { kind: 'requestQuery', name } : { kind: 'requestPath', name };
  }
}

/**
 * Reads one expression starting at the `$` at `start`, stopping where it can no longer
 * continue. Throws {@link ExpressionSyntaxError} when the text after a known root is malformed.
 */
export function scanExpression(text: string, start: number, mode: ScanMode): ScanResult {
  const scanner = new Scanner(text, start, mode);
  const expression = scanner.expression();
  return { expression, end: scanner.i };
}

/** Parses a string that must consist of exactly one runtime expression. */
export function parseExpression(text: string): Expression {
  const { expression, end } = scanExpression(text, 0, 'whole');
  if (end !== text.length) {
    throw new ExpressionSyntaxError(`unexpected character "${text[end]}" after the runtime expression`, end);
  }
  return expression;
}

/** True when the whole string parses as one runtime expression. */
export function isRuntimeExpression(text: string): boolean {
  if (!text.startsWith('$')) return false;
  try {
    parseExpression(text);
    return true;
  } catch (error) {
    if (error instanceof ExpressionSyntaxError) return false;
    throw error;
  }
}
