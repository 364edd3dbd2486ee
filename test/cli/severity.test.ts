import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const SEED_001 = join(fileURLToPath(new URL('../..', import.meta.url)), 'workflows/arazzo/token-then-payment.arazzo.yml');

describe('--severity CHECK=level', () => {
  it('compile puts the severities in every operation step of the plan', async () => {
    const { code, stdout, stderr } = await runCli(['compile', SEED_001, '--severity', 'CONTENT_TYPE_CHECK=error', '--severity', 'SCHEMA_CHECK=off']);
    expect(code, stderr).toBe(0);
    const compiled = JSON.parse(stdout) as Record<string, { plan: { steps: { checks?: unknown; operation?: { responseSchemas?: unknown } }[] } }>;
    const steps = Object.values(compiled).flatMap((w) => w.plan.steps);
    expect(steps.length).toBeGreaterThan(0);
    for (const step of steps) {
      expect(step.checks).toEqual({ CONTENT_TYPE_CHECK: 'error', SCHEMA_CHECK: 'off' });
      expect(step.operation?.responseSchemas).toBeUndefined();
    }
  }, 60_000);

  it('an unknown check is a usage error (exit 2, one line)', async () => {
    const { code, stderr } = await runCli(['run', SEED_001, '--severity', 'STATUS_CODE_CHECK=warn']);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain('--severity: unknown check "STATUS_CODE_CHECK"');
  }, 60_000);
});
