// Seed 003 stays verbatim (DESIGN), and its 1.0 callback declares no `verify`: the verification of
// connectFi's signed KYC webhooks is declared by configuration (CompileOptions webhookVerification,
// the construct's prop), as the seeds' app and demo declare it (SEED_WEBHOOK_VERIFICATION). Real
// HTTP from the connectFi simulator to the local receiver, on the engine.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileFile, compileFileOrThrow, type CompiledWorkflow } from '../../compiler/index.js';
import type { StepPlan } from '../../core/plan.js';
import { AesGcmSealer, InMemorySecretsProvider } from '../../functions/runtime/secrets/index.js';
import { CONNECTFI_WEBHOOK_KEY, SEED_WEBHOOK_VERIFICATION } from '../../infra/seed-declarations.js';
import { startLocalCallbacks, type LocalCallbacks } from '../../local/local-callbacks.js';
import { LocalWorkflow, type LocalExecution } from '../../local/run-workflow.js';
import { startConnectFiSandbox, type ConnectFiSandbox } from '../../sandbox/index.js';
import { ROOT } from './support/seed-harness.js';

const SEED_003 = join(ROOT, 'workflows/arazzo/connectfi-kyc-callback.arazzo.yml');
const PASSWORD = `pw-${randomBytes(8).toString('hex')}`;
const SIGNING_KEY = randomBytes(32).toString('base64url');

describe('seed 003: its callbacks verified by configuration, the document unedited', () => {
  let sandbox: ConnectFiSandbox;
  let compiled: CompiledWorkflow;
  const sealer = new AesGcmSealer();
  let n = 0;

  beforeAll(async () => {
    // GIVEN the simulator signing every KYC webhook with the provider's key
    sandbox = await startConnectFiSandbox({ users: { kyc_user: PASSWORD }, webhookSigning: { key: SIGNING_KEY } });
    compiled = (await compileFileOrThrow(SEED_003, { webhookVerification: SEED_WEBHOOK_VERIFICATION })).workflows[0];
  });
  afterAll(() => sandbox.close());

  const startKyc = (w: CompiledWorkflow) => w.plan.steps.find((s) => s.stepId === 'startKyc') as StepPlan;

  it('the configured declaration becomes the callback\'s verify; without it the seed verifies nothing', async () => {
    expect(startKyc(compiled).callback?.verify).toEqual({ scheme: 'hmac-sha256', secret: CONNECTFI_WEBHOOK_KEY, header: 'x-webhook-signature', toleranceSeconds: 300 });
    const verbatim = (await compileFileOrThrow(SEED_003)).workflows[0];
    expect(startKyc(verbatim).callback).toBeDefined();
    expect(startKyc(verbatim).callback?.verify).toBeUndefined();
  });

  async function run(receiverKey: string): Promise<{ exec: LocalExecution; callbacks: LocalCallbacks }> {
    const secrets = new InMemorySecretsProvider({ connectfi: PASSWORD, [CONNECTFI_WEBHOOK_KEY]: receiverKey });
    const callbacks = await startLocalCallbacks({ sealer, secrets });
    sandbox.setScenario({ kyc: { sequence: ['REVIEW', 'APPROVED'] } });
    n++;
    try {
      const exec = await new LocalWorkflow(compiled).run(
        { login: 'kyc_user', password: 'secret:connectfi', reference: `ref-${n}`, firstName: 'John', lastName: 'Testman', dateOfBirth: '1978-10-15', email: `john${n}@example.com` },
        // The heartbeat (3600 s) becomes 720 ms: a step whose callbacks are all refused falls back to polling.
        { runtime: { secrets, sealer, serverUrls: { connectFiApi: sandbox.url } }, waitMs: 1, callbacks: { local: callbacks, secondsToMs: 0.2 }, timeoutMs: 20_000 },
      );
      return { exec, callbacks };
    } finally {
      await callbacks.close();
    }
  }
  const entered = (e: LocalExecution) => e.history.filter((h) => h.stateEnteredEventDetails).map((h) => h.stateEnteredEventDetails!.name);
  const answers = async (customerId: string, count: number) => {
    await expect.poll(() => sandbox.callbacks.filter((c) => c.customerId === customerId && c.answerStatus !== undefined).length).toBe(count);
    return sandbox.callbacks.filter((c) => c.customerId === customerId).map((c) => [c.kycStatus, c.answerStatus]);
  };

  it('the provider\'s signed callbacks resume the step', async () => {
    const { exec } = await run(SIGNING_KEY);
    expect(exec.status, exec.error).toBe('SUCCEEDED');
    expect(entered(exec)).toContain('startKyc.end');
    const { customerId, kycStatus } = exec.output as { customerId: string; kycStatus: string };
    expect(kycStatus).toBe('APPROVED');
    expect(await answers(customerId, 2)).toEqual([['REVIEW', 202], ['APPROVED', 200]]);
  });

  it('callbacks signed with another key are refused (401, counted): the step never takes them and the workflow falls back to polling', async () => {
    const { exec, callbacks } = await run(randomBytes(32).toString('base64url'));
    expect(exec.status, exec.error).toBe('SUCCEEDED');
    const { customerId } = exec.output as { customerId: string };
    expect(await answers(customerId, 2)).toEqual([['REVIEW', 401], ['APPROVED', 401]]);
    expect([...callbacks.forged.values()].reduce((a, b) => a + b, 0)).toBe(2);
    expect(entered(exec)).toContain('pollKycStatus');
    expect(entered(exec)).not.toContain('startKyc.end');
  });

  it('a configured declaration for a step that takes no webhook is a warning (ASFN2210); a malformed one is an error at the step', async () => {
    const unused = await compileFile(SEED_003, { webhookVerification: { 'connectfi-kyc-callback': { getToken: SEED_WEBHOOK_VERIFICATION['connectfi-kyc-callback'].startKyc, nowhere: {} } } });
    const warnings = unused.diagnostics.filter((d) => d.code === 'ASFN2210');
    expect(warnings.map((d) => [d.severity, d.message])).toEqual([
      ['warning', expect.stringMatching(/step "getToken": the step is neither a callback step .* nor a receive step/)],
      ['warning', expect.stringMatching(/step "nowhere": the workflow has no such step \(it verifies: startKyc\)/)],
    ]);
    expect(unused.workflows).toHaveLength(1);
    const bad = await compileFile(SEED_003, { webhookVerification: { 'connectfi-kyc-callback': { startKyc: { scheme: 'md5', secret: CONNECTFI_WEBHOOK_KEY } } } });
    expect(bad.diagnostics.filter((d) => d.severity === 'error').map((d) => [d.code, d.message])).toEqual([
      ['ASFN1070', expect.stringContaining('webhookVerification of workflow "connectfi-kyc-callback" step "startKyc".scheme must be one of hmac-sha256, fintecture')],
    ]);
    expect(bad.workflows).toHaveLength(0);
  });
});
