import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const SEED_001 = join(fileURLToPath(new URL('../..', import.meta.url)), 'workflows/arazzo/token-then-payment.arazzo.yml');

type Compiled = Record<string, { definition: { States: Record<string, { Type: string }> }; plan: { steps: { transport?: { throttle?: unknown } }[] } }>;

describe('--throttle off|bounds', () => {
  it('compile: on by default, bounds in the plan and the Wait, off removes the throttled states', async () => {
    const bounded = await runCli(['compile', SEED_001, '--throttle', 'maxWaitSeconds=30,maxWaits=2']);
    expect(bounded.code, bounded.stderr).toBe(0);
    const [workflow] = Object.values(JSON.parse(bounded.stdout) as Compiled);
    expect(workflow.plan.steps.map((s) => s.transport?.throttle)).toEqual([1, 2, 3].map(() => ({ maxWaitSeconds: 30, maxWaits: 2 })));
    expect(workflow.definition.States['getPayment.throttled'].Type).toBe('Wait');
    // The cost report says what a wait costs, and that the path without one costs no more.
    expect(bounded.stderr).toMatch(/cost of token-then-payment: 4 state transitions/);
    expect(bounded.stderr).toMatch(/each wait on a provider's 429 with Retry-After \(mintToken, createPayment, getPayment; at most 2 in a row\): \+ 4 transitions/);

    const off = await runCli(['compile', SEED_001, '--throttle', 'off']);
    expect(off.code, off.stderr).toBe(0);
    const [plain] = Object.values(JSON.parse(off.stdout) as Compiled);
    expect(Object.keys(plain.definition.States).filter((n) => n.includes('.throttled'))).toEqual([]);
    expect(off.stderr).not.toMatch(/429/);
  }, 60_000);

  it('a bound out of range is a usage error (exit 2, one line, the field named)', async () => {
    const { code, stderr } = await runCli(['compile', SEED_001, '--throttle', 'maxWaits=0']);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain('--throttle.maxWaits must be a whole number from 1 to 100, got 0');
    const garbled = await runCli(['run', SEED_001, '--throttle', 'soon']);
    expect(garbled.code).toBe(2);
    expect(garbled.stderr).toContain('--throttle expects off, on, or maxWaitSeconds=N,maxWaits=M, got "soon"');
  }, 60_000);
});
