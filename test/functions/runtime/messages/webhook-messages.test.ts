import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileFileOrThrow } from '../../../../compiler/index.js';
import { isWorkflowStep, type StepPlan } from '../../../../core/plan.js';
import { createWebhookHandler } from '../../../../functions/handlers/create-webhook-handler.js';
import { InMemoryCallbackStore } from '../../../../functions/runtime/callbacks/index.js';
import { registerReceive } from '../../../../functions/runtime/messages/receive-message.js';
import { AesGcmSealer, InMemorySecretsProvider } from '../../../../functions/runtime/secrets/index.js';
import { LocalTaskTokens } from '../../../../local/local-callbacks.js';

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
