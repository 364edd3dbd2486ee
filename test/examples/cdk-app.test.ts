// The example app (examples/cdk-app, what `cdk init app --language typescript` makes: CommonJS,
// Jest) as a user has it: in a folder of its own, with arazzo-sfn installed from the packed
// tarball, never from this checkout. Offline except the npm registry (the app's own
// dependencies); no Docker, no AWS account.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const EXAMPLE = join(ROOT, 'examples', 'cdk-app');
const exec = promisify(execFile);

const work = mkdtempSync(join(tmpdir(), 'arazzo-sfn-example-'));
const app = join(work, 'app');
// The app's node_modules (aws-cdk-lib, TypeScript, Jest, SWC) is over half a gigabyte.
afterAll(async () => {
  console.log(
    `example app: ${Object.entries(timings)
      .map(([step, ms]) => `${step} ${(ms / 1000).toFixed(1)} s`)
      .join(', ')}`,
  );
  await rm(work, { recursive: true, force: true });
}, 180_000);

// The app's processes see what a user's shell has: its own node_modules/.bin first, no npm
// settings of the npm run that started vitest, and no AWS credentials (synth needs none).
function appEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/^npm_/i.test(name) || /^(AWS_PROFILE|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN|CDK_DEFAULT_ACCOUNT)$/.test(name)) continue;
    env[name] = value;
  }
  env.PATH = [join(app, 'node_modules', '.bin'), ...(process.env.PATH ?? '').split(delimiter).filter((dir) => !dir.startsWith(ROOT))].join(delimiter);
  return { ...env, AWS_EC2_METADATA_DISABLED: 'true', CDK_DISABLE_CLI_TELEMETRY: 'true', NO_COLOR: '1' };
}

async function run(
  cwd: string,
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = appEnv(),
): Promise<{ stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  try {
    const { stdout, stderr } = await exec(command, [...args], { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 300_000 });
    return { stdout, stderr, ms: Date.now() - started };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`, { cause: err });
  }
}

let tarball: string;
const timings: Record<string, number> = {};

beforeAll(async () => {
  // npm pack runs `prepack` (a clean, full build), so the tarball holds what the sources say now.
  const packed = await run(ROOT, 'npm', ['pack', '--pack-destination', work], { ...appEnv(), PATH: process.env.PATH });
  timings.pack = packed.ms;
  const tarballs = readdirSync(work).filter((f) => f.endsWith('.tgz'));
  expect(tarballs).toEqual([expect.stringMatching(/^arazzo-sfn-.*\.tgz$/)]);
  tarball = join(work, tarballs[0]);
  cpSync(EXAMPLE, app, { recursive: true, filter: (src) => !/[\\/](node_modules|cdk\.out)$/.test(src) && !src.endsWith('.tgz') });
  const installed = await run(app, 'npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], { ...appEnv(), PATH: process.env.PATH });
  timings.install = installed.ms;
}, 600_000);

describe('examples/cdk-app with arazzo-sfn from the packed tarball', () => {
  it('the tarball ships the built package, its license and seed workflows, and no tests, sources or maps', async () => {
    const { stdout } = await run(work, 'tar', ['-tzf', tarball]);
    const files = stdout
      .split('\n')
      .filter(Boolean)
      .map((f) => f.replace(/^package\//, ''));
    expect(files).toEqual(
      expect.arrayContaining([
        'LICENSE',
        'README.md',
        'package.json',
        'dist/infra/cdk/index.js',
        'dist/infra/cdk/index.cjs',
        'dist/infra/cdk/index.d.ts',
        'dist/functions/handlers/operation.js',
        'dist/bin/main.js',
      ]),
    );
    expect(
      files.filter((f) => f.startsWith('test/') || f.startsWith('dist/bench/') || f.endsWith('.map') || (f.endsWith('.ts') && !f.endsWith('.d.ts'))),
    ).toEqual([]);
    expect(readFileSync(join(app, 'node_modules', 'arazzo-sfn', 'LICENSE'), 'utf8')).toContain('Apache License');
    // 1.6 MB today; the tests and source maps it once shipped made 4.2 MB, stale chunks of earlier builds 3.7 MB.
    expect(statSync(tarball).size).toBeLessThan(3 * 1024 * 1024);
  });

  it('type-checks (tsc --noEmit, CommonJS importing the package)', async () => {
    const tsc = await run(app, 'tsc', ['--noEmit']);
    timings.tsc = tsc.ms;
    expect(tsc.stdout + tsc.stderr).toBe('');
  }, 300_000);

  it('cdk synth: the state machine, one Lambda function per operation (Node 22, arm64), bundled offline from the package', async () => {
    const synth = await run(app, 'cdk', ['synth', '--quiet', '--no-notices']);
    timings.synth = synth.ms;
    const out = join(app, 'cdk.out');
    const template = Template.fromJSON(JSON.parse(readFileSync(join(out, 'CdkAppStack.template.json'), 'utf8')) as Record<string, unknown>);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    for (const operation of ['loyalty.getMember', 'loyalty.grantReward']) {
      template.resourcePropertiesCountIs('AWS::Lambda::Function', { Description: Match.stringLikeRegexp(`: operation ${operation}$`) }, 1);
    }
    // The two operations and the workflow function (input checks); nothing else.
    const functions = Object.values(template.findResources('AWS::Lambda::Function')) as {
      Properties: { Runtime: string; Architectures: string[] };
      Metadata: Record<string, string>;
    }[];
    expect(functions).toHaveLength(3);
    for (const fn of functions) {
      expect(fn.Properties.Runtime).toBe('nodejs22.x');
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      const bundle = join(out, fn.Metadata['aws:asset:path'], 'index.mjs');
      expect(existsSync(bundle) && statSync(bundle).size).toBeGreaterThan(10_000);
    }
    // The definition's Task resources are the functions' ARNs, substituted at deploy time.
    const [machine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine')) as {
      Properties: { DefinitionSubstitutions: Record<string, unknown> };
    }[];
    expect(Object.keys(machine.Properties.DefinitionSubstitutions)).toHaveLength(3);
    template.hasOutput('*', { Value: { Ref: Match.stringLikeRegexp('^WelcomeRewardStateMachine') } });
    // The construct compiled the app's own document, against its own OpenAPI description.
    expect(readdirSync(out).filter((f) => f.startsWith('asset.'))).toHaveLength(3);
  }, 300_000);

  it("the app's own Jest test (aws-cdk-lib/assertions) loads the package through require", async () => {
    const jest = await run(app, 'jest', ['--ci']);
    timings.jest = jest.ms;
    expect(jest.stderr).toContain('1 passed');
  }, 300_000);
});
