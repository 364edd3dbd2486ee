import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CONNECTFI_SCENARIO,
  parseConnectFiTags,
  planKycProcess,
  redactWebhookUrl,
  resolveConnectFiScenario,
  scheduleKycSteps,
  type KycPlan,
} from '../../sandbox/connectfi/index.js';

const defaults = DEFAULT_CONNECTFI_SCENARIO.kyc;

/** The callbacks of a plan in delivery order, as `STATUS` or `STATUS(duplicate|lost)`. */
function deliveries(plan: KycPlan): string[] {
  return scheduleKycSteps(plan).flatMap((step) =>
    step.deliveries.map((d) => (d.delivery === 'sent' ? d.status : `${d.status}(${d.delivery})`)),
  );
}

describe('parseConnectFiTags', () => {
  it('reads statuses in order and delivery tags, without case', () => {
    expect(parseConnectFiTags('jane+Review+DECLINED+dup0+lose1+swap0-1+interval5@example.com')).toEqual({
      statuses: ['REVIEW', 'DECLINED'],
      duplicate: [0],
      lose: [1],
      outOfOrder: [0, 1],
      callbackIntervalMs: 5,
    });
    expect(parseConnectFiTags('jane+waiting_data+pending+swap@example.com')).toMatchObject({ statuses: ['WAITING_DATA', 'PENDING'], outOfOrder: true });
  });

  it('ignores ordinary sub-addressing, addresses without tags and absurd intervals', () => {
    const none = { statuses: [], duplicate: [], lose: [] };
    expect(parseConnectFiTags('jane+newsletter@example.com')).toEqual(none);
    expect(parseConnectFiTags('jane@example.com')).toEqual(none);
    expect(parseConnectFiTags(undefined)).toEqual(none);
    expect(parseConnectFiTags('jane+interval99999@example.com')).toEqual(none);
  });
});

describe('planKycProcess', () => {
  it('keeps the scenario when the customer has no tags', () => {
    expect(planKycProcess(defaults, parseConnectFiTags('jane@example.com'))).toEqual(defaults);
  });

  it('reads one status tag as the outcome and two or more as the whole sequence', () => {
    expect(planKycProcess(defaults, parseConnectFiTags('j+declined@example.com')).sequence).toEqual(['WAITING_DATA', 'REVIEW', 'DECLINED']);
    expect(planKycProcess(defaults, parseConnectFiTags('j+pending+approved@example.com')).sequence).toEqual(['PENDING', 'APPROVED']);
  });

  it('lets delivery tags replace the scenario delivery options together, dropping indices past the sequence', () => {
    const scenario = { ...defaults, duplicate: [0], lose: [1] };
    const plan = planKycProcess(scenario, parseConnectFiTags('j+pending+approved+lose1+dup7+swap4-5@example.com'));
    expect(plan).toMatchObject({ sequence: ['PENDING', 'APPROVED'], duplicate: [], lose: [1], outOfOrder: false });
    expect(planKycProcess(scenario, parseConnectFiTags('j+approved@example.com'))).toMatchObject({ duplicate: [0], lose: [1] });
  });

  it('loses a callback that tags both lose and duplicate', () => {
    expect(planKycProcess(defaults, parseConnectFiTags('j+dup1+lose1@example.com'))).toMatchObject({ duplicate: [], lose: [1] });
  });
});

describe('scheduleKycSteps', () => {
  it('delivers one callback per status, in order, by default', () => {
    expect(deliveries(defaults)).toEqual(['WAITING_DATA', 'REVIEW', 'APPROVED']);
    expect(scheduleKycSteps(defaults).map((s) => s.status)).toEqual(['WAITING_DATA', 'REVIEW', 'APPROVED']);
  });

  it('repeats duplicated callbacks right away and drops lost ones where they were due', () => {
    expect(deliveries({ ...defaults, duplicate: [0, 2], lose: [1] })).toEqual([
      'WAITING_DATA',
      'WAITING_DATA(duplicate)',
      'REVIEW(lost)',
      'APPROVED',
      'APPROVED(duplicate)',
    ]);
  });

  it('holds the first callback of an out-of-order pair back until the second is delivered', () => {
    const plan = { ...defaults, sequence: ['WAITING_DATA', 'PENDING', 'REVIEW', 'APPROVED'] as const, outOfOrder: [1, 3] as const };
    const steps = scheduleKycSteps(plan);
    expect(steps.map((s) => s.status)).toEqual(['WAITING_DATA', 'PENDING', 'REVIEW', 'APPROVED']);
    expect(steps[1].deliveries).toEqual([]);
    expect(deliveries(plan)).toEqual(['WAITING_DATA', 'REVIEW', 'APPROVED', 'PENDING']);
  });
});

describe('resolveConnectFiScenario', () => {
  it('merges overrides over the defaults and reads outOfOrder: true as the last two', () => {
    const scenario = resolveConnectFiScenario({ kyc: { sequence: ['PENDING', 'REVIEW', 'DECLINED'], outOfOrder: true }, tokens: { expiresInSeconds: 60 } });
    expect(scenario.kyc).toEqual({ ...defaults, sequence: ['PENDING', 'REVIEW', 'DECLINED'], outOfOrder: [1, 2] });
    expect(scenario.tokens.expiresInSeconds).toBe(60);
    expect(resolveConnectFiScenario()).toEqual(DEFAULT_CONNECTFI_SCENARIO);
  });

  it('refuses what would fail mid-run', () => {
    expect(() => resolveConnectFiScenario({ kyc: { sequence: [] } })).toThrow(RangeError);
    expect(() => resolveConnectFiScenario({ kyc: { sequence: ['ACCEPTED' as never] } })).toThrow(/ACCEPTED is not one of/);
    expect(() => resolveConnectFiScenario({ kyc: { lose: [3] } })).toThrow(/kyc.lose: 3 is not a callback index/);
    expect(() => resolveConnectFiScenario({ kyc: { duplicate: [1], lose: [1] } })).toThrow(/both name callback 1/);
    expect(() => resolveConnectFiScenario({ kyc: { outOfOrder: [2, 1] } })).toThrow(/earlier callback, then a later one/);
    expect(() => resolveConnectFiScenario({ kyc: { sequence: ['APPROVED'], outOfOrder: true } })).toThrow(/at least two/);
    expect(() => resolveConnectFiScenario({ kyc: { callbackIntervalMs: -1 } })).toThrow(RangeError);
    expect(() => resolveConnectFiScenario({ kyc: { callbackTimeoutMs: 0 } })).toThrow(RangeError);
    expect(() => resolveConnectFiScenario({ tokens: { expiresInSeconds: 0 } })).toThrow(RangeError);
    expect(() => resolveConnectFiScenario({ faults: [{ status: 42 }] })).toThrow(RangeError);
  });
});

describe('redactWebhookUrl', () => {
  it('keeps scheme, host, port and path, never the query, fragment or credentials', () => {
    expect(redactWebhookUrl('http://user:pw@127.0.0.1:8080/hooks/kyc?secret=s3cr3t#frag')).toBe('http://127.0.0.1:8080/hooks/kyc');
  });
});
