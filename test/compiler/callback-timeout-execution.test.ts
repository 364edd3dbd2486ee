import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileFile, formatDiagnostic } from '../../compiler/index.js';

const SEED_003 = 'workflows/arazzo/connectfi-kyc-callback.arazzo.yml';
const KYC = join(import.meta.dirname, '../infra/cdk/fixtures/callback/kyc.arazzo.yml');

const executionWarnings = async (file: string, timeoutSeconds?: number) =>
  (await compileFile(file, { validateAsl: false, ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}) })).diagnostics.filter((d) => d.code === 'ASFN2171').map((d) => formatDiagnostic(d));

// ASFN2171 owns "a step waits as long as the execution lasts": it absorbed the construct's CallbackOutlivesExecution warning.
describe('a 1.0 callback step whose x-arazzo-sfn-callback.timeoutSeconds is not shorter than the execution (ASFN2171)', () => {
  it('is warned at its timeoutSeconds, naming the onTimeout step that never takes over (seed 003: 2 days against a bound of a day)', async () => {
    // Without a bound given, the emitted one covers the 2-day callback and the poll after it (docs/execution-bound.md): nothing to warn.
    expect(await executionWarnings(SEED_003)).toEqual([]);
    expect(await executionWarnings(SEED_003, 86_400)).toEqual([
      `${SEED_003}:93:23: warning ASFN2171 step "startKyc": its callback's timeoutSeconds 172800 is not shorter than the execution's own bound of 86400 s: the execution times out first (States.Timeout), and pollKycStatus never takes over; shorten timeoutSeconds or raise the execution's timeout [step-timeout-execution]`,
    ]);
    // The seed stack deploys it with a 4-day timeout: nothing to warn.
    expect(await executionWarnings(SEED_003, 4 * 86_400)).toEqual([]);
  });

  it('is judged against the bound the construct passes (its `timeout`)', async () => {
    expect(await executionWarnings(KYC, 600)).toHaveLength(1);
    expect(await executionWarnings(KYC, 601)).toEqual([]);
  });
});
