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

  async function failure(criterion: CriterionPlan, body: unknown): Promise<Error> {
    await prepareCriteria({ ...steps, successCriteria: [{ type: 'simple', condition: '$statusCode == 200' }, criterion] });
    try {
      evaluateCriterion(criterion, ctx(body));
    } catch (err) {
      return err as Error;
    }
    throw new Error('expected the criterion to fail');
  }

  it('name the step and the criterion for a malformed document, and never quote it', async () => {
    const err = await failure(xpath('/order/status'), '<order><status>card 4111111111111111</order>');
    expect(err.name).toBe('Arazzo.Expression');
    expect(err.message).toBe('step getOrder successCriteria[1], xpath criterion "/order/status": the context is not well-formed XML (line 1, column 16)');
    expect(err.message).not.toMatch(/4111|card|<status>/);
  });

  it('report an HTML or JSON text body as not well-formed rather than evaluating it', async () => {
    expect((await failure(xpath('/a'), 'Service unavailable')).message).toContain('the context is not well-formed XML');
    expect((await failure(xpath('/a'), '{"a": 1}')).message).toContain('the context is not well-formed XML');
  });

  it('refuse a document with entity declarations instead of expanding them', async () => {
    const bomb = '<!DOCTYPE a [<!ENTITY x "xxxxxxxxxx"><!ENTITY y "&x;&x;&x;&x;&x;&x;">]><a>&y;</a>';
    expect((await failure(xpath('/a'), bomb)).message).toContain('not well-formed XML');
  });

  it('name a parsed JSON context as not XML text', async () => {
    const err = await failure(xpath('/a'), { a: 1 });
    expect(err.message).toBe(
      'step getOrder successCriteria[1], xpath criterion "/a": the context is an object, not XML text (only a response with a JSON media type is parsed; XML stays text)',
    );
  });

  it('explain a malformed expression with the static check', async () => {
    const err = await failure({ ...xpath('/order[status'), version: 'xpath-10' }, ORDER);
    expect(err.name).toBe('Arazzo.Expression');
    expect(err.message).toBe('step getOrder successCriteria[1], xpath criterion "/order[status": not an XPath 1.0 expression: expected "]", found the end of the expression');
  });

  it('explain a malformed XPath 3.1 expression with its offset', async () => {
    const err = await failure(xpath('/order[status'), ORDER);
    expect(err.name).toBe('Arazzo.Expression');
    expect(err.message).toMatch(/^step getOrder successCriteria\[1\], xpath criterion "\/order\[status": not an XPath 3\.1 expression: .+ \(at offset \d+\)$/);
  });

  it('report what fails at evaluation, such as an undeclared prefix or an unknown function', async () => {
    expect((await failure(xpath('/q:order'), ORDER)).message).toMatch(/^step getOrder successCriteria\[1\], xpath criterion "\/q:order": could not be evaluated: .*\bq\b/);
    expect((await failure(xpath('unknown-fn()'), ORDER)).message).toMatch(/could not be evaluated: .*unknown-fn/);
  });

  it('name the action a criterion belongs to', async () => {
    const criterion = xpath('/a');
    await prepareCriteria({ stepId: 'poll', successCriteria: [], onSuccess: [{ outcome: 'onSuccess.done', kind: 'onSuccess', name: 'done', type: 'end', criteria: [criterion] }], onFailure: [] });
    expect(() => evaluateCriterion(criterion, ctx('<a>'))).toThrow('step poll onSuccess "done" criteria[0], xpath criterion "/a": the context is not well-formed XML');
  });
});
