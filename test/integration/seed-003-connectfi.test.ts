import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileFileOrThrow, type CompiledWorkflow } from '../../compiler/index.js';
import { AesGcmSealer, InMemorySecretsProvider } from '../../functions/runtime/secrets/index.js';
import { historyToJson } from '../../local/history/index.js';
import { startLocalCallbacks, type LocalCallbacks } from '../../local/local-callbacks.js';
import { LocalWorkflow, type LocalExecution } from '../../local/run-workflow.js';
import { startConnectFiSandbox, type ConnectFiSandbox, type ConnectFiScenarioOverrides } from '../../sandbox/index.js';
import { ROOT, scanForSecrets } from './support/seed-harness.js';

const SEED_003 = join(ROOT, 'workflows/arazzo/connectfi-kyc-callback.arazzo.yml');
const PASSWORD = `pw-${randomBytes(8).toString('hex')}`;

describe('seed 003: connectFi KYC with a webhook callback, on the engine against the sandbox', () => {
  let sandbox: ConnectFiSandbox;
  let callbacks: LocalCallbacks;
  let compiled: CompiledWorkflow;
  const secrets = new InMemorySecretsProvider({ connectfi: PASSWORD });
  const sealer = new AesGcmSealer();
  let n = 0;

  beforeAll(async () => {
    sandbox = await startConnectFiSandbox({ users: { kyc_user: PASSWORD } });
    callbacks = await startLocalCallbacks({ sealer, secrets });
    compiled = (await compileFileOrThrow(SEED_003)).workflows[0];
  });
  afterAll(async () => {
    await callbacks.close();
    await sandbox.close();
  });

  async function run(kyc: ConnectFiScenarioOverrides['kyc'] = {}, waitMs = 1): Promise<LocalExecution> {
    sandbox.setScenario({ kyc });
    n++;
    return new LocalWorkflow(compiled).run(
      { login: 'kyc_user', password: 'secret:connectfi', reference: `ref-${n}`, firstName: 'John', lastName: 'Testman', dateOfBirth: '1978-10-15', email: `john${n}@example.com` },
      {
        runtime: { secrets, sealer, serverUrls: { connectFiApi: sandbox.url } },
        waitMs,
        // The workflow's heartbeat is 3600 s: a second of it becomes 0.2 ms here, so a lost callback lapses in 720 ms.
        callbacks: { local: callbacks, secondsToMs: 0.2 },
        timeoutMs: 20_000,
      },
    );
  }
  const entered = (e: LocalExecution) => e.history.filter((h) => h.stateEnteredEventDetails).map((h) => h.stateEnteredEventDetails!.name);
  const callbacksOf = (customerId: string) => sandbox.callbacks.filter((c) => c.customerId === customerId);

  it('the callback step compiles to a waitForTaskToken Task with the heartbeat, the timeout and the fallback poll', () => {
    expect(compiled.definition.States.startKyc).toMatchObject({
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      HeartbeatSeconds: 3600,
      TimeoutSeconds: 172800,
      Catch: [{ ErrorEquals: ['States.Timeout', 'States.HeartbeatTimeout'], Next: 'pollKycStatus' }, { ErrorEquals: ['States.ALL'] }],
    });
  });

  it('approved after WAITING_DATA and REVIEW callbacks', async () => {
    const exec = await run({ sequence: ['WAITING_DATA', 'REVIEW', 'APPROVED'] });
    expect(exec.status).toBe('SUCCEEDED');
    expect(entered(exec)).toEqual(['Validate inputs', 'getToken', 'createCustomer', 'startKyc', 'startKyc.route', 'startKyc.end']);
    const { customerId, kycStatus } = exec.output as { customerId: string; kycStatus: string };
    expect(kycStatus).toBe('APPROVED');
    await expect.poll(() => callbacksOf(customerId).filter((c) => c.answerStatus !== undefined).length).toBe(3);
    expect(callbacksOf(customerId).map((c) => [c.kycStatus, c.answerStatus])).toEqual([
      ['WAITING_DATA', 202],
      ['REVIEW', 202],
      ['APPROVED', 200],
    ]);
    // The per-execution callback secret is in the query string, which the sandbox never logs; the history holds neither it nor the password.
    const historyText = JSON.stringify(historyToJson(exec.history));
    expect(scanForSecrets(historyText, [PASSWORD])).toEqual([]);
    expect(historyText).not.toContain('/callbacks?id=');
  });

  it('declined', async () => {
    const exec = await run({ sequence: ['WAITING_DATA', 'DECLINED'] });
    expect(exec.status).toBe('SUCCEEDED');
    expect(exec.output).toMatchObject({ kycStatus: 'DECLINED' });
  });

  it('a duplicate of the settling callback is refused (409) and the execution ends once', async () => {
    const exec = await run({ sequence: ['REVIEW', 'APPROVED'], duplicate: [1] });
    const { customerId } = exec.output as { customerId: string };
    await expect.poll(() => callbacksOf(customerId).filter((c) => c.answerStatus !== undefined).length).toBe(3);
    expect(callbacksOf(customerId).map((c) => [c.kycStatus, c.delivery, c.answerStatus])).toEqual([
      ['REVIEW', 'sent', 202],
      ['APPROVED', 'sent', 200],
      ['APPROVED', 'duplicate', 409],
    ]);
    expect(exec.history.filter((h) => h.type === 'ExecutionSucceeded')).toHaveLength(1);
  });

  it('an out-of-order REVIEW after APPROVED is refused (409): a settled step stays settled', async () => {
    const exec = await run({ sequence: ['WAITING_DATA', 'REVIEW', 'APPROVED'], outOfOrder: [1, 2] });
    expect(exec.output).toMatchObject({ kycStatus: 'APPROVED' });
    const { customerId } = exec.output as { customerId: string };
    await expect.poll(() => callbacksOf(customerId).filter((c) => c.answerStatus !== undefined).length).toBe(3);
    expect(callbacksOf(customerId).map((c) => [c.kycStatus, c.answerStatus])).toEqual([
      ['WAITING_DATA', 202],
      ['APPROVED', 200],
      ['REVIEW', 409],
    ]);
  });

  it('a forged callback is rejected with 401 and the execution is untouched', async () => {
    const pending = run({ sequence: ['WAITING_DATA', 'REVIEW', 'APPROVED'], callbackIntervalMs: 100 });
    const forged = await fetch(`${callbacks.baseUrl}/callbacks?id=${randomBytes(32).toString('base64url')}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: '0', data: { kycStatus: 'DECLINED' } }),
    });
    expect(forged.status).toBe(401);
    const exec = await pending;
    expect(exec.output).toMatchObject({ kycStatus: 'APPROVED' });
  });

  it('a lost callback: the heartbeat lapses and the fallback poll reads the settled status', async () => {
    const exec = await run({ sequence: ['WAITING_DATA', 'APPROVED'], lose: [1] });
    expect(exec.status).toBe('SUCCEEDED');
    expect(entered(exec)).toEqual(['Validate inputs', 'getToken', 'createCustomer', 'startKyc', 'pollKycStatus', 'pollKycStatus.route', 'pollKycStatus.end']);
    expect(exec.output).toMatchObject({ polledKycStatus: 'APPROVED' });
    expect(exec.output).not.toHaveProperty('kycStatus');
  });

  it('lost callbacks while still in REVIEW: the fallback poll loops (jsonpath criterion over the body) until APPROVED', async () => {
    // Callbacks every 600 ms: WAITING_DATA arrives, REVIEW and APPROVED are lost; the heartbeat lapses
    // 720 ms after WAITING_DATA, while the status is REVIEW, so the poll must turn until APPROVED.
    const exec = await run({ sequence: ['WAITING_DATA', 'REVIEW', 'APPROVED'], lose: [1, 2], callbackIntervalMs: 600 }, 100);
    expect(exec.status).toBe('SUCCEEDED');
    const polls = entered(exec).filter((s) => s === 'pollKycStatus').length;
    expect(polls).toBeGreaterThan(1);
    expect(entered(exec)).toContain('pollKycStatus.wait');
    expect(exec.output).toMatchObject({ polledKycStatus: 'APPROVED' });
  });
});
