import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileFile, compileFileOrThrow } from '../../../compiler/index.js';
import { longestBoundedSeconds, MAX_EXECUTION_SECONDS } from '../../../compiler/emit/execution-bound.js';
import { ROOT } from '../../integration/support/seed-harness.js';

const KYC_ASYNC = join(ROOT, 'workflows/arazzo/connectfi-kyc-async.arazzo.yml');
const SEED_000 = join(ROOT, 'workflows/arazzo/customer-verification-poll.arazzo.yml');
const PAYMENT_WEBHOOK = join(ROOT, 'workflows/arazzo/fintecture-payment-webhook.arazzo.yml');
const DAY = 86_400;

/**
 * An execution's bound (the definition's TimeoutSeconds) when none is given: it covers the plan's
 * longest path of bounded waits (receive and callback timeouts, polling loops, retries), so an
 * execution is never cut before its own steps time out (a standard execution may last a year).
 */
describe('the default execution bound', () => {
  it('covers connectfi-kyc-async\'s 2-day receive, re-armed up to 20 times, then its bounded poll: no ASFN2171', async () => {
    // GIVEN connectfi-kyc-async, whose receive step waits up to 2 days per turn (20 turns) and falls back to a poll of 96 turns
    const result = await compileFile(KYC_ASYNC);
    const [w] = result.workflows;
    // THEN its bound is every turn of both loops, rounded up to the hour, and no step outlives the execution
    const longest = longestBoundedSeconds(w.definition, w.plan)!;
    expect(longest).toBeGreaterThan(20 * 2 * DAY + 96 * 900);
    expect(w.definition.TimeoutSeconds).toBe(Math.ceil(longest / 3600) * 3600);
    expect(w.definition.TimeoutSeconds).toBeLessThan(MAX_EXECUTION_SECONDS);
    expect(result.diagnostics.filter((d) => d.code === 'ASFN2171')).toEqual([]);
  });

  it('stays one day for a workflow whose waits fit in a day (seed 000\'s bounded poll, the payment webhook\'s hour-long waits)', async () => {
    for (const file of [SEED_000, PAYMENT_WEBHOOK]) {
      const [w] = (await compileFileOrThrow(file)).workflows;
      expect(longestBoundedSeconds(w.definition, w.plan), file).toBeLessThan(DAY);
      expect(w.definition.TimeoutSeconds, file).toBe(DAY);
    }
  });

  it('a bound that is given wins, and a step that outlives it is still linted (ASFN2171)', async () => {
    const result = await compileFile(KYC_ASYNC, { timeoutSeconds: DAY });
    expect(result.workflows[0].definition.TimeoutSeconds).toBe(DAY);
    expect(result.diagnostics.filter((d) => d.code === 'ASFN2171').map((d) => d.message)).toEqual([expect.stringContaining('step "awaitKycStatus": timeout 172800000 ms is not shorter than the execution\'s own bound of 86400 s')]);
  });
});
