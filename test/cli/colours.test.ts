import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runCli, runProcess } from './run-cli.js';

const SEED_001 = 'workflows/arazzo/token-then-payment.arazzo.yml';
const ESC = '\u001b[';
// Colour settings of the test's own environment must not leak into the child.
const clean = { NO_COLOR: undefined, FORCE_COLOR: undefined };

const hasScript = (() => {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('colours: on a terminal only, NO_COLOR and --no-color respected', () => {
  it('piped output is plain; FORCE_COLOR colours it; NO_COLOR and --no-color win over FORCE_COLOR', async () => {
    const piped = await runCli(['validate', SEED_001], clean);
    expect(piped.code).toBe(0);
    expect(piped.stdout).not.toContain(ESC);
    const forced = await runCli(['validate', SEED_001], { ...clean, FORCE_COLOR: '1' });
    expect(forced.stdout).toContain(`: ${ESC}33mwarning${ESC}39m ASFN2005`);
    const noColor = await runCli(['validate', SEED_001], { ...clean, FORCE_COLOR: '1', NO_COLOR: '1' });
    expect(noColor.stdout).not.toContain(ESC);
    expect(noColor.stdout).toBe(piped.stdout);
    const flag = await runCli(['validate', '--no-color', SEED_001], { ...clean, FORCE_COLOR: '1' });
    expect(flag.code).toBe(0);
    expect(flag.stdout).toBe(piped.stdout);
  }, 40_000);

  // `script` (util-linux) gives the CLI a real pseudo-terminal; skipped where it is not installed.
  it.skipIf(!hasScript)(
    'on a real terminal (a pty from `script`) the severity is coloured, and NO_COLOR=1 or --no-color turn it off',
    async () => {
      const command = (extra: string) => `${process.execPath} --import tsx cli/main.ts validate ${extra} ${SEED_001}`;
      const tty = await runProcess('script', ['-qec', command(''), '/dev/null'], clean);
      expect(tty.code).toBe(0);
      expect(tty.stdout).toContain(`${ESC}33mwarning${ESC}39m`);
      const off = await runProcess('script', ['-qec', command('--no-color'), '/dev/null'], clean);
      expect(off.stdout).toContain(': warning ASFN2005');
      expect(off.stdout).not.toContain(ESC);
      const env = await runProcess('script', ['-qec', command(''), '/dev/null'], { ...clean, NO_COLOR: '1' });
      expect(env.stdout).not.toContain(ESC);
    },
    40_000,
  );
});
