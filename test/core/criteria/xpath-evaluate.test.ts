import { beforeAll, describe, expect, it, vi } from 'vitest';
import { evaluateCriterion, prepareCriteria } from '../../../core/criteria/index.js';
import type { ExpressionContext } from '../../../core/expressions/index.js';
import type { CriterionPlan } from '../../../core/plan.js';

const ORDER = `<?xml version="1.0" encoding="UTF-8"?>
<order id="o-1" xmlns:pay="urn:example:pay">
  <status>paid</status>
  <total currency="EUR">12.50</total>
  <lines><line sku="A"/><line sku="B"/></lines>
  <pay:receipt>r-9</pay:receipt>
  <note></note>
</order>`;

const ctx = (body: unknown): ExpressionContext => ({ inputs: {}, steps: {}, statusCode: 200, response: { headers: {}, body } });
const xpath = (condition: string, context = '$response.body'): CriterionPlan => ({ type: 'xpath', condition, context });
const holds = (condition: string, body: unknown = ORDER) => evaluateCriterion(xpath(condition), ctx(body));

describe('xpath engine loading', () => {
  it('is not loaded until a step with an xpath criterion is prepared', async () => {
    // Fresh module instances: another test file in the same worker may have loaded the engine.
    vi.resetModules();
    const criteria = await import('../../../core/criteria/index.js');
    const engine = await import('../../../core/criteria/xpath-engine.js');
    const engine31 = await import('../../../core/criteria/xpath31-engine.js');
    const plain = xpath('/order');
    const old: CriterionPlan = { ...xpath('/order'), version: 'xpath-10' };
    expect(engine.loadedXPathEngine()).toBeUndefined();
    expect(engine31.loadedXPath31Engine()).toBeUndefined();
    expect(() => criteria.evaluateCriterion(plain, ctx(ORDER))).toThrow('only after prepareCriteria() has loaded the XPath engine');
    await criteria.prepareCriteria({ stepId: 's', successCriteria: [{ type: 'simple', condition: '$statusCode == 200' }], onSuccess: [], onFailure: [] });
    expect(engine.loadedXPathEngine()).toBeUndefined();
    expect(engine31.loadedXPath31Engine()).toBeUndefined();
    // Arazzo: XPath 3.1 is the default version; only a criterion that asks for xpath-10 loads the XPath 1.0 engine.
    await criteria.prepareCriteria({ stepId: 's', successCriteria: [], onSuccess: [], onFailure: [{ outcome: 'onFailure.x', kind: 'onFailure', type: 'end', criteria: [plain] }] });
    expect(engine31.loadedXPath31Engine()).toBeDefined();
    expect(engine.loadedXPathEngine()).toBeUndefined();
    expect(criteria.evaluateCriterion(plain, ctx(ORDER))).toBe(true);
    await criteria.prepareCriteria({ stepId: 's', successCriteria: [old], onSuccess: [], onFailure: [] });
    expect(engine.loadedXPathEngine()).toBeDefined();
    expect(criteria.evaluateCriterion(old, ctx(ORDER))).toBe(true);
  });
});

describe('xpath criteria', () => {
  beforeAll(() => prepareCriteria({ stepId: 'getOrder', successCriteria: [xpath('/')], onSuccess: [], onFailure: [] }));

  it('hold on a non-empty node-set and not on an empty one', () => {
    expect(holds('/order/status')).toBe(true);
    expect(holds('//line[@sku="B"]')).toBe(true);
    expect(holds('/order/refund')).toBe(false);
    expect(holds('//line[@sku="C"]')).toBe(false);
  });

  it('follow the boolean result of comparisons', () => {
    expect(holds("/order/status = 'paid'")).toBe(true);
    expect(holds("/order/status = 'PAID'")).toBe(false);
    expect(holds('/order/total > 12 and /order/total/@currency = "EUR"')).toBe(true);
    expect(holds('count(//line) = 3')).toBe(false);
  });

  it('hold on a number other than 0 and NaN, and on a non-empty string', () => {
    expect(holds('count(//line)')).toBe(true);
    expect(holds('count(//missing)')).toBe(false);
    expect(holds('number(/order/status)')).toBe(false);
    expect(holds('string(/order/@id)')).toBe(true);
    expect(holds('string(/order/note)')).toBe(false);
    expect(holds('string(/order/missing)')).toBe(false);
  });

  it('resolve prefixes declared on the document element', () => {
    expect(holds('/order/pay:receipt = "r-9"')).toBe(true);
  });

  it('read a default namespace only through a prefix the document declares', () => {
    const body = '<a xmlns="urn:d" xmlns:d="urn:d"><b>1</b></a>';
    expect(holds('/a/b', body)).toBe(false);
    expect(holds('/d:a/d:b = 1', body)).toBe(true);
  });

  it('are false, not an error, when the context has no value', () => {
    expect(evaluateCriterion(xpath('/order'), { inputs: {}, steps: {}, response: { headers: {} } })).toBe(false);
    expect(evaluateCriterion(xpath('/order', '$response.header.x-missing'), ctx(ORDER))).toBe(false);
  });

  it('read any context expression that yields XML text', () => {
    const c = xpath("/a = 'x'", '$steps.previous.outputs.document');
    expect(evaluateCriterion(c, { inputs: {}, steps: { previous: { outputs: { document: '<a>x</a>' } } } })).toBe(true);
  });
});

describe('xpath criterion errors', () => {
  const steps = { stepId: 'getOrder', onSuccess: [], onFailure: [] };

  // Arazzo 1.1 § Criterion Object, "Evaluation Errors": a condition that cannot be evaluated is not met, and says why.
  async function unmet(criterion: CriterionPlan, body: unknown): Promise<string> {
    await prepareCriteria({ ...steps, successCriteria: [{ type: 'simple', condition: '$statusCode == 200' }, criterion] });
    const notes: string[] = [];
    expect(evaluateCriterion(criterion, ctx(body), notes)).toBe(false);
    expect(notes).toHaveLength(1);
    return notes[0];
  }

  it('are not met for a malformed document, with a note that names the step and the criterion and never quotes it', async () => {
    const note = await unmet(xpath('/order/status'), '<order><status>card 4111111111111111</order>');
    expect(note).toBe('step getOrder successCriteria[1], xpath criterion "/order/status" is not met: the context is not well-formed XML (line 1, column 16)');
    expect(note).not.toMatch(/4111|card|<status>/);
  });

  it('are not met on an HTML or JSON text body, which is not well-formed XML', async () => {
    expect(await unmet(xpath('/a'), 'Service unavailable')).toContain('the context is not well-formed XML');
    expect(await unmet(xpath('/a'), '{"a": 1}')).toContain('the context is not well-formed XML');
    expect(await unmet({ ...xpath('/a'), version: 'xpath-10' }, '{"a": 1}')).toContain('the context is not well-formed XML');
  });

  it('refuse a document with entity declarations instead of expanding them', async () => {
    expect(await unmet(xpath('/a'), '<!DOCTYPE a [<!ENTITY x "xxxxxxxxxx"><!ENTITY y "&x;&x;&x;&x;&x;&x;">]><a>&y;</a>')).toContain('not well-formed XML');
  });

  it('are not met on a parsed JSON context, which is not XML text', async () => {
    expect(await unmet(xpath('/a'), { a: 1 })).toBe(
      'step getOrder successCriteria[1], xpath criterion "/a" is not met: the context is an object, not XML text (only a response with a JSON media type is parsed; XML stays text)',
    );
  });

  it('are not met when the condition does not parse (only substituted values can bring that past the compiler), saying where', async () => {
    expect(await unmet({ ...xpath('/order[status'), version: 'xpath-10' }, ORDER)).toBe(
      'step getOrder successCriteria[1], xpath criterion "/order[status" is not met: it does not parse as XPath 1.0 (at offset 13 of the condition as evaluated)',
    );
    expect(await unmet(xpath('/order[status'), ORDER)).toMatch(/^step getOrder successCriteria\[1\], xpath criterion "\/order\[status" is not met: it does not parse as XPath 3\.1 \(at offset \d+ of the condition as evaluated\)$/);
  });

  it('are not met on a dynamic error (an undeclared prefix, an unknown function, no effective boolean value), under XPath 1.0 and 3.1 alike', async () => {
    expect(await unmet(xpath('/q:order'), ORDER)).toMatch(/^step getOrder successCriteria\[1\], xpath criterion "\/q:order" is not met: it could not be evaluated: .*\bq\b/);
    expect(await unmet(xpath('unknown-fn()'), ORDER)).toMatch(/could not be evaluated: .*unknown-fn/);
    expect(await unmet(xpath('(1, 2)'), ORDER)).toContain('could not be evaluated: FORG0006');
    expect(await unmet({ ...xpath('/q:order'), version: 'xpath-10' }, ORDER)).toContain('could not be evaluated');
  });

  it('still stop the step, with Arazzo.Expression, past the size or depth an XPath reads in a 1.0.x document (1.0.1 has no "Evaluation Errors")', async () => {
    await prepareCriteria({ ...steps, successCriteria: [xpath('/a')] });
    expect(() => evaluateCriterion(xpath('/a'), ctx(`<a>${'x'.repeat(1_100_000)}</a>`), [])).toThrow(expect.objectContaining({ name: 'Arazzo.Expression' }));
    expect(() => evaluateCriterion(xpath('/a'), ctx(`${'<a>'.repeat(300)}${'</a>'.repeat(300)}`), [])).toThrow(expect.objectContaining({ name: 'Arazzo.Expression' }));
  });

  // Arazzo 1.1: a bound the implementation hits is a runtime evaluation error, the condition "MUST evaluate to fail".
  it('are not met past the size or depth an XPath reads in a 1.1 document, with a note naming the bound and not the value', async () => {
    const bounded: CriterionPlan = { ...xpath('/a'), unmetPastBounds: true };
    const big = `<a>${'x'.repeat(1_100_000)}</a>`;
    expect(await unmet(bounded, big)).toBe(
      'step getOrder successCriteria[1], xpath criterion "/a" is not met: it could not be evaluated within the XML size an XPath reads, a bound of this implementation',
    );
    const note = await unmet({ ...bounded, version: 'xpath-10' }, `${'<a>'.repeat(300)}${'</a>'.repeat(300)}`);
    expect(note).toBe(
      'step getOrder successCriteria[1], xpath criterion "/a" is not met: it could not be evaluated within the XML nesting depth an XPath reads, a bound of this implementation',
    );
    expect(note.split('is not met:')[1]).not.toMatch(/\d/);
    // Not a bound: the other errors read the same in both versions.
    expect(await unmet(bounded, '<a>')).toContain('the context is not well-formed XML');
  });

  it('name the action a criterion belongs to', async () => {
    const criterion = xpath('/a');
    await prepareCriteria({ stepId: 'poll', successCriteria: [], onSuccess: [{ outcome: 'onSuccess.done', kind: 'onSuccess', name: 'done', type: 'end', criteria: [criterion] }], onFailure: [] });
    const notes: string[] = [];
    expect(evaluateCriterion(criterion, ctx('<a>'), notes)).toBe(false);
    expect(notes).toEqual(['step poll onSuccess "done" criteria[0], xpath criterion "/a" is not met: the context is not well-formed XML (line 1, column 1)']);
  });
});
