/**
 * Works around a defect of jsonpath-rfc9535 1.3.0: in a singular query compared inside a
 * filter (`$.pets[?@.tags[0] == "x"]`, `$[?$.items[0].id == 1]`), its parser wraps index
 * selectors in a second node (`{ type: 'IndexSelector', selector: { … } }`) that the evaluator
 * reads as index NaN, so such comparisons never select anything. Index selectors everywhere
 * else (query segments, function arguments, existence tests) are evaluated correctly.
 *
 * RFC 9535 §2.4.8 defines `value(q)` as the value of the single node `q` selects, Nothing
 * otherwise: the same as the implicit conversion of a singular query in a comparison. Such
 * queries are therefore re-spelled as `value(<query>)`, whose argument goes through the
 * correct code path. Queries without the defect are returned unchanged.
 */
import parseJsonPath from 'jsonpath-rfc9535/parser';

type Query = ReturnType<typeof parseJsonPath>;
type Segment = Query['segments'][number];
type Selection = Segment['node'];
type Selector = Extract<Selection, { type: 'BracketedSelection' }>['selectors'][number];
type Filter = Extract<Selector, { type: 'FilterSelector' }>['value'];
type Comparable = Extract<Filter, { type: 'ComparisonExpr' }>['left'];
type FunctionExpr = Extract<Comparable, { type: 'FunctionExpr' }>;
type FunctionArgument = FunctionExpr['arguments'][number];
type FilterQuery = Extract<FunctionArgument, { type: 'FilterQuery' }>;
type SingularQuery = Extract<Comparable, { type: 'RelSingularQuery' | 'AbsSingularQuery' }>;
type SingularNode = SingularQuery['segments'][number]['node'];

// Double-quoted JSON strings are valid RFC 9535 string literals.
const literal = (value: string | number | boolean | null): string => JSON.stringify(value);

/** The index of an index selector in either the declared or the defective shape. */
function indexOf(node: SingularNode): number {
  const shaped = node as { value?: number; selector?: { value: number } };
  return shaped.value ?? shaped.selector!.value;
}

const hasIndex = (q: SingularQuery): boolean => q.segments.some((s) => s.node.type === 'IndexSelector');

function formatSegments(root: string, segments: readonly Segment[]): string {
  return root + segments.map(formatSegment).join('');
}

function formatSegment(segment: Segment): string {
  const node = segment.node;
  const descendant = segment.type === 'DescendantSegment';
  // A shorthand name came from `.name`, so it is a valid member-name-shorthand as it is.
  if (node.type === 'MemberNameShorthand') return `${descendant ? '..' : '.'}${node.value}`;
  if (node.type === 'WildcardSelector') return descendant ? '..*' : '.*';
  return `${descendant ? '..' : ''}[${node.selectors.map(formatSelector).join(',')}]`;
}

function formatSelector(selector: Selector): string {
  switch (selector.type) {
    case 'NameSelector':
      return literal(selector.value);
    case 'WildcardSelector':
      return '*';
    case 'IndexSelector':
      return String(selector.value);
    case 'SliceSelector':
      return `${selector.start ?? ''}:${selector.end ?? ''}${selector.step === null ? '' : `:${selector.step}`}`;
    case 'FilterSelector':
      return `?${formatFilter(selector.value)}`;
  }
}

function formatFilter(expr: Filter): string {
  switch (expr.type) {
    case 'LogicalOrExpr':
      return `(${formatFilter(expr.left)} || ${formatFilter(expr.right)})`;
    case 'LogicalAndExpr':
      return `(${formatFilter(expr.left)} && ${formatFilter(expr.right)})`;
    case 'LogicalNotExpr':
      return `!(${formatFilter(expr.expression)})`;
    case 'TestExpr':
      return expr.expression.type === 'FilterQuery' ? formatFilterQuery(expr.expression) : formatFunction(expr.expression);
    case 'ComparisonExpr':
      return `${formatComparable(expr.left)} ${expr.op} ${formatComparable(expr.right)}`;
  }
}

function formatFilterQuery(q: FilterQuery): string {
  return formatSegments(q.value.type === 'RelQuery' ? '@' : '$', q.value.segments);
}

function formatFunction(f: FunctionExpr): string {
  return `${f.name}(${f.arguments.map(formatArgument).join(', ')})`;
}

function formatArgument(arg: FunctionArgument): string {
  switch (arg.type) {
    case 'Literal':
      return literal(arg.value);
    case 'FilterQuery':
      return formatFilterQuery(arg);
    case 'FunctionExpr':
      return formatFunction(arg);
    default:
      return formatFilter(arg);
  }
}

function formatComparable(c: Comparable): string {
  switch (c.type) {
    case 'Literal':
      return literal(c.value);
    case 'FunctionExpr':
      return formatFunction(c);
    default: {
      const text =
        (c.type === 'RelSingularQuery' ? '@' : '$') +
        c.segments
          .map(({ node }) =>
            node.type === 'IndexSelector'
              ? `[${indexOf(node)}]`
              : node.type === 'MemberNameShorthand'
                ? `.${node.value}`
                : `[${literal(node.value)}]`,
          )
          .join('');
      return hasIndex(c) ? `value(${text})` : text;
    }
  }
}

/** Canonical RFC 9535 text of a parsed query (with the `value()` re-spelling above). */
export function formatJsonPath(query: Query): string {
  return formatSegments('$', query.segments);
}

function filterNeedsRepair(expr: Filter): boolean {
  switch (expr.type) {
    case 'LogicalOrExpr':
    case 'LogicalAndExpr':
      return filterNeedsRepair(expr.left) || filterNeedsRepair(expr.right);
    case 'LogicalNotExpr':
      return filterNeedsRepair(expr.expression);
    case 'TestExpr':
      return expr.expression.type === 'FilterQuery'
        ? segmentsNeedRepair(expr.expression.value.segments)
        : functionNeedsRepair(expr.expression);
    case 'ComparisonExpr':
      return comparableNeedsRepair(expr.left) || comparableNeedsRepair(expr.right);
  }
}

function comparableNeedsRepair(c: Comparable): boolean {
  if (c.type === 'Literal') return false;
  if (c.type === 'FunctionExpr') return functionNeedsRepair(c);
  return hasIndex(c);
}

function functionNeedsRepair(f: FunctionExpr): boolean {
  return f.arguments.some((arg) =>
    arg.type === 'Literal'
      ? false
      : arg.type === 'FilterQuery'
        ? segmentsNeedRepair(arg.value.segments)
        : arg.type === 'FunctionExpr'
          ? functionNeedsRepair(arg)
          : filterNeedsRepair(arg),
  );
}

function segmentsNeedRepair(segments: readonly Segment[]): boolean {
  return segments.some(
    ({ node }) =>
      node.type === 'BracketedSelection' &&
      node.selectors.some((s) => s.type === 'FilterSelector' && filterNeedsRepair(s.value)),
  );
}

/** The query to hand to the library: `text` itself unless it contains the defect. */
export function repairJsonPath(text: string): string {
  const query = parseJsonPath(text);
  return segmentsNeedRepair(query.segments) ? formatJsonPath(query) : text;
}
