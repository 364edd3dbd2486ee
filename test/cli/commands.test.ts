import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const SEED_001 = 'workflows/arazzo/token-then-payment.arazzo.yml';
const root = fileURLToPath(new URL('../..', import.meta.url));

describe('CLI commands: output and exit codes as a user sees them (child processes)', () => {
  it.each(['validate', 'compile', 'run', 'graph', 'sandbox', 'serve', 'demo', 'upgrade'])('%s --help prints its usage and exits 0', async (command) => {
    const { code, stdout } = await runCli([command, '--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(new RegExp(`^Usage: arazzo-sfn ${command}`));
  });

  it('no command prints the usage and exits 2; an unknown command is a one-line error and exit 2', async () => {
    const none = await runCli([]);
    expect(none.code).toBe(2);
    expect(none.stdout).toContain('Commands:');
    const unknown = await runCli(['deploy']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^arazzo-sfn: unknown command "deploy"/);
    expect(unknown.stderr).not.toMatch(/\n\s+at /);
  });

  it('compile --out writes the ASL, the plan and the cost report of each workflow and exits 0', async () => {
    const out = await mkdtemp(join(tmpdir(), 'arazzo-sfn-compile-'));
    const { code, stderr } = await runCli(['compile', SEED_001, '--out', out]);
    expect(code).toBe(0);
    expect((await readdir(out)).sort()).toEqual(['token-then-payment.asl.json', 'token-then-payment.cost.json', 'token-then-payment.plan.json']);
    const asl = JSON.parse(await readFile(join(out, 'token-then-payment.asl.json'), 'utf8')) as { StartAt: string };
    expect(asl.StartAt).toBe('Validate inputs');
    // Every file written is listed, one line each.
    const wrote = stderr.split('\n').filter((l) => l.startsWith('wrote '));
    expect(wrote).toEqual([
      `wrote ${join(out, 'token-then-payment.asl.json')} (17 states)`,
      `wrote ${join(out, 'token-then-payment.plan.json')} (3 steps)`,
      `wrote ${join(out, 'token-then-payment.cost.json')}`,
    ]);
    // The cost of an execution: printed, and written as JSON.
    expect(stderr).toContain('cost of token-then-payment: 4 state transitions, 4 Lambda invocations per execution');
    const cost = JSON.parse(await readFile(join(out, 'token-then-payment.cost.json'), 'utf8'));
    expect(cost).toMatchObject({ workflowId: 'token-then-payment', path: { transitions: 4, lambdaInvocations: 4 }, prices: { region: 'us-east-1', stateTransitionsPer1000: 0.025 } });
  });

  it('compile --prices overrides the prices of the cost report; a bad prices file is one line and exit 2', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'arazzo-sfn-prices-'));
    await writeFile(join(dir, 'paris.json'), JSON.stringify({ region: 'eu-west-3', stateTransitionsPer1000: 0.0297, source: 'eu-west-3 list price' }));
    const ok = await runCli(['compile', SEED_001, '--prices', join(dir, 'paris.json')]);
    expect(ok.code).toBe(0);
    expect(ok.stderr).toContain('prices (eu-west-3): $0.0297/1,000 transitions');
    expect(ok.stderr).toContain('(eu-west-3 list price)');
    await writeFile(join(dir, 'typo.json'), '{"stateTransitions": 1}');
    const bad = await runCli(['compile', SEED_001, '--prices', join(dir, 'typo.json')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--prices .*typo\.json: prices: unknown key "stateTransitions"/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });

  it('compile --out naming an existing file (not a folder) is one clear line, exit 2, no stack, the file untouched', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'arazzo-sfn-compile-'));
    const file = join(dir, 'asl.json');
    await writeFile(file, 'keep me');
    for (const out of [file, join(file, 'sub')]) {
      const { code, stderr } = await runCli(['compile', SEED_001, '--out', out]);
      expect(code, out).toBe(2);
      expect(stderr.trim().split('\n').pop()).toMatch(new RegExp(`^arazzo-sfn: --out ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      expect(stderr).not.toMatch(/\n\s+at /);
    }
    expect(await readFile(file, 'utf8')).toBe('keep me');
  });

  it('compile: an unknown file and an unknown workflow are exit 2 with one line, no stack', async () => {
    const missing = await runCli(['compile', 'workflows/arazzo/nope.arazzo.yml']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.arazzo.yml:1:1: error ASFN1003 cannot read');
    const workflow = await runCli(['compile', SEED_001, '--workflow', 'nope']);
    expect(workflow.code).toBe(2);
    expect(workflow.stderr.trim().split('\n').pop()).toBe('arazzo-sfn: no workflow "nope" in workflows/arazzo/token-then-payment.arazzo.yml (has: token-then-payment)');
  });

  it('bad flags are usage errors, exit 2, one line', async () => {
    for (const args of [['run', SEED_001, '--wait-ms', 'soon'], ['sandbox', '--port', 'x'], ['sandbox', '--signature-key', 'app'], ['sandbox', '--signature-key', 'app=/nonexistent.pem'], ['graph'], ['run'], ['run', SEED_001, '--workflow'], ['demo', 'extra']]) {
      const { code, stderr } = await runCli(args);
      expect(code, args.join(' ')).toBe(2);
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stderr).toMatch(/^arazzo-sfn: /);
    }
  }, 60_000);

  it('an unknown option is one line with a suggestion, then the command\'s usage; exit 2, never Node\'s raw parseArgs text', async () => {
    const cases: [string[], string][] = [
      [['run', SEED_001, '--sandbx'], 'arazzo-sfn: unknown option --sandbx for run (did you mean --sandbox?)'],
      [['compile', SEED_001, '--otu', 'x'], 'arazzo-sfn: unknown option --otu for compile (did you mean --out?)'],
      [['serve', '--prot', '1'], 'arazzo-sfn: unknown option --prot for serve (did you mean --port?)'],
      [['compile', SEED_001, '--bogus'], 'arazzo-sfn: unknown option --bogus for compile'],
    ];
    for (const [args, first] of cases) {
      const { code, stdout, stderr } = await runCli(args);
      expect(code, args.join(' ')).toBe(2);
      expect(stdout).toBe('');
      const [line, blank, usage] = stderr.split('\n');
      expect(line).toBe(first);
      expect(blank).toBe('');
      expect(usage).toMatch(new RegExp(`^Usage: arazzo-sfn ${args[0]}`));
      expect(stderr).not.toContain('To specify a positional argument');
    }
    const command = await runCli(['rnu']);
    expect(command.code).toBe(2);
    expect(command.stderr.split('\n')[0]).toBe('arazzo-sfn: unknown command "rnu" (did you mean run?)');
  }, 60_000);

  it('--version prints the package version and exits 0', async () => {
    const { version } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', 'version', '-V']) {
      const { code, stdout } = await runCli([flag]);
      expect(code).toBe(0);
      expect(stdout).toBe(`arazzo-sfn ${version}\n`);
    }
  });

  it('sandbox serves the simulators until interrupted, printing where each listens, then exits 0', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'sandbox'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    await expect.poll(() => stdout, { timeout: 20_000 }).toContain('connectfi');
    const url = /fintecture\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)![1];
    const token = await fetch(`${url}/oauth/accesstoken`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&scope=PIS&client_id=sandbox-app-id&client_secret=sandbox-app-secret',
    });
    expect(token.status).toBe(200);
    // The PIS API verifies signatures by default, as the real one: an unsigned payment request is refused in its error envelope.
    expect(stdout).toContain('PIS requests must be signed (keys registered for: none; add --signature-key <keyId>=<public.pem>)');
    const { access_token: accessToken } = (await token.json()) as { access_token: string };
    const unsigned = await fetch(`${url}/pis/v2/connect`, {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json', 'x-request-id': '0b5c3f8e-2d6a-4c1b-9e7f-3a2d1c0b9e8f' },
      body: JSON.stringify({ meta: {}, data: { type: 'PIS', attributes: { amount: '1.00', currency: 'EUR' } } }),
    });
    expect([unsigned.status, ((await unsigned.json()) as { code: string }).code]).toEqual([401, 'invalid_signature']);
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(stdout).toContain('stopping');
  });
});
