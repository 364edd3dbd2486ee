import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileFileOrThrow } from '../../../../compiler/index.js';
import { isWorkflowStep, type StepPlan } from '../../../../core/plan.js';
import { createWebhookHandler } from '../../../../functions/handlers/create-webhook-handler.js';
import { InMemoryCallbackStore } from '../../../../functions/runtime/callbacks/index.js';
import { registerReceive } from '../../../../functions/runtime/messages/receive-message.js';
import { AesGcmSealer, InMemorySecretsProvider } from '../../../../functions/runtime/secrets/index.js';
import { LocalTaskTokens } from '../../../../local/local-callbacks.js';
import { signFintectureWebhook } from '../../../../sandbox/fintecture/sign-fintecture-webhook.js';

const ORDERS = join(import.meta.dirname, '../../../fixtures/asyncapi/orders.arazzo.yml');

describe('the webhook Function URL receives messages for receive steps (POST /messages/<source>/<channel>)', () => {
  it('resumes the waiting Task with the correlated message, tells a duplicate 409 and a stray channel 404', async () => {
    const [compiled] = (await compileFileOrThrow(ORDERS)).workflows;
    const plans = compiled.plan.steps.filter((s): s is StepPlan => !isWorkflowStep(s));
    const receive = plans.find((p) => p.receive)!;
    const store = new InMemoryCallbackStore();
    // The local token registry stands in for Step Functions' task tokens (SendTaskSuccess resolves the waiting promise).
    const tokens = new LocalTaskTokens();
    const deps = { store, tokens, sealer: new AesGcmSealer(), secrets: new InMemorySecretsProvider() };
    const handler = createWebhookHandler(plans, deps, () => {});
    const { token, result } = tokens.issue({ heartbeatMs: 5_000, timeoutMs: 5_000 });
    const event = { step: receive.stepId, executionId: 'exec-1', inputs: { orderRequestId: 'r-1', petId: 1 }, steps: {}, taskToken: token };
    expect(await registerReceive(receive, event, { inputs: event.inputs, steps: {} }, deps)).toBe('waiting');

    const post = (path: string, body: unknown) =>
      handler({ rawPath: path, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), requestContext: { http: { method: 'POST' } } });
    const message = { orderRequestId: 'r-1', orderId: 9, status: 'confirmed' };
    expect((await post('/messages/orders/orderConfirmed', message)).statusCode).toBe(200);
    expect(await result).toMatchObject({ outcome: 'success', outputs: { orderId: 9 } });
    expect((await post('/messages/orders/orderConfirmed', message)).statusCode).toBe(409);
    expect((await post('/messages/orders/elsewhere', message)).statusCode).toBe(404);
  });
});

describe('the webhook Function URL verifies a receive step\'s messages (x-arazzo-sfn-verify) before anything else', () => {
  it('refuses a forged and a replayed Fintecture webhook 401 with a ForgedCallbacks metric line, and resumes on the genuine one', async () => {
    const [compiled] = (await compileFileOrThrow(join(import.meta.dirname, '../../../../workflows/arazzo/fintecture-payment-webhook.arazzo.yml'))).workflows;
    const plans = compiled.plan.steps.filter((s): s is StepPlan => !isWorkflowStep(s));
    const receive = plans.find((p) => p.receive)!;
    const app = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const store = new InMemoryCallbackStore();
    const tokens = new LocalTaskTokens();
    const secrets = new InMemorySecretsProvider({ 'fintecture/webhook-key': app.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string });
    const deps = { store, tokens, sealer: new AesGcmSealer(), secrets };
    const logged: Record<string, unknown>[] = [];
    const handler = createWebhookHandler(plans, deps, (entry) => logged.push(entry));
    const { token, result } = tokens.issue({ heartbeatMs: 5_000, timeoutMs: 5_000 });
    const sessionId = randomUUID().replaceAll('-', '');
    const steps = { createPayment: { statusCode: 200, outcome: 'success', outputs: { sessionId }, visits: 1 } };
    const event = { step: receive.stepId, executionId: 'exec-1', inputs: {}, steps, taskToken: token };
    expect(await registerReceive(receive, event, { inputs: {}, steps }, deps)).toBe('waiting');

    const body = new URLSearchParams({ session_id: sessionId, status: 'payment_created' }).toString();
    const post = (headers: Record<string, string>) =>
      handler({ rawPath: '/messages/fintectureWebhooks/paymentStatus', headers, body, requestContext: { http: { method: 'POST' } } });
    const sign = (publicKey: typeof app.publicKey, requestId: string = randomUUID()) => signFintectureWebhook({ body, appId: 'demo-merchant-app', publicKey, date: new Date(), requestId });
    const metrics = () => logged.filter((l) => l.ForgedCallbacks === 1).map((l) => [l.WorkflowId, l.reason]);

    expect((await post(sign(generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey))).statusCode).toBe(401);
    expect(metrics()).toEqual([['fintecture-payment-webhook', 'bad-signature']]);
    const genuine = sign(app.publicKey);
    expect((await post(genuine)).statusCode).toBe(200);
    expect(await result).toMatchObject({ outcome: 'success', outputs: { status: 'payment_created' } });
    expect((await post(sign(app.publicKey, genuine['x-request-id']))).statusCode).toBe(401);
    expect(metrics()).toEqual([['fintecture-payment-webhook', 'bad-signature'], ['fintecture-payment-webhook', 'replayed']]);
  });
});
