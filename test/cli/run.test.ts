import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const SEED_000 = 'workflows/arazzo/customer-verification-poll.arazzo.yml';
const SEED_001 = 'workflows/arazzo/token-then-payment.arazzo.yml';
const DEPENDS_FIRST = 'test/fixtures/cli/depends-first.arazzo.yml';
const CUSTOMER_INPUTS = 'workflows/examples/customer-verification-poll.inputs.json';

describe('arazzo-sfn run (child processes, the embedded sandbox on loopback)', () => {
  it('--sandbox with a --server typo exits 2 at once, and no sandbox is left listening (the process ends)', async () => {
    const started = Date.now();
    const { code, stderr } = await runCli(['run', SEED_001, '--sandbox', '--server', 'nope=http://127.0.0.1:1']);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n').pop()).toBe('arazzo-sfn: --server nope: no source description "nope" (has: oauthApi, pisApi)');
    // The child exited by itself: an open server would have kept it alive (it hung forever before).
    expect(Date.now() - started).toBeLessThan(30_000);
  }, 40_000);

  it('--inputs that is not valid JSON exits 2 naming the file and the reason, never quoting its content (it may hold credentials)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'arazzo-inputs-'));
    try {
      const file = join(dir, 'inputs.json');
      const secret = 'sk_live_NOT_JSON_7f3a';
      await writeFile(file, `{ "clientSecret": ${secret} }`);
      const { code, stderr } = await runCli(['run', SEED_001, '--inputs', file]);
      expect(code).toBe(2);
      expect(stderr.trim().split('\n').pop()).toBe(`arazzo-sfn: cannot read --inputs ${file}: not valid JSON`);
      expect(stderr).not.toContain(secret);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 40_000);

  it("--sandbox --inputs workflows/examples/<id>.inputs.json runs as in demo (demo credentials), and --json adds success, outputs and each step's outputs (sealed stays sealed)", async () => {
    const { code, stdout, stderr } = await runCli(['run', SEED_001, '--sandbox', '--json', '--inputs', 'workflows/examples/token-then-payment.inputs.json']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    // DescribeExecution's fields stay as they are.
    expect(result).toMatchObject({ status: 'SUCCEEDED', name: expect.any(String), executionArn: expect.stringContaining(':execution:token-then-payment:') });
    expect(typeof result.output).toBe('string');
    expect(result.success).toBe(true);
    expect(result.outputs).toEqual(JSON.parse(result.output));
    expect(result.outputs.status).toBe('payment_created');
    expect(Object.keys(result.steps)).toEqual(['mintToken', 'createPayment', 'getPayment']);
    expect(result.steps.mintToken.outputs.accessToken).toMatch(/^sealed:v1:/);
    expect(result.steps.createPayment.outputs.sessionId).toBe(result.outputs.sessionId);
    expect(result.steps.getPayment.outputs).toEqual({ status: 'payment_created' });
    expect(result.failure).toBeUndefined();
  }, 40_000);

  it("a failed step shows the provider's error body in the step line and in the cause; --json has failure {name, cause}", async () => {
    const args = ['run', SEED_000, '--sandbox', '--inputs', CUSTOMER_INPUTS, '--input', 'email=not-an-email'];
    const text = await runCli(args);
    expect(text.code).toBe(1);
    const line = text.stdout.split('\n').findIndex((l) => /createCustomer +POST \/v1\/customers +→ 400 .* failed$/.test(l));
    expect(line).toBeGreaterThan(-1);
    expect(text.stdout.split('\n')[line + 1]).toMatch(/^ {24}provider answered: \{.*email/);
    const json = await runCli([...args, '--json']);
    expect(json.code).toBe(1);
    const result = JSON.parse(json.stdout);
    expect(result.success).toBe(false);
    expect(result.error).toBe('Arazzo.StepFailed');
    expect(result.failure).toEqual({ name: 'Arazzo.StepFailed', cause: result.cause });
    expect(result.cause).toMatch(/^step createCustomer: POST \/v1\/customers answered 400, .*; the provider answered: \{.*email/);
    expect(result.outputs).toEqual({});
  }, 40_000);

  it('waits say what really happens: "wait 5 s, shortened to 10 ms"', async () => {
    const { code, stdout } = await runCli(['run', SEED_000, '--sandbox', '--inputs', CUSTOMER_INPUTS, '--wait-ms', '10']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/pollVerification .* onSuccess\.pending \(wait 5 s, shortened to 10 ms\)/);
  }, 40_000);

  it('--sandbox names the sources it does not simulate', async () => {
    // Seed 001 with its payment API described by a file no simulator knows.
    const dir = await mkdtemp(join(tmpdir(), 'arazzo-sfn-run-'));
    try {
      await cp('workflows/openapi', join(dir, 'openapi'), { recursive: true });
      await cp(join(dir, 'openapi', 'fintecture-pis-api-openapi.yml'), join(dir, 'openapi', 'acme-payments.yml'));
      const text = (await readFile(SEED_001, 'utf8')).replace('fintecture-pis-api-openapi.yml', 'acme-payments.yml');
      expect(text).toContain('acme-payments.yml');
      await cp('workflows/arazzo', join(dir, 'arazzo'), { recursive: true });
      const file = join(dir, 'arazzo', 'token-then-payment.arazzo.yml');
      await writeFile(file, text);
      // Invalid inputs: the execution fails before any call, so nothing leaves loopback.
      const { code, stderr } = await runCli(['run', file, '--sandbox', '--input', 'amount=12']);
      expect(code).toBe(1);
      expect(stderr).toMatch(
        /^arazzo-sfn: --sandbox does not simulate source pisApi → https:\/\/\S+: it is called at its own server \(--server <name>=<url> points elsewhere\)$/m,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 40_000);

  it('without --workflow runs every workflow in dependsOn order with a summary table; --junit writes a JUnit report; --workflow picks one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'arazzo-sfn-junit-'));
    try {
      const junit = join(dir, 'report.xml');
      const all = await runCli(['run', DEPENDS_FIRST, '--sandbox', '--inputs', CUSTOMER_INPUTS, '--junit', junit]);
      expect(all.stderr).toContain(`wrote ${junit} (JUnit XML, 2 test suites)`);
      expect(all.code).toBe(0);
      const order = [...all.stdout.matchAll(/^running (\S+)/gm)].map((m) => m[1]);
      expect(order).toEqual(['register-customer', 'verify-registered']);
      expect(all.stdout).toMatch(/^WORKFLOW +STATUS +TIME +CALLS +ERROR$/m);
      expect(all.stdout).toMatch(/^register-customer +SUCCEEDED +\d+ ms +1 +$/m);
      expect(all.stdout).toMatch(/^verify-registered +SUCCEEDED +\d+ ms +2 +$/m);
      expect(all.stdout).toContain('2 of 2 workflows succeeded');
      const xml = await readFile(junit, 'utf8');
      expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="arazzo-sfn [^"]+" tests="3" failures="0"/);
      expect(xml).toMatch(/<testsuite name="register-customer" tests="1" failures="0"/);
      expect(xml).toMatch(/<testcase classname="verify-registered" name="startVerification" time="\d+\.\d{3}">/);
      expect(xml).toContain('name="register-customer › createCustomer"');

      const json = await runCli(['run', DEPENDS_FIRST, '--sandbox', '--inputs', CUSTOMER_INPUTS, '--json']);
      expect(json.code).toBe(0);
      const both = JSON.parse(json.stdout);
      expect(both.success).toBe(true);
      expect(both.executions.map((e: { stateMachineArn: string }) => e.stateMachineArn.split(':').pop())).toEqual(['register-customer', 'verify-registered']);

      const one = await runCli(['run', DEPENDS_FIRST, '--sandbox', '--inputs', CUSTOMER_INPUTS, '--workflow', 'register-customer', '--junit', junit]);
      expect(one.code).toBe(0);
      expect(one.stdout.match(/^running /gm)).toHaveLength(1);
      expect(one.stdout).not.toContain('WORKFLOW');
      expect(await readFile(junit, 'utf8')).toMatch(/tests="1" failures="0"/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 90_000);

  it('a failed execution is a <failure> in the JUnit report, on the step that failed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'arazzo-sfn-junit-'));
    try {
      const junit = join(dir, 'report.xml');
      const { code } = await runCli(['run', SEED_000, '--sandbox', '--inputs', CUSTOMER_INPUTS, '--input', 'email=not-an-email', '--junit', junit]);
      expect(code).toBe(1);
      const xml = await readFile(junit, 'utf8');
      expect(xml).toMatch(/<testsuites [^>]*tests="1" failures="1"/);
      expect(xml).toMatch(
        /<testcase classname="customer-verification-poll" name="createCustomer" time="[\d.]+"><failure message="Arazzo.StepFailed" type="Arazzo.StepFailed">step createCustomer: POST \/v1\/customers answered 400/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 40_000);
});
