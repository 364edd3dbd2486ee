import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DiagnosticCodes } from '../../compiler/diagnostics/codes.js';
import { runCli } from './run-cli.js';

const SEED_000 = 'workflows/arazzo/customer-verification-poll.arazzo.yml';
const SEED_001 = 'workflows/arazzo/token-then-payment.arazzo.yml';

/** A broken copy of seed 000 in a temp tree with the OpenAPI descriptions beside it, so ../openapi/ still resolves. */
async function brokenCopy(edit: (text: string) => string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'arazzo-sfn-cli-'));
  await cp('workflows/openapi', join(dir, 'openapi'), { recursive: true });
  await mkdir(join(dir, 'arazzo'));
  const file = join(dir, 'arazzo', 'broken.arazzo.yml');
  await writeFile(file, edit(await readFile(SEED_000, 'utf8')));
  return file;
}

describe('arazzo-sfn CLI', () => {
  it('main job: demo compiles and runs every seed workflow against the sandbox and exits 0 (--verbose: with each history)', async () => {
    const { code, stdout, stderr } = await runCli(['demo', '--wait-ms', '5', '--verbose']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('━━━ customer-verification-poll ━━━');
    expect(stdout).toContain('━━━ token-then-payment ━━━');
    expect(stdout).toContain('ExecutionSucceeded');
    expect(stdout).toMatch(/LambdaFunctionSucceeded +pollVerification .*· HTTP 200 → onSuccess.pending \(next turn in 5s\)/);
    expect(stdout).toMatch(/LambdaFunctionSucceeded +pollVerification .*· HTTP 200 → onSuccess.verified/);
    expect(stdout).toContain('"finalStatus": "verified"');
    expect(stdout).toContain('"status": "payment_created"');
    // Seed 003 rewritten as Arazzo 1.1: its KYC webhook is a message an AsyncAPI receive step waits for.
    expect(stdout).toContain('━━━ connectfi-kyc-async ━━━');
    expect(stdout).toMatch(/awaitKycStatus +RECEIVE \/kyc-status/);
    // Fintecture's signed payment webhook, delivered by the simulator and taken by a receive step; no signature material printed.
    expect(stdout).toContain('━━━ fintecture-payment-webhook ━━━');
    expect(stdout).toMatch(/TaskSucceeded +awaitPaymentWebhook .*· message received → success/);
    expect(stdout).toContain('"webhookStatus": "payment_created"');
    expect(stdout).not.toMatch(/SHA-256=|keyId=|BEGIN PRIVATE KEY/);
    expect(stdout).toMatch(/6 of 6 executions succeeded/);
  }, 60_000);

  it('validate: an unknown goto target is a file:line:col error, exit 2, no stack trace', async () => {
    const file = await brokenCopy((t) => t.replace('stepId: reportFailure\n      criteria', 'stepId: reportFailur\n      criteria'));
    try {
      const { code, stdout, stderr } = await runCli(['validate', file]);
      expect(code).toBe(2);
      expect(stdout).toMatch(/\.arazzo\.yml:118:15: error ASFN1008 goto action "notVerified" targets unknown step "reportFailur"/);
      expect(stdout + stderr).not.toMatch(/\n\s+at /);
    } finally {
      await rm(join(file, '..', '..'), { recursive: true });
    }
  });

  it('validate: malformed YAML is reported at its line, exit 2', async () => {
    const file = await brokenCopy((t) => t.replace('  version: 1.0.0', '  version: [1.0.0'));
    try {
      const { code, stdout } = await runCli(['validate', file]);
      expect(code).toBe(2);
      expect(stdout).toMatch(/\.arazzo\.yml:\d+:\d+: error ASFN1001 YAML:/);
    } finally {
      await rm(join(file, '..', '..'), { recursive: true });
    }
  });

  it('validate: a missing file is a one-line error, exit 2', async () => {
    const { code, stdout } = await runCli(['validate', 'workflows/arazzo/nope.arazzo.yml']);
    expect(code).toBe(2);
    expect(stdout).toContain('workflows/arazzo/nope.arazzo.yml:1:1: error ASFN1003 cannot read workflows/arazzo/nope.arazzo.yml: file not found');
  });

  it('validate: the seeds have no errors, exit 0', async () => {
    const { code, stdout } = await runCli(['validate', SEED_000, SEED_001]);
    expect(code).toBe(0);
    expect(stdout).toContain(`${SEED_000}: 0 errors, 10 warnings`);
    // Seed 001 unsigned: its PIS description requires Signature, Digest and Date (ASFN2039 ×2, ASFN2010), as the published one does.
    expect(stdout).toContain(`${SEED_001}: 0 errors, 7 warnings`);
  });

  it('run --sandbox: typed credentials go to the local secrets provider, never to the output', async () => {
    const clientSecret = 'sandbox-app-secret';
    const { code, stdout } = await runCli([
      'run', SEED_001, '--sandbox', '--json',
      '--input', 'clientId=sandbox-app-id', '--input', `clientSecret=${clientSecret}`,
      '--input', 'amount=12.50', '--input', 'currency=EUR', '--input', 'communication=test',
      '--input', 'requestId=0b5c3f8e-2d6a-4c1b-9e7f-3a2d1c0b9e8f',
    ]);
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result.status).toBe('SUCCEEDED');
    expect(JSON.parse(result.input).clientSecret).toMatch(/^secret:local\/token-then-payment\//);
    expect(JSON.parse(result.output).accessToken).toMatch(/^sealed:v1:/);
    expect(stdout).not.toContain(clientSecret);
    expect(stdout).not.toContain('sandbox-app-id');
    expect(result.history[0].type).toBe('ExecutionStarted');
  });

  it('run: invalid inputs fail the execution before any call, exit 1', async () => {
    const { code, stdout } = await runCli(['run', SEED_001, '--sandbox', '--json', '--input', 'amount=12']);
    expect(code).toBe(1);
    const result = JSON.parse(stdout);
    expect(result.error).toBe('Arazzo.InvalidInputs');
    expect(result.cause).toContain('missing required input "clientId"');
    expect(result.cause).toContain('missing required input "requestId"');
    expect(result.history.some((e: { type: string; stateEnteredEventDetails?: { name: string } }) => e.type === 'TaskStateEntered' && e.stateEnteredEventDetails?.name === 'mintToken')).toBe(false);
  });

  it('usage errors are one line on stderr, exit 2', async () => {
    const { code, stderr } = await runCli(['run', SEED_001, '--server', 'nope=http://127.0.0.1:1']);
    expect(code).toBe(2);
    expect(stderr.trim().split("\n").pop()).toBe('arazzo-sfn: --server nope: no source description "nope" (has: oauthApi, pisApi)');
  });

  it('docs/diagnostics.md lists every diagnostic code', async () => {
    const doc = await readFile('docs/diagnostics.md', 'utf8');
    for (const { code, rule } of Object.values(DiagnosticCodes)) expect(doc).toContain(`| ${code} | ${code.startsWith('ASFN1') ? 'error' : 'warning'} | \`${rule}\` |`);
  });
});
