/**
 * Goessner JSONPath filters (`draft-goessner-dispatch-jsonpath-00`): read as the JavaScript they
 * are, for the part of it the draft's and the article's filters use, and refused beyond it.
 */
import { describe, expect, it } from 'vitest';
import { checkCriterion, evaluateCriterion } from '../../../core/criteria/index.js';
import { checkGoessnerCondition, goessnerQuery } from '../../../core/criteria/goessner-jsonpath.js';
import type { CriterionPlan } from '../../../core/plan.js';

// Goessner's article's store.
const STORE = {
  store: {
    book: [
      { category: 'reference', author: 'Nigel Rees', title: 'Sayings of the Century', price: 8.95 },
      { category: 'fiction', author: 'Evelyn Waugh', title: 'Sword of Honour', price: 12.99 },
      { category: 'fiction', author: 'Herman Melville', title: 'Moby Dick', isbn: '0-553-21311-3', price: 8.99 },
      { category: 'fiction', author: 'J. R. R. Tolkien', title: 'The Lord of the Rings', isbn: '0-395-19395-8', price: 22.99 },
    ],
    bicycle: { color: 'red', price: 19.95 },
  },
};

const goessner = (condition: string): CriterionPlan => ({ type: 'jsonpath', version: 'draft-goessner-dispatch-jsonpath-00', context: '$response.body', condition });
const holds = (condition: string, body: unknown, notes?: string[]) => evaluateCriterion(goessner(condition), { inputs: {}, steps: {}, response: { headers: {}, body } }, notes);

describe('Goessner filters', () => {
  it("select as the article's examples do", () => {
    expect(goessnerQuery('$..book[?(@.isbn)]', STORE)).toEqual([STORE.store.book[2], STORE.store.book[3]]);
    expect(goessnerQuery('$..book[?(@.price<10)].title', STORE)).toEqual(['Sayings of the Century', 'Moby Dick']);
    expect(goessnerQuery("$.store.book[?(@.category == 'fiction' && @.price > 20)].author", STORE)).toEqual(['J. R. R. Tolkien']);
    expect(holds('$.store.book[?(@.price > 100)]', STORE)).toBe(false);
  });

  it("use JavaScript's operators: == converts types, === does not, a member test is truthiness", () => {
    const body = { items: [{ id: 1, ok: 0 }, { id: '2', ok: '' }] };
    expect(goessnerQuery('$.items[?(@.id == "1")]', body)).toEqual([body.items[0]]);
    expect(goessnerQuery('$.items[?(@.id === "1")]', body)).toEqual([]);
    expect(goessnerQuery('$.items[?(@.id == 2)]', body)).toEqual([body.items[1]]);
    // RFC 9535 would select both (the member exists); JavaScript reads 0 and "" as false.
    expect(goessnerQuery('$.items[?(@.ok)]', body)).toEqual([]);
    expect(goessnerQuery('$.items[?(!@.ok)]', body)).toEqual(body.items);
    expect(goessnerQuery('$.items[?(@.id.length > 0)]', { items: ['ab', ''] .map((id) => ({ id })) })).toEqual([{ id: 'ab' }]);
  });

  it('are not met, with a note, where the draft\'s implementations part or JavaScript throws', () => {
    const notes: string[] = [];
    expect(holds('$.store[?(@.color)]', STORE, notes)).toBe(false);
    expect(holds('$.store.book[?(@.missing.price > 1)]', STORE, notes)).toBe(false);
    expect(notes).toEqual([
      expect.stringContaining("a Goessner filter applies to an object's members, where its implementations read @ two ways"),
      expect.stringContaining('reads member "price" of an absent value, which JavaScript, its script language, refuses (TypeError)'),
    ]);
  });

  it('refuse at compile time what is script beyond comparisons, with the offset', () => {
    expect(() => checkGoessnerCondition('$.a[?(@.price * 2 > 10)]')).toThrow(/"\*" starts script beyond that/);
    expect(() => checkGoessnerCondition("$.a[?(@.name.match(/x/))]")).toThrow(/starts script/);
    expect(() => checkGoessnerCondition('$.a[?(@.x == $.y)]')).toThrow(/starts script/);
    expect(() => checkGoessnerCondition('$..[?(@.x)]')).toThrow(/right after "\.\."/);
    const { problems, warnings } = checkCriterion(goessner('$.a[?(@.price * 2 > 10)]'));
    expect(problems).toEqual([expect.objectContaining({ rule: 'jsonpath-goessner-filter', offset: 14 })]);
    expect(warnings).toEqual([]);
  });

  it('warn, naming the standard form, on a filter it reads', () => {
    const { problems, warnings } = checkCriterion(goessner('$.store.book[?(@.price < 10)]'));
    expect(problems).toEqual([]);
    expect(warnings).toEqual([{ rule: 'jsonpath-goessner-filter', message: expect.stringContaining('the standard form is RFC 9535 JSONPath') }]);
  });

  it('take embedded values as literals', () => {
    const c: CriterionPlan = goessner('$.store.book[?(@.author == "{$inputs.author}")]');
    const ctx = (author: string) => ({ inputs: { author }, steps: {}, response: { headers: {}, body: STORE } });
    expect(evaluateCriterion(c, ctx('Herman Melville'))).toBe(true);
    expect(evaluateCriterion(c, ctx('x" || @.price > 0 || "'))).toBe(false);
  });
});
