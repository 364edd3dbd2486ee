// A replay that reaches a receive step through the kept-message path (it came between two turns
// of a looping wait) is refused when the step takes it, and counted in the local forged metric as
// a replay the receiver refuses is. Real parts: the compiled Fintecture workflow's receive step,
// the local receiver over loopback HTTP, and handleStep wired as the local runner wires it.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileFileOrThrow } from '../../compiler/index.js';
import { isWorkflowStep, type StepPlan } from '../../core/plan.js';
import { handleStep } from '../../functions/runtime/handle-step.js';
import { messageKey } from '../../functions/runtime/messages/receive-message.js';
import { AesGcmSealer, InMemorySecretsProvider } from '../../functions/runtime/secrets/index.js';
import { startLocalCallbacks, type LocalCallbacks } from '../../local/local-callbacks.js';
import { signFintectureWebhook } from '../../sandbox/fintecture/sign-fintecture-webhook.js';

const WORKFLOW = join(import.meta.dirname, '../../workflows/arazzo/fintecture-payment-webhook.arazzo.yml');
const app = generateKeyPairSync('rsa', { modulusLength: 2048 });

describe('a replay taken by a waiting receive step is counted as forged locally', () => {
  let callbacks: LocalCallbacks;
  let receive: StepPlan;
  const secrets = new InMemorySecretsProvider({ 'fintecture/webhook-key': app.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string });
  const sealer = new AesGcmSealer();

  beforeAll(async () => {
    callbacks = await startLocalCallbacks({ sealer, secrets });
    const [compiled] = (await compileFileOrThrow(WORKFLOW)).workflows;
    receive = compiled.plan.steps.filter((s): s is StepPlan => !isWorkflowStep(s)).find((p) => p.receive)!;
    callbacks.register(receive);
  });
  afterAll(() => callbacks.close());

  it('the first turn takes a delivery; the same X-Request-ID over another body, kept between turns, is refused (replayed) when the next turn takes it', async () => {
    const sessionId = randomUUID().replaceAll('-', '');
    const steps = { createPayment: { statusCode: 200, outcome: 'success' as const, outputs: { sessionId }, visits: 1 } };
    // As create-local-handlers wires a receive step's Task.
    const runtime = {
      secrets,
      sealer,
      callbacks: { baseUrl: callbacks.baseUrl, store: callbacks.store, tokens: callbacks.tokens, onForged: (reason: string) => callbacks.countForged(reason) },
    };
    const turn = async () => {
      const { token, result } = callbacks.tokens.issue({ heartbeatMs: 10_000, timeoutMs: 10_000 });
      expect(await handleStep(receive, { step: receive.stepId, executionId: 'exec-1', inputs: {}, steps, taskToken: token }, runtime)).toMatchObject({ outcome: 'waiting' });
      return { result };
    };
    const post = async (status: string, requestId: string) => {
      const body = new URLSearchParams({ session_id: sessionId, status }).toString();
      const headers = signFintectureWebhook({ body, appId: 'demo-merchant-app', publicKey: app.publicKey, date: new Date(), requestId });
      return (await fetch(callbacks.messageUrl('fintectureWebhooks', 'paymentStatus'), { method: 'POST', headers, body })).status;
    };
    const replayed = () => callbacks.forged.get('replayed') ?? 0;

    const first = await turn();
    const delivered = randomUUID();
    expect(await post('payment_pending', delivered)).toBe(200);
    await first.result;
    // A new body under the delivered X-Request-ID: the wait it names has settled, so the message is kept for the next turn.
    expect(await post('payment_created', delivered)).toBe(202);
    const before = replayed();
    const second = await turn();
    expect(replayed()).toBe(before + 1);
    expect(await callbacks.store.get(messageKey('fintectureWebhooks', 'paymentStatus', sessionId))).toMatchObject({ settled: false });
    // The step still waits, and a fresh delivery resumes it.
    expect(await post('payment_created', randomUUID())).toBe(200);
    expect(await second.result).toMatchObject({ outcome: 'success', outputs: { status: 'payment_created' } });
  });
});
