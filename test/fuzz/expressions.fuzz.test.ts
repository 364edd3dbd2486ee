import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExpressionSyntaxError, formatExpression, parseExpression, parseTemplate, type Accessor, type Expression, type TemplatePart } from '../../core/expressions/index.js';
import { anyText, FUZZ_TEST_TIMEOUT_MS, fuzzParameters } from './support/fuzz-parameters.js';

/** Runs `parse`, letting only its own syntax error through as a normal outcome. */
function throwsOnlySyntaxErrors(parse: (text: string) => unknown) {
  return (text: string) => {
    try {
      parse(text);
    } catch (err) {
      if (!(err instanceof ExpressionSyntaxError)) throw err;
      // The offset points into the text, so the compiler can underline the right character.
      expect(err.offset).toBeGreaterThanOrEqual(0);
      expect(err.offset).toBeLessThanOrEqual(text.length);
    }
  };
}

const name = fc.stringMatching(/^[A-Za-z0-9_-]{1,10}$/);
const dottedName = fc.array(name, { minLength: 1, maxLength: 3 }).map((parts) => parts.join('.'));
const headerName = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,12}$/);

/** Property and index steps, then at most one JSON pointer, which in a whole expression runs to the end. */
function tailOf(pointerToken: fc.Arbitrary<string>, options: { leadingProperty: boolean }): fc.Arbitrary<Accessor[]> {
  const step = fc.oneof(
    name.map((n): Accessor => ({ kind: 'property', name: n })),
    fc.nat({ max: 1_000_000 }).map((i): Accessor => ({ kind: 'index', index: i })),
  );
  const pointer = fc.array(pointerToken, { maxLength: 4 }).map((tokens): Accessor => ({ kind: 'pointer', tokens }));
  return fc
    .tuple(fc.array(step, { maxLength: 3 }), fc.option(pointer, { nil: undefined }))
    .map(([steps, last]) => [...steps, ...(last ? [last] : [])])
    // A dotted name (components) reads a following `.x` as part of the name, so no property may lead its tail.
    .filter((tail) => options.leadingProperty || tail[0]?.kind !== 'property');
}

/** Every expression the parser can produce; `pointerToken` says what pointer tokens may hold. */
function expressionOf(pointerToken: fc.Arbitrary<string>): fc.Arbitrary<Expression> {
  const tail = tailOf(pointerToken, { leadingProperty: true });
  return fc.oneof(
    fc.constantFrom<Expression>({ kind: 'url' }, { kind: 'method' }, { kind: 'statusCode' }),
    fc.record({ kind: fc.constantFrom('requestHeader' as const, 'responseHeader' as const), name: headerName }),
    fc.record({ kind: fc.constantFrom('requestQuery' as const, 'requestPath' as const), name: dottedName }),
    fc.record({ kind: fc.constantFrom('requestBody' as const, 'responseBody' as const), tail }),
    fc.record({ kind: fc.constantFrom('inputs' as const, 'outputs' as const), name, tail }),
    fc.record({ kind: fc.constant('stepOutput' as const), stepId: name, name, tail }),
    fc.record({ kind: fc.constantFrom('workflowInput' as const, 'workflowOutput' as const), workflowId: name, name, tail }),
    fc.record({ kind: fc.constant('sourceDescription' as const), name, reference: dottedName }),
    fc.record({
      kind: fc.constant('component' as const),
      section: fc.constantFrom('inputs' as const, 'parameters' as const, 'successActions' as const, 'failureActions' as const),
      name: dottedName,
      tail: tailOf(pointerToken, { leadingProperty: false }),
    }),
  ) as fc.Arbitrary<Expression>;
}

// In a whole expression a pointer runs to the end of the text, so its tokens may hold anything.
const wholeExpression = expressionOf(fc.string({ maxLength: 6 }));
// Inside `{$...}` a pointer runs to the closing brace.
const bracedExpression = expressionOf(fc.string({ maxLength: 6 }).filter((t) => !t.includes('}')));

describe('fuzz: runtime expression and template parsers', () => {
  it('parseExpression throws nothing but ExpressionSyntaxError, whatever the text', () => {
    fc.assert(fc.property(anyText, throwsOnlySyntaxErrors(parseExpression)), fuzzParameters(4_000));
  }, FUZZ_TEST_TIMEOUT_MS);

  it('parseTemplate throws nothing but ExpressionSyntaxError, whatever the text', () => {
    fc.assert(fc.property(anyText, throwsOnlySyntaxErrors(parseTemplate)), fuzzParameters(4_000));
  }, FUZZ_TEST_TIMEOUT_MS);

  it('parseExpression(formatExpression(e)) is e for every expression the grammar allows', () => {
    fc.assert(
      fc.property(wholeExpression, (expression) => {
        const text = formatExpression(expression);
        expect(parseExpression(text)).toEqual(expression);
        // The canonical text is canonical: formatting what was parsed gives the same text.
        expect(formatExpression(parseExpression(text))).toBe(text);
      }),
      fuzzParameters(3_000),
    );
  }, FUZZ_TEST_TIMEOUT_MS);

  it('a whole expression is one template part; text around {$...} parts comes back as it was', () => {
    const text = fc.string({ maxLength: 8 }).filter((t) => !t.includes('$') && !t.includes('{'));
    fc.assert(
      fc.property(wholeExpression, fc.array(fc.tuple(text, bracedExpression), { minLength: 1, maxLength: 3 }), text, (whole, pieces, end) => {
        expect(parseTemplate(formatExpression(whole))).toEqual([{ kind: 'expression', expression: whole, braced: false, offset: 0 }]);

        const expected: TemplatePart[] = [];
        let template = '';
        for (const [before, expression] of pieces) {
          if (before) expected.push({ kind: 'text', text: before });
          template += before;
          expected.push({ kind: 'expression', expression, braced: true, offset: template.length });
          template += `{${formatExpression(expression)}}`;
        }
        if (end) expected.push({ kind: 'text', text: end });
        template += end;
        expect(parseTemplate(template)).toEqual(expected);
      }),
      fuzzParameters(2_000),
    );
  }, FUZZ_TEST_TIMEOUT_MS);
});
