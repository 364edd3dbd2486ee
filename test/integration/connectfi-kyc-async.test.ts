import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileFileOrThrow, type CompiledWorkflow } from '../../compiler/index.js';
import { signHmacCallback } from '../../functions/runtime/callbacks/verify-callback-signature.js';
import { messageKey } from '../../functions/runtime/messages/receive-message.js';
import { AesGcmSealer, InMemorySecretsProvider } from '../../functions/runtime/secrets/index.js';
import { historyToJson } from '../../local/history/index.js';
import { startLocalCallbacks, type LocalCallbacks } from '../../local/local-callbacks.js';
import { LocalWorkflow, type LocalExecution } from '../../local/run-workflow.js';
import { startConnectFiSandbox, type ConnectFiSandbox, type ConnectFiScenarioOverrides } from '../../sandbox/index.js';
import { ROOT, scanForSecrets } from './support/seed-harness.js';

const ASYNC = join(ROOT, 'workflows/arazzo/connectfi-kyc-async.arazzo.yml');
const PASSWORD = `pw-${randomBytes(8).toString('hex')}`;
// The simulator signs its messages with this key; the receive step's x-arazzo-sfn-verify names it connectfi/webhook-key.
const WEBHOOK_KEY = randomBytes(32).toString('base64url');

describe('seed 003 as Arazzo 1.1: connectFi KYC with an AsyncAPI receive step, on the engine against the sandbox', () => {
  let sandbox: ConnectFiSandbox;
  let callbacks: LocalCallbacks;
  let compiled: CompiledWorkflow;
  const secrets = new InMemorySecretsProvider({ connectfi: PASSWORD, 'connectfi/webhook-key': WEBHOOK_KEY });
  const sealer = new AesGcmSealer();
  let n = 0;

  beforeAll(async () => {
    sandbox = await startConnectFiSandbox({ users: { kyc_user: PASSWORD }, webhookSigning: { key: WEBHOOK_KEY } });
    callbacks = await startLocalCallbacks({ sealer, secrets });
    compiled = (await compileFileOrThrow(ASYNC)).workflows[0];
  });
  afterAll(async () => {
    await callbacks.close();
    await sandbox.close();
  });

  function run(kyc: ConnectFiScenarioOverrides['kyc'] = {}, secondsToMs = 1): Promise<LocalExecution> {
    sandbox.setScenario({ kyc });
    n++;
    return new LocalWorkflow(compiled).run(
      {
        login: 'kyc_user',
        password: 'secret:connectfi',
        reference: `async-${n}`,
        firstName: 'Jane',
        lastName: 'Testwoman',
        dateOfBirth: '1981-04-02',
        email: `jane${n}@example.com`,
        kycWebhookUrl: callbacks.messageUrl('connectFiEvents', 'kycStatus'),
      },
      {
        runtime: { secrets, sealer, serverUrls: { connectFiApi: sandbox.url } },
        waitMs: 1,
        // The step waits 172,800 s for a message: 173 s at 1 ms a second (long beside the sandbox's pace), 1.7 s at 0.01 ms (the lost-message case).
        callbacks: { local: callbacks, secondsToMs },
        timeoutMs: 20_000,
      },
    );
  }
  const entered = (e: LocalExecution) => e.history.filter((h) => h.stateEnteredEventDetails).map((h) => h.stateEnteredEventDetails!.name);
  const messagesOf = (customerId: string) => sandbox.callbacks.filter((c) => c.customerId === customerId);

  it('the receive step compiles to a waitForTaskToken Task bounded by its timeout, whose lapse goes to the fallback poll', () => {
    expect(compiled.definition.States.awaitKycStatus).toMatchObject({
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      TimeoutSeconds: 172800,
      Catch: [{ ErrorEquals: ['States.Timeout'], Next: 'pollKycStatus' }, { ErrorEquals: ['States.ALL'] }],
    });
  });

  it('approved: WAITING_DATA and REVIEW loop back to wait, APPROVED ends it; each message is read as $message.payload', async () => {
    const exec = await run({ sequence: ['WAITING_DATA', 'REVIEW', 'APPROVED'] });
    expect(exec.status).toBe('SUCCEEDED');
    const { customerId, kycStatus } = exec.output as { customerId: string; kycStatus: string };
    expect(kycStatus).toBe('APPROVED');
    expect(entered(exec).filter((s) => s === 'awaitKycStatus').length).toBeGreaterThanOrEqual(2);
    await expect.poll(() => messagesOf(customerId).filter((c) => c.answerStatus !== undefined).length).toBe(3);
    // Each message either resumed the waiting step (200) or was kept for its next turn (202): none was refused.
    expect(messagesOf(customerId).every((c) => c.answerStatus === 200 || c.answerStatus === 202)).toBe(true);
    expect(scanForSecrets(JSON.stringify(historyToJson(exec.history)), [PASSWORD])).toEqual([]);
  });

  it('declined is an outcome, not a failure', async () => {
    const exec = await run({ sequence: ['WAITING_DATA', 'DECLINED'] });
    expect(exec.status).toBe('SUCCEEDED');
    expect(exec.output).toMatchObject({ kycStatus: 'DECLINED' });
  });

  it('a duplicate of the settling message resumes nothing twice (409, or 401 as a replay when signed in the same second) and the execution ends once', async () => {
    const exec = await run({ sequence: ['REVIEW', 'APPROVED'], duplicate: [1] });
    expect(exec.output).toMatchObject({ kycStatus: 'APPROVED' });
    const { customerId } = exec.output as { customerId: string };
    await expect.poll(() => messagesOf(customerId).filter((c) => c.answerStatus !== undefined).length).toBe(3);
    // The simulator signs each delivery with the second it is sent in: a duplicate sent within the same second is byte for
    // byte the first delivery, so it is a replay (401); a later one is a fresh delivery of a received message (409).
    const [answer] = messagesOf(customerId)
      .filter((c) => c.delivery === 'duplicate')
      .map((c) => c.answerStatus);
    expect([401, 409]).toContain(answer);
    expect(exec.history.filter((h) => h.type === 'ExecutionSucceeded')).toHaveLength(1);
  });

  it('no message in time: the receive step times out and the fallback poll reads the settled status', async () => {
    const exec = await run({ sequence: ['WAITING_DATA', 'APPROVED'], lose: [0, 1] }, 0.01);
    expect(exec.status).toBe('SUCCEEDED');
    expect(entered(exec)).toEqual([
      'Validate inputs',
      'getToken',
      'createCustomer',
      'startKyc',
      'awaitKycStatus',
      'pollKycStatus',
      'pollKycStatus.route',
      'pollKycStatus.end',
    ]);
    expect(exec.output).toMatchObject({ polledKycStatus: 'APPROVED' });
  });

  it('a forged or unsigned message for the waiting step is answered 401, resumes nothing and is counted; the genuine one then resumes it', async () => {
    const before = sandbox.callbacks.length;
    // Both of the simulator's messages are lost, so the step waits (173 s at 1 ms a second) for what the test sends.
    const execution = run({ sequence: ['WAITING_DATA', 'APPROVED'], lose: [0, 1] });
    await expect.poll(() => sandbox.callbacks.slice(before).length, { timeout: 10_000 }).toBe(2);
    const { customerId } = sandbox.callbacks[before];
    const key = messageKey('connectFiEvents', 'kycStatus', customerId);
    await expect.poll(async () => (await callbacks.store.get(key))?.settled, { timeout: 10_000 }).toBe(false);
    const body = JSON.stringify({ requestId: `test-${n}`, data: { customerId, kycStatus: 'APPROVED' } });
    const post = (headers: Record<string, string>) =>
      fetch(callbacks.messageUrl('connectFiEvents', 'kycStatus'), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const now = Math.floor(Date.now() / 1000);
    const forgedBefore = callbacks.forged.get('bad-signature') ?? 0;
    const missingBefore = callbacks.forged.get('missing-signature') ?? 0;

    expect((await post({ 'x-webhook-signature': signHmacCallback(body, 'not-the-key', now) })).status).toBe(401);
    expect((await post({})).status).toBe(401);
    expect(callbacks.forged.get('bad-signature')).toBe(forgedBefore + 1);
    expect(callbacks.forged.get('missing-signature')).toBe(missingBefore + 1);
    expect(await callbacks.store.get(key)).toMatchObject({ settled: false, statuses: [] });

    expect((await post({ 'x-webhook-signature': signHmacCallback(body, WEBHOOK_KEY, now) })).status).toBe(200);
    const exec = await execution;
    expect(exec.status).toBe('SUCCEEDED');
    expect(exec.output).toMatchObject({ customerId, kycStatus: 'APPROVED' });
    // The poll fallback never ran: the forged messages did not end the wait, the genuine one did.
    expect(entered(exec)).not.toContain('pollKycStatus');
  });
});
