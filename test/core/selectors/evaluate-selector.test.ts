import { beforeAll, describe, expect, it } from 'vitest';
import { prepareCriteria } from '../../../core/criteria/index.js';
import type { ExpressionContext } from '../../../core/expressions/index.js';
import type { SelectorKind, SelectorPlan } from '../../../core/plan.js';
import { evaluateSelector } from '../../../core/selectors/index.js';

const BODY = { user: { profile: { email: 'ada@example.com' } }, items: [{ sku: 'A', quantity: 1 }, { sku: 'B', quantity: 2 }], empty: [] };
const XML = '<Invoice xmlns:x="urn:x"><Header><Number>INV-1</Number><x:Ref code="r1">7</x:Ref></Header><Line>a</Line><Line>b</Line></Invoice>';
const ctx = (body: unknown = BODY): ExpressionContext => ({ inputs: { xml: XML }, steps: {}, response: { headers: {}, body } });
const sel = (type: SelectorKind, selector: string, version?: string, context = '$response.body'): SelectorPlan =>
  ({ context, selector, type: { type, version: version ?? { jsonpath: 'rfc9535', xpath: 'xpath-31', jsonpointer: 'rfc6901' }[type] } }) as SelectorPlan;

beforeAll(() =>
  prepareCriteria({
    stepId: 's',
    successCriteria: [],
    onSuccess: [],
    onFailure: [],
    outputs: { a: sel('xpath', '/a'), b: sel('xpath', '/a', 'xpath-10') },
  }),
);

describe('evaluateSelector', () => {
  it('JSONPath: a singular query gives its value or nothing, any other query the list it selects', () => {
    expect(evaluateSelector(sel('jsonpath', '$.user.profile.email'), ctx())).toBe('ada@example.com');
    expect(evaluateSelector(sel('jsonpath', "$['items'][1].sku"), ctx())).toBe('B');
    expect(evaluateSelector(sel('jsonpath', '$.user.missing'), ctx())).toBeUndefined();
    expect(evaluateSelector(sel('jsonpath', '$.items[*].quantity'), ctx())).toEqual([1, 2]);
    expect(evaluateSelector(sel('jsonpath', '$.items[?@.sku == "B"].quantity'), ctx())).toEqual([2]);
    expect(evaluateSelector(sel('jsonpath', '$.empty[*]'), ctx())).toEqual([]);
  });

  it('JSON pointer: the value at the pointer, nothing past the data, indexes as RFC 6901 writes them', () => {
    expect(evaluateSelector(sel('jsonpointer', '/items/0/sku'), ctx())).toBe('A');
    expect(evaluateSelector(sel('jsonpointer', ''), ctx())).toEqual(BODY);
    expect(evaluateSelector(sel('jsonpointer', '/items/01/sku'), ctx())).toBeUndefined();
    expect(evaluateSelector(sel('jsonpointer', '/user/profile/email/x'), ctx())).toBeUndefined();
  });

  it('XPath 3.1 and 1.0: nodes as their string values; one item is the value, several a list, none absent', () => {
    for (const version of ['xpath-31', 'xpath-10']) {
      expect(evaluateSelector(sel('xpath', '/Invoice/Header/Number', version, '$inputs.xml'), ctx())).toBe('INV-1');
      expect(evaluateSelector(sel('xpath', '/Invoice/Line', version, '$inputs.xml'), ctx())).toEqual(['a', 'b']);
      expect(evaluateSelector(sel('xpath', '//x:Ref/@code', version, '$inputs.xml'), ctx())).toBe('r1');
      expect(evaluateSelector(sel('xpath', '/Invoice/Nothing', version, '$inputs.xml'), ctx())).toBeUndefined();
      expect(evaluateSelector(sel('xpath', 'count(/Invoice/Line)', version, '$inputs.xml'), ctx())).toBe(2);
    }
    expect(evaluateSelector(sel('xpath', '/Invoice/Line ! upper-case(.)', 'xpath-31', '$inputs.xml'), ctx())).toEqual(['A', 'B']);
  });

  it('an absent context is an absent value; a context of the wrong kind is Arazzo.Expression naming the selector, never the data', () => {
    expect(evaluateSelector(sel('jsonpath', '$.a', undefined, '$inputs.nothing'), ctx())).toBeUndefined();
    expect(() => evaluateSelector(sel('jsonpath', '$.a', undefined, '$inputs.xml'), ctx(), 'step s output a')).toThrow(
      expect.objectContaining({ name: 'Arazzo.Expression', message: 'step s output a: jsonpath selector "$.a": the context is a string, not JSON data (a response body is parsed only when its media type is JSON)' }),
    );
    expect(() => evaluateSelector(sel('xpath', '/a'), ctx())).toThrow(expect.objectContaining({ name: 'Arazzo.Expression', message: expect.stringContaining('the context is an object, not XML text') }));
    const cast = () => evaluateSelector(sel('xpath', 'xs:integer(/Invoice/Header/Number)', 'xpath-31', '$inputs.xml'), ctx());
    expect(cast).toThrow(expect.objectContaining({ name: 'Arazzo.Expression' }));
    expect(() => cast()).not.toThrow(/INV-1/);
  });
});
