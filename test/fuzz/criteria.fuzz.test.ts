import fc from 'fast-check';
import { query, type JsonValue } from 'jsonpath-rfc9535';
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluateCondition, evaluateCriterion, parseCondition, parseJsonPathCondition } from '../../core/criteria/index.js';
import { MAX_CONDITION_NESTING } from '../../core/criteria/parse-condition.js';
import { loadXPathEngine } from '../../core/criteria/xpath-engine.js';
import { loadXPath31Engine } from '../../core/criteria/xpath31-engine.js';
import { ArazzoRuntimeError } from '../../core/errors.js';
import { ExpressionSyntaxError, type ExpressionContext } from '../../core/expressions/index.js';
import type { CriterionPlan } from '../../core/plan.js';
import { anyText, FUZZ_TEST_TIMEOUT_MS, fuzzParameters, grammarText } from './support/fuzz-parameters.js';

function throwsOnlySyntaxErrors(parse: (text: string) => unknown) {
  return (text: string) => {
    try {
      parse(text);
    } catch (err) {
      if (!(err instanceof ExpressionSyntaxError)) throw err;
    }
  };
}

/** What a step sees after a call: status, headers, a JSON (or text) body, inputs. Small, so regex backtracking stays bounded. */
const contextArbitrary: fc.Arbitrary<ExpressionContext> = fc.record({
  statusCode: fc.integer({ min: 100, max: 599 }),
  method: fc.constantFrom('GET', 'POST'),
  url: fc.webUrl(),
  response: fc.record({
    headers: fc.dictionary(fc.stringMatching(/^[a-z-]{1,8}$/), fc.string({ maxLength: 12 }), { maxKeys: 3 }),
    body: fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.string({ maxLength: 20 }), fc.constant(undefined), fc.constantFrom('<a><b x="1">t</b></a>', '<a', '<?xml version="1.0"?><r/>')),
  }),
  inputs: fc.dictionary(fc.stringMatching(/^[a-z]{1,4}$/), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
  steps: fc.constant({}),
});

const CONTEXTS = ['$response.body', '$response.body#/a', '$response.body#/0', '$response.header.x-a', '$statusCode', '$inputs.a', '$steps.s.outputs.o', '$url', '$request.body'];

const criterionArbitrary: fc.Arbitrary<CriterionPlan> = fc.record({
  type: fc.constantFrom('simple' as const, 'regex' as const, 'jsonpath' as const, 'xpath' as const),
  condition: anyText,
  context: fc.option(fc.oneof(fc.constantFrom(...CONTEXTS), grammarText), { nil: undefined }),
});

describe('fuzz: criterion parsers and evaluation', () => {
  beforeAll(async () => {
    // xpath criteria are evaluated synchronously once the engine is loaded (prepareCriteria does this per step).
    // XPath 3.1 is the default version of an xpath criterion; version xpath-10 runs on the 1.0 engine.
    await Promise.all([loadXPathEngine(), loadXPath31Engine()]);
  });

  it('parseCondition throws nothing but ExpressionSyntaxError, whatever the text', () => {
    fc.assert(fc.property(anyText, throwsOnlySyntaxErrors(parseCondition)), fuzzParameters(4_000));
  }, FUZZ_TEST_TIMEOUT_MS);

  it('parseJsonPathCondition throws nothing but ExpressionSyntaxError, whatever the text', () => {
    fc.assert(fc.property(anyText, throwsOnlySyntaxErrors(parseJsonPathCondition)), fuzzParameters(2_000));
  }, FUZZ_TEST_TIMEOUT_MS);

  it('a condition nested or chained to any depth is parsed and evaluated, or refused as a syntax error: never a stack overflow', () => {
    const shapes = {
      parentheses: (n: number) => `${'('.repeat(n)}$statusCode == 200${')'.repeat(n)}`,
      braces: (n: number) => `${'{'.repeat(n)}true${'}'.repeat(n)}`,
      negations: (n: number) => `${'!'.repeat(n)}false`,
      conjunctions: (n: number) => `${'$statusCode >= 200 && '.repeat(n)}true`,
      comparisons: (n: number) => `${'1 == '.repeat(n)}1`,
    };
    fc.assert(
      fc.property(
        fc.constantFrom(...(Object.keys(shapes) as (keyof typeof shapes)[])),
        // Around the bound, and far past it (the recursion overflowed from some thousands of levels on).
        fc.oneof(fc.integer({ min: 1, max: 2 * MAX_CONDITION_NESTING }), fc.integer({ min: 2_000, max: 20_000 })),
        (shape, depth) => {
          const text = shapes[shape](depth);
          let parsed;
          try {
            parsed = parseCondition(text);
          } catch (err) {
            if (!(err instanceof ExpressionSyntaxError)) throw err;
            expect(err.message).toBe(`the condition nests deeper than ${MAX_CONDITION_NESTING} levels`);
            expect(depth).toBeGreaterThanOrEqual(MAX_CONDITION_NESTING);
            return;
          }
          expect(depth).toBeLessThanOrEqual(MAX_CONDITION_NESTING);
          expect(typeof evaluateCondition(parsed, { inputs: {}, steps: {}, statusCode: 200 })).toBe('boolean');
        },
      ),
      fuzzParameters(300),
    );
  }, FUZZ_TEST_TIMEOUT_MS);

  it('evaluateCriterion answers a boolean or throws a named Arazzo error, for any criterion on any response', () => {
    fc.assert(
      fc.property(criterionArbitrary, contextArbitrary, (criterion, ctx) => {
        try {
          expect(typeof evaluateCriterion(criterion, ctx)).toBe('boolean');
        } catch (err) {
          if (!(err instanceof ArazzoRuntimeError)) throw err;
          expect(err.name).toMatch(/^Arazzo\.\w+$/);
        }
      }),
      fuzzParameters(3_000),
    );
  }, FUZZ_TEST_TIMEOUT_MS);

  it('simple and jsonpath comparisons agree with the values they compare', () => {
    const scalar = fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.stringMatching(/^[a-z_]{0,8}$/), fc.boolean(), fc.constant(null));
    const literal = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v) : String(v));
    fc.assert(
      fc.property(scalar, scalar, fc.integer({ min: 100, max: 599 }), fc.integer({ min: 100, max: 599 }), (expected, actual, status, against) => {
        const ctx: ExpressionContext = { inputs: {}, steps: {}, statusCode: status, response: { headers: {}, body: { status: actual } } };
        expect(evaluateCriterion({ type: 'simple', condition: `$statusCode == ${against}` }, ctx)).toBe(status === against);
        expect(evaluateCriterion({ type: 'simple', condition: `$statusCode < ${against} || $statusCode > ${against}` }, ctx)).toBe(status !== against);
        expect(evaluateCriterion({ type: 'jsonpath', context: '$response.body', condition: `$.status == ${literal(expected)}` }, ctx)).toBe(expected === actual);
        expect(evaluateCriterion({ type: 'jsonpath', context: '$response.body', condition: `$.status != ${literal(expected)}` }, ctx)).toBe(expected !== actual);
      }),
      fuzzParameters(1_000),
    );
  }, FUZZ_TEST_TIMEOUT_MS);

  it('a singular query walked directly selects what the RFC 9535 library selects', () => {
    // The comparison form and singular standard queries skip the library's parser at run time
    // (criteria/evaluate-criterion.ts selectSingular); the library stays the reference.
    const key = fc.constantFrom('a', 'b', 'status', 'length', '0', 'constructor', '__proto__', 'x y', 'é');
    const step = fc.oneof(key, fc.integer({ min: -4, max: 4 }));
    const spell = (s: string | number) => (typeof s === 'number' ? `[${s}]` : /^[a-z]+$/.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`);
    const json = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, fc.jsonValue({ maxDepth: 0 }), fc.array(tie('value'), { maxLength: 4 }), fc.dictionary(key, tie('value'), { maxKeys: 4 })),
    })).value;
    fc.assert(
      fc.property(json, fc.array(step, { minLength: 1, maxLength: 4 }), (root, path) => {
        const text = `$${path.map(spell).join('')}`;
        const parsed = parseJsonPathCondition(text);
        expect(parsed.form === 'standard' && parsed.path).toEqual(path);
        const expected = query(root as JsonValue, text);
        const ctx: ExpressionContext = { inputs: {}, steps: {}, response: { headers: {}, body: root } };
        expect(evaluateCriterion({ type: 'jsonpath', context: '$response.body', condition: text }, ctx)).toBe(expected.length > 0);
        const probe = expected.length === 1 && (expected[0] === null || typeof expected[0] !== 'object') ? expected[0] : 'no such value';
        expect(evaluateCriterion({ type: 'jsonpath', context: '$response.body', condition: `${text} == ${JSON.stringify(probe)}` }, ctx)).toBe(expected.length === 1 && expected[0] === probe);
      }),
      fuzzParameters(1_000),
    );
  }, FUZZ_TEST_TIMEOUT_MS);
});
