import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { checkCriterion, checkXPath } from '../../../core/criteria/index.js';
import { ExpressionSyntaxError } from '../../../core/expressions/expression-syntax-error.js';

// The evaluating library, loaded here only to compare what it accepts with the static check.
const xpathLibrary = createRequire(import.meta.url)('xpath') as { parse(expression: string): unknown };

function problem(expression: string): { message: string; offset: number } {
  try {
    checkXPath(expression);
  } catch (err) {
    if (err instanceof ExpressionSyntaxError) return { message: err.message, offset: err.offset };
    throw err;
  }
  throw new Error(`expected "${expression}" to be refused`);
}

const VALID = [
  '/',
  '/order',
  '/order/status',
  "/order/status = 'paid'",
  '//item[@id="7"]/price > 10',
  'count(//item) >= 2',
  'boolean(/a/b)',
  'not(/a/error)',
  "string-length(normalize-space(/a)) != 0",
  '/p:Doc/p:Id',
  '/p:Doc/p:*',
  'child::a/descendant-or-self::node()/attribute::id',
  '../a | ./b | .',
  '//text()[contains(., "x")]',
  "processing-instruction('xml-stylesheet')",
  '//comment()',
  '-1 + 2 * 3 div 4 mod 5',
  '/a/*[1] * 2',
  '(//a)[last()]/@href',
  'substring("abc", 2) = "bc" and concat("a", "b", "c") = "abc" or false()',
  '//div/div',
  'div div div',
  '@*',
  '1.5 = .5 * 3',
  'translate(/a, "abc", "ABC")',
  'sum(//n) div count(//n)',
  '/a[b][c]/d',
  '//a[@x and @y or not(@z)]',
];

describe('checkXPath', () => {
  it.each(VALID)('accepts %s, as the evaluating library does', (expression) => {
    expect(() => checkXPath(expression)).not.toThrow();
    expect(() => xpathLibrary.parse(expression)).not.toThrow();
  });

  it.each([
    ['/a[', 3, 'expected an expression, found the end of the expression'],
    ['//', 2, 'expected a node test'],
    ['/a]', 2, 'unexpected "]"'],
    ['1 +', 3, 'expected an expression'],
    ['a b', 2, 'expected an operator, found "b"'],
    ['@', 1, 'expected a node test'],
    ["/a = 'open", 5, 'unterminated string literal'],
    ['/a # 1', 3, 'unexpected character "#"'],
    ['count(/a', 8, 'expected "," or ")"'],
    ['/a[1', 4, 'expected "]"'],
    ['', 0, 'the XPath expression is empty'],
  ])('refuses malformed %j at offset %i', (expression, offset, message) => {
    expect(problem(expression)).toEqual({ offset, message: expect.stringContaining(message) });
    expect(() => xpathLibrary.parse(expression)).toThrow();
  });

  it('refuses what the library only discovers at evaluation: unknown axes, functions, arities, variables', () => {
    expect(problem('bogus::a')).toEqual({ offset: 0, message: '"bogus" is not an XPath 1.0 axis' });
    expect(problem('/a[matches(., "x")]')).toEqual({ offset: 3, message: 'matches() is not an XPath 1.0 function' });
    expect(problem('ext:fn(1)')).toEqual({ offset: 0, message: 'ext:fn() is not an XPath 1.0 function' });
    expect(problem("concat('a')")).toEqual({ offset: 0, message: 'concat() takes at least 2 arguments, not 1' });
    expect(problem('count()')).toEqual({ offset: 0, message: 'count() takes 1 argument, not 0' });
    expect(problem('substring("a", 1, 2, 3)').message).toBe('substring() takes 2 to 3 arguments, not 4');
    expect(problem('$status = "x"')).toEqual({ offset: 0, message: 'variable $status is not bound; Arazzo criteria have no XPath variables' });
    expect(problem('/a/count(b)').message).toContain('function count() cannot be a step');
    // The library parses these; they fail only when evaluated.
    for (const expression of ['bogus::a', "concat('a')", 'unknown()']) expect(() => xpathLibrary.parse(expression)).not.toThrow();
  });
});

describe('checkCriterion: xpath', () => {
  it('accepts an XPath 1.0 condition with a context', () => {
    expect(checkCriterion({ type: 'xpath', condition: "/order/status = 'paid'", context: '$response.body' })).toEqual({ problems: [], warnings: [] });
  });

  it('requires a context, as for every typed criterion', () => {
    expect(checkCriterion({ type: 'xpath', condition: '/a' }).problems).toEqual([{ message: 'a xpath criterion requires a context (e.g. $response.body)' }]);
  });

  it('reports a malformed XPath 1.0 condition (version xpath-10) with its offset into the condition', () => {
    expect(checkCriterion({ type: 'xpath', condition: '  /a[', context: '$response.body', version: 'xpath-10' }).problems).toEqual([
      { message: 'condition is not an XPath 1.0 expression: expected an expression, found the end of the expression', offset: 5 },
    ]);
  });
});
