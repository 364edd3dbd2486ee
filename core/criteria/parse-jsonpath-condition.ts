/**
 * Classifies a `jsonpath` criterion condition.
 *
 * Arazzo 1.0.1 requires RFC 9535 JSONPath, where the criterion passes when the query selects
 * at least one node. Real documents also write `<query> <op> <literal>` and
 * `<query> in [<literals>]` (e.g. `$.status == "pending"`), which no RFC 9535 parser accepts;
 * that form is recognised here so it can be evaluated and reported with its standard spelling.
 */
import parseJsonPath from 'jsonpath-rfc9535/parser';
import { ExpressionSyntaxError } from '../expressions/expression-syntax-error.js';
import type { ComparisonOperator } from './parse-condition.js';
import { repairJsonPath } from './repair-jsonpath.js';

export type JsonScalar = string | number | boolean | null;

/**
 * A singular query's member names and array indices, in order. The library re-parses its query
 * text on every call, and its parser allocates more per call than the rest of a step's
 * evaluation: a singular query (what the comparison form always has) is walked directly instead.
 */
export type SingularPath = readonly (string | number)[];

export type JsonPathCondition =
  | {
      readonly form: 'standard';
      readonly query: string;
      /** The same query as handed to the library (see repairJsonPath). */
      readonly executable: string;
      /** When the query is singular: it selects a node exactly when this path exists. */
      readonly path?: SingularPath;
    }
  | {
      readonly form: 'comparison';
      readonly query: string;
      readonly path: SingularPath;
      readonly operator: ComparisonOperator;
      readonly literal: JsonScalar;
      /** The RFC 9535 query that selects a node exactly when the comparison holds, if one exists. */
      readonly standard?: string;
    }
  | {
      readonly form: 'membership';
      readonly query: string;
      readonly path: SingularPath;
      readonly values: readonly JsonScalar[];
      readonly standard?: string;
    };

type Segment = ReturnType<typeof parseJsonPath>['segments'][number];

/** Offset of the failure reported by the library's (peggy) parser, when it has one. */
function libraryOffset(error: unknown): number | undefined {
  const offset = (error as { location?: { start?: { offset?: unknown } } } | null)?.location?.start?.offset;
  return typeof offset === 'number' ? offset : undefined;
}

function libraryMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** RFC 9535 §2.3.5.1: a singular query names at most one node (only names and indices). */
function isSingular(segments: readonly Segment[]): boolean {
  return segments.every((segment) => {
    if (segment.type !== 'ChildSegment') return false;
    const { node } = segment;
    if (node.type === 'MemberNameShorthand') return true;
    return (
      node.type === 'BracketedSelection' &&
      node.selectors.length === 1 &&
      (node.selectors[0].type === 'NameSelector' || node.selectors[0].type === 'IndexSelector')
    );
  });
}

function singularPath(segments: readonly Segment[]): SingularPath | undefined {
  if (!isSingular(segments)) return undefined;
  return segments.map((segment) => {
    const { node } = segment as Extract<Segment, { type: 'ChildSegment' }>;
    if (node.type === 'MemberNameShorthand') return node.value;
    return (node as { selectors: readonly { value: string | number }[] }).selectors[0].value;
  });
}

/** Finds the first comparison operator or ` in ` outside brackets, parentheses and quotes. */
function findOperator(text: string): { at: number; operator: ComparisonOperator | 'in' } | undefined {
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '(') depth++;
    else if (c === ']' || c === ')') depth--;
    else if (depth === 0) {
      const two = text.slice(i, i + 2);
      if (two === '==' || two === '!=' || two === '<=' || two === '>=') return { at: i, operator: two };
      if (c === '<' || c === '>') return { at: i, operator: c };
      if (/\s/.test(c) && /^\s+in(?:\s|\[)/.test(text.slice(i))) {
        return { at: i + (/^\s+/.exec(text.slice(i))?.[0].length ?? 0), operator: 'in' };
      }
    }
  }
  return undefined;
}

/** JSON scalars and arrays of them; single-quoted strings as in RFC 9535 are accepted too. */
function parseLiteral(text: string, offset: number): JsonScalar | JsonScalar[] {
  let i = 0;
  const fail = (message: string): never => {
    throw new ExpressionSyntaxError(message, offset + i);
  };
  const skip = () => {
    while (/\s/.test(text[i] ?? '')) i++;
  };
  const scalar = (): JsonScalar => {
    const c = text[i];
    if (c === '"' || c === "'") {
      const start = i;
      for (i++; i < text.length && text[i] !== c; i++) if (text[i] === '\\') i++;
      if (i >= text.length) fail('unterminated string literal');
      i++;
      // Re-spelled as a JSON string: RFC 9535 single-quoted strings may contain " and \'.
      let json = '"';
      for (let k = start + 1; k < i - 1; k++) {
        const ch = text[k];
        if (ch === '\\') {
          json += text[k + 1] === "'" ? "'" : ch + text[k + 1];
          k++;
        } else {
          json += ch === '"' ? '\\"' : ch;
        }
      }
      try {
        return JSON.parse(`${json}"`) as string;
      } catch {
        return fail('invalid escape in string literal');
      }
    }
    const m = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i));
    if (!m) return fail('expected a JSON literal (string, number, true, false or null)');
    i += m[0].length;
    return JSON.parse(m[0]) as JsonScalar;
  };
  skip();
  let value: JsonScalar | JsonScalar[];
  if (text[i] === '[') {
    i++;
    skip();
    const items: JsonScalar[] = [];
    if (text[i] !== ']') {
      while (true) {
        skip();
        items.push(scalar());
        skip();
        if (text[i] === ',') i++;
        else if (text[i] === ']') break;
        else fail('expected "," or "]"');
      }
    }
    i++;
    value = items;
  } else {
    value = scalar();
  }
  skip();
  if (i < text.length) fail('unexpected text after the literal');
  return value;
}

const literalText = (value: JsonScalar): string => JSON.stringify(value);

/**
 * The RFC 9535 query that selects at least one node exactly when `<query> <op> <literal>`
 * holds on the same context value.
 *
 * A filter `$[?...]` tests the children of the root, with `@` bound to each child; it never
 * tests the root itself. So `$[?@.status == "pending"]` on `{"status":"pending"}` tests the
 * string "pending" for a member `status` and selects nothing. Comparing through the absolute
 * query (`$[?$.status == "pending"]`) keeps the meaning: it selects every child of the root
 * when the comparison holds, and the root has at least one child whenever `$.status` exists.
 * When the query is `$` itself there is no such form, as RFC 9535 cannot test the root value.
 */
function standardForm(query: string, test: string): string | undefined {
  if (query.trim() === '$') return undefined;
  const standard = `$[?${test}]`;
  try {
    parseJsonPath(standard);
    return standard;
  } catch {
    return undefined;
  }
}

function comparisonTest(query: string, operator: ComparisonOperator, literal: JsonScalar): string {
  // RFC 9535 makes a missing node unequal to any literal, but the non-standard form needs the
  // node to exist; the existence test keeps `!=` false when the member is absent.
  return operator === '!='
    ? `${query} && ${query} != ${literalText(literal)}`
    : `${query} ${operator} ${literalText(literal)}`;
}

/**
 * Reads a `jsonpath` condition: an RFC 9535 query, or the non-standard comparison form.
 * Throws ExpressionSyntaxError (offset into `condition`) when it is neither.
 */
export function parseJsonPathCondition(condition: string): JsonPathCondition {
  const lead = condition.length - condition.trimStart().length;
  const text = condition.trim();
  let standardError: unknown;
  try {
    const path = singularPath(parseJsonPath(text).segments);
    return { form: 'standard', query: text, executable: repairJsonPath(text), ...(path ? { path } : {}) };
  } catch (error) {
    standardError = error;
  }
  const found = text.startsWith('$') ? findOperator(text) : undefined;
  if (!found) {
    throw new ExpressionSyntaxError(
      `not an RFC 9535 JSONPath query: ${libraryMessage(standardError)}`,
      lead + (libraryOffset(standardError) ?? 0),
    );
  }
  const query = text.slice(0, found.at).trimEnd();
  let path: SingularPath | undefined;
  try {
    path = singularPath(parseJsonPath(query).segments);
    if (!path) {
      throw new ExpressionSyntaxError(
        `"${query}" selects more than one node; a comparison needs a singular query (names and indices only)`,
        lead,
      );
    }
  } catch (error) {
    if (error instanceof ExpressionSyntaxError) throw error;
    throw new ExpressionSyntaxError(
      `not an RFC 9535 JSONPath query: ${libraryMessage(error)}`,
      lead + (libraryOffset(error) ?? 0),
    );
  }
  const literalStart = found.at + (found.operator === 'in' ? 2 : found.operator.length);
  const value = parseLiteral(text.slice(literalStart), lead + literalStart);
  if (found.operator === 'in') {
    if (!Array.isArray(value)) {
      throw new ExpressionSyntaxError('"in" must be followed by a JSON array', lead + literalStart);
    }
    if (value.length === 0) throw new ExpressionSyntaxError('the list after "in" is empty', lead + literalStart);
    const test = value.map((v) => `${query} == ${literalText(v)}`).join(' || ');
    return { form: 'membership', query, path: path!, values: value, standard: standardForm(query, test) };
  }
  if (Array.isArray(value)) {
    throw new ExpressionSyntaxError(
      `"${found.operator}" compares with a single literal; use "in" for a list`,
      lead + literalStart,
    );
  }
  return {
    form: 'comparison',
    query,
    path: path!,
    operator: found.operator,
    literal: value,
    standard: standardForm(query, comparisonTest(query, found.operator, value)),
  };
}

/** How the non-standard form reads, for messages: `$.status in ["a","b"]`. */
export function describeJsonPathCondition(c: Exclude<JsonPathCondition, { form: 'standard' }>): string {
  return c.form === 'membership'
    ? `${c.query} in [${c.values.map(literalText).join(',')}]`
    : `${c.query} ${c.operator} ${literalText(c.literal)}`;
}
