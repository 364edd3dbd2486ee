import { describe, expect, it } from 'vitest';
import { compileFile, formatDiagnostic } from '../../compiler/index.js';
import { runCli } from '../cli/run-cli.js';

/** Seed 001 verbatim, plus `broken` (an operationId no source declares) and `needs-broken` (runs `broken`). */
const FILE = 'test/fixtures/lenient/scoped/seed-001-with-broken-siblings.arazzo.yml';
const BROKEN = `${FILE}:119:18: error ASFN1005 step "mint": operationId "$sourceDescriptions.oauthApi.mintTokenTypo" is not declared in source "oauthApi" [operation-binding]`;
const SEED_001_INPUTS = [
  '--input', 'clientId=sandbox-app-id', '--input', 'clientSecret=sandbox-app-secret',
  '--input', 'amount=12.50', '--input', 'currency=EUR', '--input', 'communication=test',
  '--input', 'requestId=0b5c3f8e-2d6a-4c1b-9e7f-3a2d1c0b9e8f',
];

describe('diagnostics are scoped per workflow: one invalid workflow does not block its siblings', () => {
  it('compileFile compiles the valid workflow, reports the sibling error once, and says which workflow failed and why', async () => {
    const result = await compileFile(FILE);
    expect(result.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic)).toEqual([BROKEN]);
    expect(result.workflows.map((w) => w.plan.workflowId)).toEqual(['token-then-payment']);
    expect(result.status).toEqual([
      { workflowId: 'token-then-payment', compiled: true },
      { workflowId: 'broken', compiled: false, reason: 'errors' },
      { workflowId: 'needs-broken', compiled: false, reason: 'dependency', blockedBy: ['broken'] },
    ]);
  });

  it('compile --workflow of the valid one succeeds and prints the sibling error; of a blocked one exits 2 saying why', async () => {
    const ok = await runCli(['compile', FILE, '--workflow', 'token-then-payment']);
    expect(ok.code).toBe(0);
    expect(Object.keys(JSON.parse(ok.stdout))).toEqual(['token-then-payment']);
    expect(ok.stderr).toContain(BROKEN);

    const blocked = await runCli(['compile', FILE, '--workflow', 'needs-broken']);
    expect(blocked.code).toBe(2);
    expect(blocked.stderr).toContain('workflow "needs-broken" does not compile: it needs "broken", which does not compile');

    // Without --workflow, the whole document is asked for: its errors fail the command.
    expect((await runCli(['compile', FILE])).code).toBe(2);
  });

  it('run of the valid workflow (the first, by default) succeeds against the sandbox and reports the sibling error', async () => {
    const { code, stdout, stderr } = await runCli(['run', FILE, '--sandbox', '--json', ...SEED_001_INPUTS]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).status).toBe('SUCCEEDED');
    expect(stderr).toContain(BROKEN);
    expect(stderr).toContain('other workflows of the document do not compile (broken, needs-broken); running "token-then-payment"');
  });

  it('a schema error inside one workflow (ASFN1002) fails that workflow and what runs it; the rest of the document compiles', async () => {
    const file = 'test/fixtures/lenient/scoped/seed-001-with-schema-broken-sibling.arazzo.yml';
    const result = await compileFile(file);
    expect(result.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic)).toEqual([
      `${file}:121:14: error ASFN1002 Invalid input: expected string, received number [arazzo-schema]`,
      `${file}:122:21: error ASFN1002 an output name must match ^[a-zA-Z0-9.\\-_]+$ (key "Access Token") [arazzo-schema]`,
    ]);
    expect(result.workflows.map((w) => w.plan.workflowId)).toEqual(['token-then-payment']);
    expect(result.status).toEqual([
      { workflowId: 'token-then-payment', compiled: true },
      { workflowId: 'schema-broken', compiled: false, reason: 'errors' },
      { workflowId: 'needs-schema-broken', compiled: false, reason: 'dependency', blockedBy: ['schema-broken'] },
    ]);
  });

  it('a schema error outside every workflow, or in every workflow, still fails the whole document', async () => {
    for (const file of ['test/fixtures/invalid/schema-missing-info-title.arazzo.yml', 'test/fixtures/invalid/schema-steps-not-a-list.arazzo.yml']) {
      const result = await compileFile(file);
      expect(result.diagnostics.some((d) => d.code === 'ASFN1002'), file).toBe(true);
      expect(result.status, file).toEqual([]);
    }
  });

  it('run --workflow of the invalid one exits 2 with its errors', async () => {
    const { code, stderr } = await runCli(['run', FILE, '--workflow', 'broken', '--sandbox']);
    expect(code).toBe(2);
    expect(stderr).toContain(BROKEN);
    expect(stderr).toContain('workflow "broken" does not compile: it has errors');
  });
});
