import { describe, expect, it } from 'vitest';
import { expectCleanRefusal, hasStackTrace, runBounded } from './support/run-bounded.js';

// The harness itself: each kill limit must actually stop a child that exceeds it, or the hostile
// suite's bounds would only be decoration.
describe('runBounded (the hostile suite harness)', () => {
  it('runs a child on Node 22 and returns its exit code, output and elapsed time', async () => {
    const r = await runBounded({ args: ['-e', 'console.log(process.version); console.error("to stderr"); process.exitCode = 3'], timeoutMs: 20_000, maxOldSpaceMb: 64 });
    expect(r.killed).toBe(false);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/^v22\./);
    expect(r.stderr).toBe('to stderr\n');
    expect(r.elapsedMs).toBeGreaterThan(0);
  });

  it('kills a child that never ends at the time limit', async () => {
    const r = await runBounded({ args: ['-e', 'for (;;) {}'], timeoutMs: 1_500, maxOldSpaceMb: 64 });
    expect(r.killed).toBe('timeout');
    expect(r.signal).toBe('SIGKILL');
    expect(r.elapsedMs).toBeGreaterThanOrEqual(1_400);
  });

  it('a child that grows its heap without bound is stopped by --max-old-space-size', async () => {
    const r = await runBounded({ args: ['-e', 'const a = []; for (;;) a.push({ n: a.length, s: "x".repeat(64) + a.length })'], timeoutMs: 60_000, maxOldSpaceMb: 48, maxRssMb: 1024 });
    expect(r.killed).toBe(false);
    expect(r.code === 0).toBe(false);
    expect(r.stderr).toMatch(/heap limit|out of memory/i);
    expect(hasStackTrace(r.stderr)).toBe(true);
  });

  it('kills a child whose memory outside the V8 heap (Buffers) passes the resident limit', async () => {
    const r = await runBounded({ args: ['-e', 'const a = []; setInterval(() => a.push(Buffer.alloc(16 << 20, 1)), 5)'], timeoutMs: 60_000, maxOldSpaceMb: 64, maxRssMb: 300 });
    expect(r.killed).toBe('memory');
    expect(r.peakRssMb).toBeGreaterThan(300);
  });

  it('keeps at most maxOutputBytes of a flood of output, and counts the rest', async () => {
    const r = await runBounded({ args: ['-e', 'process.stdout.write("x".repeat(5 << 20))'], timeoutMs: 20_000, maxOldSpaceMb: 64, maxOutputBytes: 1 << 20 });
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBe(1 << 20);
    expect(r.stdoutBytes).toBe(5 << 20);
  });

  it('expectCleanRefusal: a named one-line error passes; a stack trace or a quoted secret fails', async () => {
    const clean = await runBounded({ args: ['-e', 'console.error("doc.yml:1:1: error ASFN1003 refused [source-description]"); process.exitCode = 2'], timeoutMs: 20_000, maxOldSpaceMb: 64 });
    expectCleanRefusal(clean, { error: 'ASFN1003', secrets: ['s3cr3t'] });
    const crashed = await runBounded({ args: ['-e', 'process.exitCode = 2; throw new Error("ASFN1003 s3cr3t")'], timeoutMs: 20_000, maxOldSpaceMb: 64 });
    expect(hasStackTrace(crashed.stderr)).toBe(true);
    expect(() => expectCleanRefusal(crashed, { error: 'ASFN1003' })).toThrow();
    const leaked = await runBounded({ args: ['-e', 'console.error("ASFN1003 s3cr3t"); process.exitCode = 2'], timeoutMs: 20_000, maxOldSpaceMb: 64 });
    expect(() => expectCleanRefusal(leaked, { error: 'ASFN1003', secrets: ['s3cr3t'] })).toThrow(/quotes/);
  });
});
