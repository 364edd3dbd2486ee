import { describe, it, expect } from 'vitest';
import { query } from 'jsonpath-rfc9535';
import { evaluateCriterion, prepareCriteria } from '../../../core/criteria/index.js';
import type { ExpressionContext } from '../../../core/expressions/index.js';
import type { CriterionPlan } from '../../../core/plan.js';

function context(overrides: Partial<ExpressionContext> = {}): ExpressionContext {
  return {
    statusCode: 200,
    response: { headers: { 'x-count': '3', 'x-flag': 'true', 'content-type': 'application/json' }, body: {} },
    inputs: { name: 'Ada', dryRun: false, limit: 10 },
    steps: { mint: { outputs: { token: 'abc' } } },
    ...overrides,
  };
}

const simple = (condition: string): CriterionPlan => ({ type: 'simple', condition });
const check = (condition: string, ctx = context()) => evaluateCriterion(simple(condition), ctx);

describe('simple criteria', () => {
  it('compares numbers', () => {
    expect(check('$statusCode == 200')).toBe(true);
    expect(check('$statusCode == 201')).toBe(false);
    expect(check('$statusCode != 201')).toBe(true);
    expect(check('$statusCode < 300')).toBe(true);
    expect(check('$statusCode <= 200')).toBe(true);
    expect(check('$statusCode > 200')).toBe(false);
    expect(check('$statusCode >= 200')).toBe(true);
    expect(check('$statusCode >= 200.5')).toBe(false);
  });

  it('compares a number with a numeric string numerically', () => {
    expect(check('$response.header.x-count == 3')).toBe(true);
    expect(check('$response.header.X-Count > 2')).toBe(true);
    expect(check('$response.header.x-count < 10')).toBe(true);
    expect(check("200 == '200'")).toBe(true);
    expect(check("$statusCode == '200.0'")).toBe(true);
    expect(check("$statusCode == 'abc'")).toBe(false);
    expect(check("$statusCode < 'abc'")).toBe(false);
  });

  it('orders two numeric strings as numbers (Arazzo 1.1: numeric strings SHOULD be coerced with numeric operators); equality between strings stays textual', () => {
    const ctx = context({ response: { headers: { 'x-count': '10', 'x-limit': '9', 'x-name': 'b' }, body: {} }, inputs: { min: '9.5' } });
    expect(check('$response.header.x-count > $response.header.x-limit', ctx)).toBe(true);
    expect(check('$response.header.x-count >= $inputs.min', ctx)).toBe(true);
    expect(check("$response.header.x-limit < '10'", ctx)).toBe(true);
    // Not numeric: ordered as text, case-insensitively.
    expect(check("$response.header.x-name > 'A'", ctx)).toBe(true);
    expect(check("'1.0' == '1'", ctx)).toBe(false);
  });

  it('compares strings case-insensitively, as Arazzo 1.0.1 requires', () => {
    const ctx = context({ response: { headers: {}, body: { status: 'Verified' } } });
    expect(check("$response.body#/status == 'verified'", ctx)).toBe(true);
    expect(check('$response.body#/status == "VERIFIED"', ctx)).toBe(true);
    expect(check("$response.body#/status != 'verified'", ctx)).toBe(false);
    expect(check("$response.body#/status > 'apple'", ctx)).toBe(true);
    expect(check("$response.body#/status < 'VERY'", ctx)).toBe(true);
    expect(check("$response.header.content-type == 'APPLICATION/JSON'")).toBe(true);
  });

  it('treats an absent operand as equal to null and unequal to everything else (the spec tests presence with != null)', () => {
    expect(check('$response.body#/missing == null')).toBe(true);
    expect(check('$response.body#/missing != null')).toBe(false);
    expect(check('$response.body#/present != null', context({ response: { headers: {}, body: { present: 0 } } }))).toBe(true);
    expect(check("$response.body#/missing == 'x'")).toBe(false);
    expect(check("$response.body#/missing != 'x'")).toBe(true);
    expect(check('$response.body#/missing < 1')).toBe(false);
    expect(check('$response.body#/missing >= 1')).toBe(false);
    expect(check('$steps.neverRan.outputs.x == 1')).toBe(false);
    expect(check('$response.body#/missing == 1', context({ response: undefined }))).toBe(false);
  });

  it('compares null, booleans and values of different types', () => {
    const ctx = context({ response: { headers: {}, body: { nothing: null, ok: true, list: [1, { a: 2 }] } } });
    expect(check('$response.body#/nothing == null', ctx)).toBe(true);
    expect(check('$response.body#/nothing == 0', ctx)).toBe(false);
    expect(check('$response.body#/ok == true', ctx)).toBe(true);
    expect(check("$response.body#/ok == 'TRUE'", ctx)).toBe(true);
    expect(check('$response.body#/ok == 1', ctx)).toBe(false);
    expect(check('$response.header.x-flag == true')).toBe(true);
    expect(check('$response.body#/list == $response.body#/list', ctx)).toBe(true);
    expect(check('$response.body#/list < 1', ctx)).toBe(false);
    expect(check('$response.body#/list[1].a == 2', ctx)).toBe(true);
  });

  it('applies logical operators with precedence', () => {
    // a || b && c with a = true, b = false, c = false: true only if && binds tighter.
    expect(check('$statusCode == 200 || $statusCode == 1 && $statusCode == 2')).toBe(true);
    expect(check('($statusCode == 200 || $statusCode == 1) && $statusCode == 2')).toBe(false);
    expect(check('!($statusCode == 200)')).toBe(false);
    expect(check('!$inputs.dryRun && $inputs.limit >= 10')).toBe(true);
    expect(check('{$statusCode == 401}')).toBe(false);
  });

  it('reads operands as booleans', () => {
    expect(check('$inputs.dryRun')).toBe(false);
    expect(check('$inputs.name')).toBe(true);
    expect(check('$inputs.missing')).toBe(false);
    expect(check('!$inputs.missing')).toBe(true);
    expect(check('$response.header.x-flag')).toBe(true);
    expect(check('!$response.header.x-flag')).toBe(false);
    expect(check('$inputs.missing || $statusCode == 200')).toBe(true);
  });

  it('reads step outputs', () => {
    expect(check("$steps.mint.outputs.token == 'ABC'")).toBe(true);
  });
});

describe('regex criteria', () => {
  const regex = (condition: string, ctxExpr: string): CriterionPlan => ({ type: 'regex', condition, context: ctxExpr });

  it('tests the string value of the context', () => {
    expect(evaluateCriterion(regex('^200$', '$statusCode'), context())).toBe(true);
    expect(evaluateCriterion(regex('^2\\d\\d$', '$statusCode'), context({ statusCode: 204 }))).toBe(true);
    expect(evaluateCriterion(regex('^2\\d\\d$', '$statusCode'), context({ statusCode: 404 }))).toBe(false);
    expect(evaluateCriterion(regex('json', '$response.header.Content-Type'), context())).toBe(true);
    expect(evaluateCriterion(regex('^A', '$inputs.name'), context())).toBe(true);
    expect(evaluateCriterion(regex('^a', '$inputs.name'), context())).toBe(false);
  });

  it('tests objects by their JSON text', () => {
    const ctx = context({ response: { headers: {}, body: { id: 5 } } });
    expect(evaluateCriterion(regex('^\\{"id":5\\}$', '$response.body'), ctx)).toBe(true);
  });

  it('is false when the context value is absent', () => {
    expect(evaluateCriterion(regex('.*', '$response.body#/missing'), context())).toBe(false);
  });

  it('is not met, with a note, for an invalid pattern (Arazzo 1.1 § Evaluation Errors); throws for a missing context', () => {
    const notes: string[] = [];
    expect(evaluateCriterion(regex('(', '$statusCode'), context(), notes)).toBe(false);
    expect(notes).toEqual(['regex criterion "(" is not met: the condition, as evaluated (embedded values substituted), is not a regular expression']);
    expect(() => evaluateCriterion({ type: 'regex', condition: '.*' }, context())).toThrow(/context/);
  });

  it('is not met past the regex time budget in a 1.1 document, with a note naming the budget; a 1.0.x document fails with Arazzo.Expression', async () => {
    // A back-reference keeps the pattern on ECMA-262's backtracking engine, under the 250 ms budget.
    await prepareCriteria({ stepId: 's', successCriteria: [regex('x', '$statusCode')], onSuccess: [], onFailure: [] });
    const ctx = context({ inputs: { name: `${'a'.repeat(40)}!` } });
    const pattern = '^((a+)+)\\1$';
    const notes: string[] = [];
    expect(evaluateCriterion({ ...regex(pattern, '$inputs.name'), unmetPastBounds: true }, ctx, notes)).toBe(false);
    expect(notes).toEqual([`regex criterion "${pattern}" is not met: it could not be evaluated within the regex time budget, a bound of this implementation`]);
    expect(() => evaluateCriterion(regex(pattern, '$inputs.name'), ctx, [])).toThrow(expect.objectContaining({ name: 'Arazzo.Expression', message: expect.stringContaining('budget') }));
    // Any other error is not a bound: a missing context still throws, in both versions.
    expect(() => evaluateCriterion({ type: 'regex', condition: '.*', unmetPastBounds: true }, context())).toThrow(/context/);
  });
});

describe('jsonpath criteria', () => {
  const jsonpath = (condition: string, ctxExpr = '$response.body'): CriterionPlan => ({
    type: 'jsonpath',
    condition,
    context: ctxExpr,
  });
  const withBody = (body: unknown) => context({ response: { headers: {}, body } });

  describe("the seed's three onSuccess routes", () => {
    const routes = {
      verified: jsonpath('$.status == "verified"'),
      retry: jsonpath('$.status in ["unverified","failed"]'),
      pending: jsonpath('$.status == "pending"'),
    };
    const matching = (status: unknown) =>
      Object.entries(routes)
        .filter(([, c]) => evaluateCriterion(c, withBody({ id: 'c-1', status })))
        .map(([name]) => name);

    it('routes each status to exactly one action', () => {
      expect(matching('pending')).toEqual(['pending']);
      expect(matching('verified')).toEqual(['verified']);
      expect(matching('failed')).toEqual(['retry']);
      expect(matching('unverified')).toEqual(['retry']);
    });

    it('matches none for other or missing statuses (JSONPath comparisons are case-sensitive)', () => {
      expect(matching('PENDING')).toEqual([]);
      expect(matching('archived')).toEqual([]);
      expect(matching(undefined)).toEqual([]);
      expect(matching(null)).toEqual([]);
    });
  });

  it('evaluates the other comparison operators of the non-standard form', () => {
    const body = withBody({ count: 5, name: 'b', ok: true, nothing: null, items: [{ id: 1 }] });
    expect(evaluateCriterion(jsonpath('$.count > 4'), body)).toBe(true);
    expect(evaluateCriterion(jsonpath('$.count >= 5'), body)).toBe(true);
    expect(evaluateCriterion(jsonpath('$.count < 5'), body)).toBe(false);
    expect(evaluateCriterion(jsonpath('$.count <= 5'), body)).toBe(true);
    expect(evaluateCriterion(jsonpath('$.count != 5'), body)).toBe(false);
    expect(evaluateCriterion(jsonpath('$.count != 6'), body)).toBe(true);
    expect(evaluateCriterion(jsonpath('$.count == "5"'), body)).toBe(false);
    expect(evaluateCriterion(jsonpath('$.count > "4"'), body)).toBe(false);
    expect(evaluateCriterion(jsonpath('$.name < "c"'), body)).toBe(true);
    expect(evaluateCriterion(jsonpath('$.ok == true'), body)).toBe(true);
    expect(evaluateCriterion(jsonpath('$.nothing == null'), body)).toBe(true);
    expect(evaluateCriterion(jsonpath('$.items[0].id == 1'), body)).toBe(true);
    expect(evaluateCriterion(jsonpath("$['name'] == 'b'"), body)).toBe(true);
    expect(evaluateCriterion(jsonpath('$.count in [1, 5]'), body)).toBe(true);
    // The node must exist: != on a missing member is false.
    expect(evaluateCriterion(jsonpath('$.missing != 5'), body)).toBe(false);
    expect(evaluateCriterion(jsonpath('$.missing == null'), body)).toBe(false);
  });

  it('compares the root itself when the query is $', () => {
    const ctx = context({ response: { headers: {}, body: { status: 'pending' } } });
    expect(evaluateCriterion(jsonpath('$ == "pending"', '$response.body#/status'), ctx)).toBe(true);
  });

  describe('standard RFC 9535 conditions', () => {
    it('passes when the query selects at least one node', () => {
      const body = withBody({ pets: [{ id: 1, status: 'available' }, { id: 2, status: 'sold' }] });
      expect(evaluateCriterion(jsonpath('$.pets[?@.status == "sold"]'), body)).toBe(true);
      expect(evaluateCriterion(jsonpath('$.pets[?@.status == "pending"]'), body)).toBe(false);
      expect(evaluateCriterion(jsonpath('$.pets[0]'), body)).toBe(true);
      expect(evaluateCriterion(jsonpath('$.pets[5]'), body)).toBe(false);
      expect(evaluateCriterion(jsonpath('$[?length($.pets) > 1]'), body)).toBe(true);
      // count() counts nodes, not array elements: $.pets is one node.
      expect(evaluateCriterion(jsonpath('$[?count($.pets) > 1]'), body)).toBe(false);
      expect(evaluateCriterion(jsonpath('$[?count($.pets[*]) > 1]'), body)).toBe(true);
      expect(evaluateCriterion(jsonpath('$..id'), body)).toBe(true);
    });

    it('a root filter on an object context also reads @ as the context itself (the spec examples and Respect), not only its members (RFC 9535)', () => {
      // The library, pinned: on an object body, @ is bound to each member value (here the pets
      // array), which has no "pets" member, so nothing is selected.
      const body = { pets: [{ id: 1 }] };
      expect(query(body, '$[?count(@.pets) > 0]')).toEqual([]);
      // The criterion counts the reading the specification's own example means as well.
      expect(evaluateCriterion(jsonpath('$[?count(@.pets) > 0]'), withBody(body))).toBe(true);
      expect(evaluateCriterion(jsonpath('$[?count(@.pets) > 0]'), withBody({ cats: [{ id: 1 }] }))).toBe(false);
      expect(evaluateCriterion(jsonpath('$[?@.status == "pending"]'), withBody({ status: 'pending' }))).toBe(true);
      expect(evaluateCriterion(jsonpath('$[?@.status == "pending"]'), withBody({ status: 'verified' }))).toBe(false);
      // It selects when the context is an array of such objects, or through the absolute query.
      expect(evaluateCriterion(jsonpath('$[?count(@.pets) > 0]'), withBody([body]))).toBe(true);
      expect(query(body, '$[?count($.pets) > 0]')).toEqual([[{ id: 1 }]]);
      // Likewise for a filter on a member of the root object.
      expect(query({ status: 'pending' }, '$[?@.status == "pending"]')).toEqual([]);
      expect(query({ status: 'pending' }, '$[?$.status == "pending"]')).toEqual(['pending']);
    });

    it('evaluates index selectors inside filter comparisons correctly', () => {
      const body = withBody({ pets: [{ tags: ['x', 'y'] }, { tags: ['y'] }], items: [{ id: 1 }] });
      expect(evaluateCriterion(jsonpath('$.pets[?@.tags[0] == "x"]'), body)).toBe(true);
      expect(evaluateCriterion(jsonpath('$.pets[?@.tags[-1] == "x"]'), body)).toBe(false);
      expect(evaluateCriterion(jsonpath('$.pets[?@.tags[1] == "y"]'), body)).toBe(true);
      expect(evaluateCriterion(jsonpath('$[?$.items[0].id == 1]'), body)).toBe(true);
      expect(evaluateCriterion(jsonpath('$[?$.items[0].id == 2]'), body)).toBe(false);
    });

    it('treats a scalar context as the root', () => {
      expect(evaluateCriterion(jsonpath('$', '$statusCode'), context())).toBe(true);
    });
  });

  it('is false when the context value is absent', () => {
    expect(evaluateCriterion(jsonpath('$.status == "pending"', '$response.body#/missing'), withBody({}))).toBe(false);
    expect(evaluateCriterion(jsonpath('$.a'), context({ response: undefined }))).toBe(false);
  });

  it('is not met, with a note, for a condition that is neither form (Arazzo 1.1: a syntactically invalid JSONPath fails)', () => {
    const notes: string[] = [];
    expect(evaluateCriterion(jsonpath('status == pending'), withBody({ status: 'pending' }), notes)).toBe(false);
    expect(notes).toEqual(['jsonpath criterion "status == pending" is not met: the condition, as evaluated (embedded values substituted), is not a JSONPath']);
  });
});


