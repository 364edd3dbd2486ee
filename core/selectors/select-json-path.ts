import { query, type JsonValue } from 'jsonpath-rfc9535';
import parseJsonPath from 'jsonpath-rfc9535/parser';
import { ExpressionSyntaxError } from '../expressions/expression-syntax-error.js';

interface Segment {
  readonly type: string;
  readonly node: { readonly type: string; readonly selectors?: readonly { readonly type: string }[] };
}

const CACHE_LIMIT = 500;
const singular = new Map<string, boolean>();

/**
 * Whether a query is singular (RFC 9535 §2.3.5.1: child segments of one name or index each), so
 * selects at most one node. Throws ExpressionSyntaxError, with its offset, on a query that does not parse.
 */
export function isSingularJsonPath(selector: string): boolean {
  let known = singular.get(selector);
  if (known !== undefined) return known;
  let ast: { segments: readonly Segment[] };
  try {
    ast = parseJsonPath(selector) as unknown as { segments: readonly Segment[] };
  } catch (err) {
    const e = err as { message?: string; location?: { start?: { offset?: number } } };
    throw new ExpressionSyntaxError(`not RFC 9535 JSONPath: ${e.message ?? String(err)}`, e.location?.start?.offset ?? 0);
  }
  known = ast.segments.every(
    (s) =>
      s.type === 'ChildSegment' &&
      (s.node.type === 'MemberNameShorthand' ||
        (s.node.type === 'BracketedSelection' && s.node.selectors?.length === 1 && ['NameSelector', 'IndexSelector'].includes(s.node.selectors[0].type))),
  );
  if (singular.size >= CACHE_LIMIT) singular.clear();
  singular.set(selector, known);
  return known;
}

/**
 * The value a JSONPath selector designates. The query's form decides the shape, never the data:
 * a singular query gives its node's value (absent when it selects none), any other query the
 * list of the values it selects, in document order (empty when none).
 */
export function selectJsonPath(selector: string, root: unknown): unknown {
  const one = isSingularJsonPath(selector);
  const nodes = query(root as JsonValue, selector);
  return one ? nodes[0] : nodes;
}
