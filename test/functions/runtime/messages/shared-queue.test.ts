import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileFileOrThrow } from '../../../../compiler/index.js';
import { isWorkflowStep, type StepPlan } from '../../../../core/plan.js';
import { createBrokerHandler } from '../../../../functions/handlers/create-broker-handler.js';
import { InMemoryCallbackStore } from '../../../../functions/runtime/callbacks/index.js';
import type { SqsRecord } from '../../../../functions/runtime/messages/broker-messages.js';
import { registerReceive } from '../../../../functions/runtime/messages/receive-message.js';
import { AesGcmSealer, InMemorySecretsProvider } from '../../../../functions/runtime/secrets/index.js';
import { LocalTaskTokens } from '../../../../local/local-callbacks.js';

// Two channels (parcelPacked, parcelWeighed) whose sqs bindings name one queue, each with a receive step correlated on the orderId header.
const WAREHOUSE = join(import.meta.dirname, '../../../fixtures/asyncapi/shared-queue/warehouse.arazzo.yml');
const QUEUE_ARN = 'arn:aws:sqs:eu-west-1:111122223333:warehouse';

const record = (messageId: string, orderId: string, payload: object): SqsRecord => ({
  messageId,
  body: JSON.stringify(payload),
  eventSource: 'aws:sqs',
  eventSourceARN: QUEUE_ARN,
  attributes: { ApproximateReceiveCount: '1' },
  messageAttributes: { orderId: { dataType: 'String', stringValue: orderId } },
});

describe('a queue two channels share: a message on it is a message of each channel until one receive step takes it, and it is taken once', () => {
  let plans: StepPlan[];
  beforeAll(async () => {
    const [compiled] = (await compileFileOrThrow(WAREHOUSE)).workflows;
    plans = compiled.plan.steps.filter((s): s is StepPlan => !isWorkflowStep(s));
  });

  function setup() {
    // The local token registry stands in for Step Functions' task tokens (a test double: SendTaskSuccess resolves the waiting promise).
    const tokens = new LocalTaskTokens();
    const store = new InMemoryCallbackStore();
    const deps = { store, tokens, sealer: new AesGcmSealer(), secrets: new InMemorySecretsProvider() };
    const logs: Record<string, unknown>[] = [];
    const handler = createBrokerHandler(plans, { ...deps, targetOfQueue: (arn) => (arn === QUEUE_ARN ? 'sqs:warehouse' : undefined) }, (e) => {
      if (!('_aws' in e)) logs.push(e);
    });
    /** Registers a step's wait for an order, as its Task's function does: 'received' when it took a message kept for it. */
    const register = (stepId: string, orderId: string, executionId: string) => {
      const { token, result } = tokens.issue({ heartbeatMs: 5_000, timeoutMs: 5_000 });
      result.catch(() => undefined);
      const plan = plans.find((p) => p.stepId === stepId)!;
      const event = { step: stepId, executionId, inputs: { orderId }, steps: {}, taskToken: token };
      return { registered: registerReceive(plan, event, { inputs: event.inputs, steps: {} }, deps), result };
    };
    return { handler, logs, register };
  }

  it('a message that resumes a step waiting on one channel is not kept for the other as well', async () => {
    const { handler, logs, register } = setup();
    const packed = register('awaitPacked', 'o-1', 'exec-1');
    expect(await packed.registered).toBe('waiting');
    expect(await handler({ Records: [record('m-1', 'o-1', { parcelId: 'p-1' })] })).toEqual({ batchItemFailures: [] });
    expect(await packed.result).toMatchObject({ outputs: { parcelId: 'p-1' } });
    expect(logs.map((l) => [l.messageId, l.status])).toEqual([['m-1', 200]]);
    // The step on the other channel, with the same order, finds nothing kept: the message was taken.
    expect(await register('awaitWeighed', 'o-1', 'exec-1').registered).toBe('waiting');
  });

  it('a message nobody waits for yet is kept for both channels, and only the first step to start waiting takes it', async () => {
    const { handler, logs, register } = setup();
    await handler({ Records: [record('m-2', 'o-2', { grams: 900 })] });
    expect(logs.map((l) => [l.messageId, l.status])).toEqual([['m-2', 202]]);
    const weighed = register('awaitWeighed', 'o-2', 'exec-2');
    expect(await weighed.registered).toBe('received');
    expect(await weighed.result).toMatchObject({ outputs: { grams: 900 } });
    expect(await register('awaitPacked', 'o-2', 'exec-2').registered).toBe('waiting');
  });

  it('two steps that start waiting at once on the two channels: exactly one takes the kept message', async () => {
    const { handler, register } = setup();
    await handler({ Records: [record('m-3', 'o-3', { parcelId: 'p-3', grams: 1200 })] });
    const outcomes = await Promise.all([register('awaitPacked', 'o-3', 'exec-3').registered, register('awaitWeighed', 'o-3', 'exec-3').registered]);
    expect(outcomes.filter((o) => o === 'received')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'waiting')).toHaveLength(1);
  });
});
