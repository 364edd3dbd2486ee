/**
 * Conditions with embedded `{$...}` values (Arazzo 1.1) change with every execution and carry
 * values as large as an input or a response: a warm Lambda must not keep them in its parse caches
 * (hundreds of entries each), or a caller who sends large distinct values grows its heap until it
 * runs out of memory.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluateCriterion, prepareCriteria } from '../../../core/criteria/index.js';
import type { ExpressionContext } from '../../../core/expressions/index.js';
import type { CriterionPlan } from '../../../core/plan.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const heapAfterGc = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

const criteria = {
  regex: { type: 'regex', context: '$response.body.status', condition: '^({$inputs.value})$' },
  jsonpath: { type: 'jsonpath', context: '$response.body', condition: '$[?@.status == "{$inputs.value}"]' },
  goessner: { type: 'jsonpath', version: 'draft-goessner-dispatch-jsonpath-00', context: '$response.body', condition: '$[?(@.status == "{$inputs.value}")]' },
  xpath10: { type: 'xpath', version: 'xpath-10', context: '$response.body', condition: '/root/item[status = "{$inputs.value}"]' },
} as const satisfies Record<string, CriterionPlan>;

const ctx = (value: string, body: unknown): ExpressionContext => ({ inputs: { value }, steps: {}, statusCode: 200, response: { headers: {}, body } });
const bodyOf = (type: keyof typeof criteria) => (type === 'xpath10' ? '<root><item><status>open</status></item></root>' : type === 'regex' ? { status: 'open' } : [{ status: 'open' }]);

beforeAll(() => prepareCriteria({ stepId: 's', successCriteria: Object.values(criteria), onSuccess: [], onFailure: [] }));

describe('conditions with substituted values', () => {
  it.each(Object.keys(criteria) as (keyof typeof criteria)[])('%s: 40 distinct 64 KiB values leave the heap as it was', { timeout: 60_000 }, (type) => {
    const c = criteria[type];
    // Warm up: the engines' own one-time allocations are not what is measured.
    expect(evaluateCriterion(c, ctx('open', bodyOf(type)))).toBe(true);
    const before = heapAfterGc();
    for (let i = 0; i < 40; i++) {
      const value = `${i}-`.padEnd(64 * 1024, 'x');
      expect(evaluateCriterion(c, ctx(value, bodyOf(type)))).toBe(false);
    }
    // 40 kept values would be 2.5 MiB at least (one byte a character; RE2, XPath and Goessner parses keep 30-70 times that).
    expect(heapAfterGc() - before).toBeLessThan(1024 * 1024);
  });
});
