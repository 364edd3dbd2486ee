// `npx cdk synth` as a user runs it (cdk.json → npx tsx infra/app.ts): offline, no Docker, no
// AWS credentials; the bundles come from the local esbuild.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { ROOT } from './support/synth-seeds.js';

const out = mkdtempSync(join(tmpdir(), 'arazzo-sfn-cdk-synth-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

it('npx cdk synth writes a template per stack, with its state machines and bundled functions', () => {
  const env: NodeJS.ProcessEnv = { ...process.env, AWS_EC2_METADATA_DISABLED: 'true', CDK_DISABLE_CLI_TELEMETRY: 'true' };
  // No AWS account: synth must not need one.
  for (const name of ['AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'CDK_DEFAULT_ACCOUNT']) delete env[name];
  const started = Date.now();
  const synth = spawnSync('npx', ['cdk', 'synth', '--output', out, '--quiet', '--no-notices'], { cwd: ROOT, env, encoding: 'utf8', timeout: 300_000 });
  expect(synth.error).toBeUndefined();
  expect(synth.status, `${synth.stdout}\n${synth.stderr}`).toBe(0);

  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { artifacts: Record<string, { type: string; properties?: { templateFile?: string } }> };
  const stacks = Object.entries(manifest.artifacts).filter(([, a]) => a.type === 'aws:cloudformation:stack');
  expect(stacks.map(([id]) => id)).toEqual(['ArazzoSfnSeedWorkflows']);
  for (const [id, artifact] of stacks) {
    const file = join(out, artifact.properties!.templateFile!);
    expect(file).toBe(join(out, `${id}.template.json`));
    const resources = Object.values(JSON.parse(readFileSync(file, 'utf8')).Resources as Record<string, { Type: string; Properties: any; Metadata?: any }>);
    expect(resources.filter((r) => r.Type === 'AWS::StepFunctions::StateMachine')).toHaveLength(5);
    const functions = resources.filter((r) => r.Type === 'AWS::Lambda::Function');
    // 19 operations (fintecture-payment-webhook's receive step among them), 5 workflow functions, the webhook receivers of
    // connectFi's callback and of Fintecture's payment webhooks, the starters of the 3 workflows with personal inputs.
    expect(functions).toHaveLength(29);
    expect(resources.filter((r) => r.Type === 'AWS::Lambda::Url').map((r) => r.Properties.AuthType)).toEqual(['NONE', 'NONE']);
    for (const fn of functions) expect(existsSync(join(out, fn.Metadata['aws:asset:path'], 'index.mjs'))).toBe(true);
  }
  // cdk-nag ran on the app and found nothing unacknowledged.
  expect(JSON.parse(readFileSync(join(out, 'validation-report.json'), 'utf8')).pluginReports ?? []).toEqual([]);
  console.log(`npx cdk synth: ${Date.now() - started} ms`);
}, 300_000);
