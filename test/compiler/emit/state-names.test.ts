import { describe, expect, it } from 'vitest';
import { MAX_STATE_NAME, StateNames } from '../../../compiler/emit/index.js';

describe('generated state names (issue 16.8)', () => {
  const longStep = `verify-${'x'.repeat(60)}`;
  const longWorkflow = `register-${'y'.repeat(70)}`;

  it('stay within 80 characters, deterministic and distinct, however long the ids', () => {
    const names = [
      StateNames.step(longStep),
      StateNames.route(longStep),
      StateNames.failed(longStep),
      StateNames.limit(longStep),
      StateNames.throttled(longStep),
      StateNames.wait(longStep, `retry-${'z'.repeat(60)}-a`, true),
      StateNames.wait(longStep, `retry-${'z'.repeat(60)}-b`, true),
      StateNames.gotoWorkflow(longStep, longWorkflow),
      StateNames.gotoWorkflow(longStep, `${longWorkflow}2`),
      StateNames.runFirst(longStep, longWorkflow),
      StateNames.dependsOn(longWorkflow),
      StateNames.dependsOnFailed(longWorkflow),
      StateNames.dependsOn(`${longWorkflow}2`),
    ];
    for (const n of names) expect(n.length, n).toBeLessThanOrEqual(MAX_STATE_NAME);
    expect(new Set(names).size).toBe(names.length);
    expect(StateNames.gotoWorkflow(longStep, longWorkflow)).toBe(StateNames.gotoWorkflow(longStep, longWorkflow));
    // A name that fits is kept as written, so the console reads like the workflow.
    expect(StateNames.gotoWorkflow('fallback', 'register-customer')).toBe('fallback.goto.register-customer');
  });
});
