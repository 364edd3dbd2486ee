import { describe, expect, it } from 'vitest';
import { criteriaAdmit, criteriaName, handledFaultStatuses, toStatusRanges } from '../../../core/criteria/index.js';
import type { ActionPlan, CriterionPlan } from '../../../core/plan.js';

const simple = (condition: string): CriterionPlan => ({ type: 'simple', condition });
const onFailure = (...criteria: CriterionPlan[]): ActionPlan => ({ outcome: 'onFailure.x', kind: 'onFailure', name: 'x', type: 'end', criteria });

describe('statuses a step handles (compile time)', () => {
  it('reads $statusCode comparisons and leaves other operands unknown', () => {
    expect(criteriaAdmit([simple('$statusCode == 500')], 500)).toBe(true);
    expect(criteriaAdmit([simple('$statusCode == 500')], 503)).toBe(false);
    expect(criteriaAdmit([simple("$statusCode >= 500 && $response.body#/retry == 'no'")], 503)).toBe(true);
    expect(criteriaAdmit([simple("$statusCode == 200 || $response.body#/ok == true")], 503)).toBe(true);
    expect(criteriaAdmit([simple('!($statusCode < 500)')], 502)).toBe(true);
    expect(criteriaAdmit([simple('!($statusCode < 500)')], 429)).toBe(false);
    expect(criteriaAdmit([simple('$statusCode == 200'), simple('$response.body#/a == 1')], 500)).toBe(false);
  });

  it('successCriteria handle only statuses they name; a body-only criterion names none', () => {
    expect(criteriaName([simple('$response.body#/ok == true')], 500)).toBe(false);
    expect(criteriaName([simple('$statusCode != 404')], 500)).toBe(true);
    expect(criteriaName([{ type: 'regex', context: '$statusCode', condition: '^5' }], 503)).toBe(true);
    expect(criteriaName([{ type: 'regex', context: '$statusCode', condition: '^2' }], 503)).toBe(false);
  });

  it('an onFailure action without a $statusCode criterion handles every fault status', () => {
    expect(handledFaultStatuses([simple('$statusCode == 200')], [onFailure()])).toEqual([[429, 429], [500, 599]]);
    expect(handledFaultStatuses([simple('$statusCode == 200')], [onFailure(simple("$response.body#/code == 'X'"))])).toEqual([[429, 429], [500, 599]]);
    expect(handledFaultStatuses([simple('$statusCode == 200')], [onFailure(simple('$statusCode == 403'))])).toEqual([]);
    expect(handledFaultStatuses([simple('$statusCode == 503 || $statusCode == 429')], [])).toEqual([[429, 429], [503, 503]]);
    expect(handledFaultStatuses([], [])).toEqual([]);
  });

  it('compresses statuses into ranges', () => {
    expect(toStatusRanges([502, 429, 500, 501])).toEqual([[429, 429], [500, 502]]);
  });
});
