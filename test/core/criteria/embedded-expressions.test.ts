/**
 * Runtime expressions embedded in regex, jsonpath and xpath conditions (Arazzo 1.1 § Criterion
 * Object, "Runtime Expressions in Conditions"), with the spec's own three examples.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { checkCriterion, evaluateCriterion, listCriterionExpressions, prepareCriteria } from '../../../core/criteria/index.js';
import { conditionAsChecked, interpolateCondition, splitCondition } from '../../../core/criteria/embedded-expressions.js';
import { formatExpression, type ExpressionContext } from '../../../core/expressions/index.js';
import type { CriterionPlan } from '../../../core/plan.js';

const ctx = (inputs: Record<string, unknown>, body: unknown, steps: ExpressionContext['steps'] = {}): ExpressionContext => ({
  inputs,
  steps,
  statusCode: 200,
  response: { headers: {}, body },
});

const ITEMS = '<root><items><price>5</price></items><items><price>12</price></items></root>';
const spec = {
  jsonpath: { type: 'jsonpath', context: '$response.body', condition: '$[?(@.status == "{$inputs.expectedStatus}")]' },
  xpath: { type: 'xpath', context: '$response.body', condition: '/root/items[price > {$steps.getPricing.outputs.minPrice}]' },
  regex: { type: 'regex', context: '$response.body.status', condition: '^({$inputs.statusPattern})$' },
} as const satisfies Record<string, CriterionPlan>;

beforeAll(() => prepareCriteria({ stepId: 's', successCriteria: [spec.regex, spec.xpath, { ...spec.xpath, version: 'xpath-10' }], onSuccess: [], onFailure: [] }));

function unmet(c: CriterionPlan, context: ExpressionContext): string {
  const notes: string[] = [];
  expect(evaluateCriterion(c, context, notes)).toBe(false);
  expect(notes).toHaveLength(1);
  return notes[0];
}

describe('the specification examples', () => {
  it('compile without problems, and list what they read', () => {
    for (const c of Object.values(spec)) expect(checkCriterion(c)).toEqual({ problems: [], warnings: [] });
    expect(listCriterionExpressions(spec.xpath).map(formatExpression)).toEqual(['$response.body', '$steps.getPricing.outputs.minPrice']);
    expect(listCriterionExpressions(spec.jsonpath).map(formatExpression)).toEqual(['$response.body', '$inputs.expectedStatus']);
  });

  it('jsonpath: the value is compared as the string literal it sits in', () => {
    const body = [{ status: 'sold' }, { status: 'available' }];
    expect(evaluateCriterion(spec.jsonpath, ctx({ expectedStatus: 'sold' }, body))).toBe(true);
    expect(evaluateCriterion(spec.jsonpath, ctx({ expectedStatus: 'pending' }, body))).toBe(false);
  });

  it('xpath: a number outside a literal compares as a number, under XPath 3.1 and 1.0', () => {
    const pricing = (minPrice: unknown) => ctx({}, ITEMS, { getPricing: { outputs: { minPrice } } });
    expect(evaluateCriterion(spec.xpath, pricing(10))).toBe(true);
    expect(evaluateCriterion(spec.xpath, pricing(20))).toBe(false);
    // A number read from XML or an input as text ("10.5") reads as the number it writes.
    expect(evaluateCriterion(spec.xpath, pricing('10.5'))).toBe(true);
    expect(evaluateCriterion({ ...spec.xpath, version: 'xpath-10' }, pricing(-1))).toBe(true);
    expect(evaluateCriterion({ ...spec.xpath, version: 'xpath-10' }, pricing(12))).toBe(false);
  });

  it('regex: the value is pattern text, as the spec substitutes it (its example names it a pattern)', () => {
    expect(evaluateCriterion(spec.regex, { ...ctx({ statusPattern: 'active|pending' }, { status: 'pending' }) })).toBe(true);
    expect(evaluateCriterion(spec.regex, { ...ctx({ statusPattern: 'active|pending' }, { status: 'closed' }) })).toBe(false);
  });
});

describe('values are data in JSONPath and XPath, never path syntax', () => {
  const body = [{ status: 'sold' }, { status: 'x' }];

  it('escape a quote, a backslash and control characters for a JSONPath literal', () => {
    const injection = 'nothing" || @.status == "sold';
    expect(interpolateCondition(spec.jsonpath, ctx({ expectedStatus: injection }, body))).toBe('$[?(@.status == "nothing\\" || @.status == \\"sold")]');
    expect(evaluateCriterion(spec.jsonpath, ctx({ expectedStatus: injection }, body))).toBe(false);
    expect(evaluateCriterion(spec.jsonpath, ctx({ expectedStatus: 'a\\b"\n' }, [{ status: 'a\\b"\n' }]))).toBe(true);
    const single: CriterionPlan = { ...spec.jsonpath, condition: "$[?@.status == '{$inputs.s}']" };
    expect(evaluateCriterion(single, ctx({ s: "it's" }, [{ status: "it's" }]))).toBe(true);
  });

  it('double the quote for an XPath 2.0+ literal; refuse one XPath 1.0 cannot hold', () => {
    const xpath: CriterionPlan = { type: 'xpath', context: '$response.body', condition: "/r/n = '{$inputs.name}'" };
    const doc = `<r><n>O'Brien</n></r>`;
    expect(evaluateCriterion(xpath, ctx({ name: "O'Brien" }, doc))).toBe(true);
    expect(evaluateCriterion(xpath, ctx({ name: "x' or '1'='1" }, doc))).toBe(false);
    expect(unmet({ ...xpath, version: 'xpath-10' }, ctx({ name: "x' or '1'='1" }, doc))).toBe(
      `xpath criterion "/r/n = '{$inputs.name}'" is not met: the value of {$inputs.name} holds the quote (') that delimits it, which an XPath 1.0 string literal cannot hold`,
    );
  });

  it("read a quote inside an XPath 2.0+ comment as comment text, so a value after it is not taken for a literal's", () => {
    const commented: CriterionPlan = { type: 'xpath', context: '$response.body', condition: "/root/items[(: the payer's minimum :) price > {$inputs.min}]" };
    expect(splitCondition(commented.condition, 'xpath-2').find((p) => p.kind === 'expression')).not.toHaveProperty('quote');
    expect(evaluateCriterion(commented, ctx({ min: 10 }, ITEMS))).toBe(true);
    // The value stands outside any literal: a number or nothing, never XPath of its own.
    expect(unmet(commented, ctx({ min: '99 or true()' }, ITEMS))).toContain('stands outside a string literal');
    expect(splitCondition("(: a (: nested ' :) comment :) /r = '{$inputs.x}'", 'xpath-2').find((p) => p.kind === 'expression')).toHaveProperty('quote', "'");
  });

  it('are not met, saying why, when a value outside a literal is not a number, and never quote it', () => {
    const note = unmet(spec.xpath, ctx({}, ITEMS, { getPricing: { outputs: { minPrice: '0] | /root[1' } } }));
    expect(note).toBe(
      'step s successCriteria[1], xpath criterion "/root/items[price > {$steps.getPricing.outputs.minPrice}]" is not met: {$steps.getPricing.outputs.minPrice} stands outside a string literal, where its value must be a number (it is string); to compare text, put the expression in quotes',
    );
    expect(unmet(spec.jsonpath, ctx({}, body))).toBe(`jsonpath criterion "${spec.jsonpath.condition}" is not met: {$inputs.expectedStatus} has no value`);
  });

  it('keep an escaped brace of a regex, and a map constructor over an XPath variable, as text', () => {
    expect(splitCondition('^\\{$inputs.x}$', 'regex')).toEqual([{ kind: 'text', text: '^\\{$inputs.x}$' }]);
    expect(splitCondition('map{$k: 1}', 'xpath-2')).toEqual([{ kind: 'text', text: 'map{$k: 1}' }]);
  });

  it('regex: a pattern that no longer parses is not met; the linear engine still runs it', () => {
    expect(unmet(spec.regex, ctx({ statusPattern: '(' }, { status: 'x' }))).toContain('is not a regular expression');
    // A nested repetition from the value runs on RE2 in linear time: no budget error on a long text.
    expect(evaluateCriterion(spec.regex, ctx({ statusPattern: '(a+)+' }, { status: `${'a'.repeat(50_000)}b` }))).toBe(false);
  });
});

describe('compile-time checks', () => {
  it('check the condition with stand-ins of the same length, so offsets are the condition\'s', () => {
    expect(conditionAsChecked(spec.xpath)).toBe('/root/items[price > (0)                                 ]');
    expect(conditionAsChecked(spec.jsonpath)).toHaveLength(spec.jsonpath.condition.length);
  });

  it('report a malformed embedded expression, and a place where no value can stand', () => {
    expect(checkCriterion({ ...spec.xpath, condition: '/a[b = {$inputs.}]' }).problems).toEqual([
      expect.objectContaining({ rule: 'embedded-expression', message: expect.stringContaining('does not parse') }),
    ]);
    expect(checkCriterion({ ...spec.jsonpath, condition: '$.{$inputs.field}' }).problems).toEqual([
      expect.objectContaining({ message: expect.stringContaining('each embedded {$...} read as the value it stands for') }),
    ]);
  });
});
