import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli } from '../../cli/bundle-cli.js';
import { runNode, runProcess, type CliResult } from './run-cli.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SEED_000 = 'workflows/arazzo/customer-verification-poll.arazzo.yml';
const SEED_001 = 'workflows/arazzo/token-then-payment.arazzo.yml';

// Inside the checkout, as dist/bin is: the bundle's remaining requires (ajv's runtime helpers,
// asl-validator) resolve from node_modules by walking up from the bundle.
const outdir = join(root, 'node_modules', '.cache', `arazzo-sfn-bundle-test-${process.pid}`);
let cacheDir: string;

const runBundle = (args: readonly string[]): Promise<CliResult> => runNode([join(outdir, 'main.js'), ...args], { ARAZZO_SFN_CACHE_DIR: cacheDir });

beforeAll(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), 'arazzo-sfn-bundle-cache-'));
  await bundleCli(outdir);
}, 60_000);
afterAll(async () => {
  await rm(outdir, { recursive: true, force: true });
  await rm(cacheDir, { recursive: true, force: true });
});

// The bundled CLI is what `npm start`, `npm run cli` and the package's bin run; the other CLI
// tests run the sources through tsx, so these check that bundling lost nothing.
describe('bundled CLI (dist/bin, built by npm run build)', () => {
  it('one entry with a hashbang; the engine cannot reach AWS Lambda', async () => {
    const files = await readdir(outdir);
    expect(files).toContain('main.js');
    const main = await readFile(join(outdir, 'main.js'), 'utf8');
    expect(main.startsWith('#!/usr/bin/env node')).toBe(true);
    // The engine's AWS Lambda client is replaced by a refusal, not bundled.
    const all = (await Promise.all(files.filter((f) => f.endsWith('.js')).map((f) => readFile(join(outdir, f), 'utf8')))).join('\n');
    expect(all).toContain('the embedded engine may not call AWS Lambda');
    expect(all).not.toContain('InvokeWithResponseStream');
  });

  it('validate and compile (asl-validator through the bundle)', async () => {
    const validated = await runBundle(['validate', SEED_000]);
    expect(validated.stderr).toBe('');
    expect(validated.code).toBe(0);
    expect(validated.stdout).toContain(`${SEED_000}: 0 errors`);
    const out = await mkdtemp(join(tmpdir(), 'arazzo-sfn-bundle-out-'));
    try {
      const compiled = await runBundle(['compile', SEED_001, '--out', out]);
      expect(compiled.code).toBe(0);
      expect(JSON.parse(await readFile(join(out, 'token-then-payment.asl.json'), 'utf8')).StartAt).toBe('Validate inputs');
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }, 30_000);

  it('run --sandbox, twice (the second from the compile cache), same outcome', async () => {
    const args = [
      'run', SEED_001, '--sandbox', '--json',
      '--input', 'clientId=sandbox-app-id', '--input', 'clientSecret=sandbox-app-secret',
      '--input', 'amount=12.50', '--input', 'currency=EUR', '--input', 'communication=test',
      '--input', 'requestId=0b5c3f8e-2d6a-4c1b-9e7f-3a2d1c0b9e8f',
    ];
    for (let i = 0; i < 2; i++) {
      const { code, stdout, stderr } = await runBundle(args);
      expect(stderr).not.toContain('internal error');
      expect(code).toBe(0);
      expect(JSON.parse(stdout).status).toBe('SUCCEEDED');
    }
    expect(await readdir(cacheDir)).toHaveLength(1);
  }, 30_000);

  it('demo: every seed (callbacks and nested executions included) succeeds', async () => {
    const { code, stdout, stderr } = await runBundle(['demo', '--wait-ms', '1']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/6 of 6 executions succeeded/);
  }, 60_000);
});

/** A Node older than package.json's `engines` among those on PATH (the machine's own, not the pinned one), if any. */
function olderNode(needed: string): { path: string; version: string } | undefined {
  let paths: string[];
  try {
    paths = execFileSync('which', ['-a', 'node'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  } catch {
    return undefined;
  }
  const parse = (v: string) => v.replace(/^v/, '').split('.').map(Number);
  const less = (a: number[], b: number[]) => a[0] !== b[0] ? a[0] < b[0] : a[1] !== b[1] ? a[1] < b[1] : a[2] < b[2];
  for (const path of paths) {
    const version = execFileSync(path, ['--version'], { encoding: 'utf8' }).trim();
    if (less(parse(version), parse(needed))) return { path, version: version.replace(/^v/, '') };
  }
  return undefined;
}

describe('the Node check (issue 15 §2)', async () => {
  const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { engines: { node: string } };
  const needed = /^>=(\d+\.\d+\.\d+)$/.exec(pkg.engines.node)?.[1];
  const old = needed ? olderNode(needed) : undefined;

  it('package.json engines states one minimum, the one the CLI checks', async () => {
    expect(needed, 'engines.node is ">=x.y.z"').toBeDefined();
    expect(await readFile(join(root, 'core', 'node-version.ts'), 'utf8')).toContain(`export const REQUIRED_NODE = '${needed}';`);
    expect(await readFile(join(root, 'README.md'), 'utf8')).toContain(`Node.js ≥ ${needed}`);
  });

  // Skipped where no Node older than the minimum is on PATH: there is nothing old to start it with.
  it.skipIf(!old)(`on an older Node (${old?.path} v${old?.version}) the bundle and the bin print one line and exit 2`, async () => {
    for (const args of [['--version'], ['run', 'workflows/arazzo/token-then-payment.arazzo.yml', '--sandbox'], []]) {
      const { code, stdout, stderr } = await runProcess(old!.path, [join(outdir, 'main.js'), ...args]);
      expect(code, args.join(' ')).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toBe(`arazzo-sfn: needs Node.js ${needed} or later, found ${old!.version} (${old!.path})\n`);
    }
    // The installed bin: npm links it executable, and its hashbang starts whichever `node` is first on PATH.
    await chmod(join(outdir, 'main.js'), 0o755);
    const bin = await runProcess(join(outdir, 'main.js'), ['--help'], { PATH: `${dirname(old!.path)}:${process.env.PATH}` });
    expect(bin.code).toBe(2);
    expect(bin.stderr).toMatch(new RegExp(`^arazzo-sfn: needs Node.js ${needed!.replace(/\./g, '\\.')} or later, found ${old!.version.replace(/\./g, '\\.')} \\(`));
  });

  it('on the pinned Node the same bundle starts', async () => {
    const { code, stdout } = await runBundle(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: arazzo-sfn');
  });
});
