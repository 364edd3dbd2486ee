import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileFileOrThrow } from '../../../../compiler/index.js';
import { isWorkflowStep, type StepPlan } from '../../../../core/plan.js';
import { createBrokerHandler, MQTT_PAYLOAD_UNREADABLE } from '../../../../functions/handlers/create-broker-handler.js';
import { InMemoryCallbackStore } from '../../../../functions/runtime/callbacks/index.js';
import type { MqttRuleEvent } from '../../../../functions/runtime/messages/mqtt-messages.js';
import { registerReceive } from '../../../../functions/runtime/messages/receive-message.js';
import { AesGcmSealer, InMemorySecretsProvider } from '../../../../functions/runtime/secrets/index.js';
import { LocalTaskTokens } from '../../../../local/local-callbacks.js';

const GAME = join(import.meta.dirname, '../../../fixtures/asyncapi/game-mqtt.arazzo.yml');
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** An MQTT message as the topic rule of iotRuleSql hands it to the receiver's Lambda. */
const ruleEvent = (topic: string, payload: string, userProperties: Record<string, string[]>, contentType = 'application/json'): MqttRuleEvent => ({
  eventSource: 'aws:iot',
  topic,
  payload: b64(payload),
  contentType,
  userProperties,
  timestamp: 1_765_000_000_000,
});

describe('the broker receiver reads an AWS IoT topic rule event (MqttRuleEvent) and matches it to receive steps by its topic', () => {
  let plans: StepPlan[];
  beforeAll(async () => {
    const [compiled] = (await compileFileOrThrow(GAME)).workflows;
    plans = compiled.plan.steps.filter((s): s is StepPlan => !isWorkflowStep(s));
  });

  function setup(store = new InMemoryCallbackStore()) {
    // The local token registry stands in for Step Functions' task tokens (a test double: SendTaskSuccess resolves the waiting promise).
    const tokens = new LocalTaskTokens();
    const deps = { store, tokens, sealer: new AesGcmSealer(), secrets: new InMemorySecretsProvider() };
    const logs: Record<string, unknown>[] = [];
    // The Embedded Metric Format lines (DroppedMessages) are kept apart from the one line per message.
    const metrics: Record<string, unknown>[] = [];
    const handler = createBrokerHandler(plans, { ...deps, targetOfQueue: () => undefined }, (e) => ('_aws' in e ? metrics : logs).push(e));
    const wait = async (gameId: string) => {
      const { token, result } = tokens.issue({ heartbeatMs: 5_000, timeoutMs: 5_000 });
      const event = { step: 'awaitBoard', executionId: `exec-${gameId}`, inputs: { gameId, cell: 1 }, steps: {}, taskToken: token };
      expect(await registerReceive(plans.find((p) => p.stepId === 'awaitBoard')!, event, { inputs: event.inputs, steps: {} }, deps)).toBe('waiting');
      return { result };
    };
    return { handler, logs, metrics, wait, tokens, deps };
  }

  it('resumes the step whose correlation id the user property carries (the first value of a repeated key); a repeat is a duplicate (409)', async () => {
    const { handler, logs, wait } = setup();
    const { result } = await wait('g-1');
    await handler(ruleEvent('game/board', '{"winner":"X"}', { gameId: ['g-1', 'g-other'], 'x-turn': ['O'] }));
    expect(await result).toMatchObject({ outcome: 'success', outputs: { winner: 'X', turn: 'O' } });
    await handler(ruleEvent('game/board', '{"winner":"X"}', { gameId: ['g-1'] }));
    expect(logs).toEqual([
      { topic: 'game/board', status: 200, result: 'received' },
      { topic: 'game/board', status: 409, result: 'dropped: duplicate: already received' },
    ]);
  });

  it('an early message is kept (202) for the step that registers later', async () => {
    const { handler, logs, tokens, deps } = setup();
    await handler(ruleEvent('game/board', '{"winner":"none"}', { gameId: ['g-2'], 'x-turn': ['X'] }));
    expect(logs).toEqual([{ topic: 'game/board', status: 202, result: expect.stringMatching(/kept/) }]);
    // The step registers after the message came: it takes the kept message at once.
    const { token, result } = tokens.issue({ heartbeatMs: 5_000, timeoutMs: 5_000 });
    const event = { step: 'awaitBoard', executionId: 'exec-g-2', inputs: { gameId: 'g-2', cell: 1 }, steps: {}, taskToken: token };
    expect(await registerReceive(plans.find((p) => p.stepId === 'awaitBoard')!, event, { inputs: event.inputs, steps: {} }, deps)).toBe('received');
    expect(await result).toMatchObject({ outputs: { winner: 'none', turn: 'X' } });
  });

  it('what can never be judged is dropped by name, never retried: a payload neither JSON nor text (UnreadablePayload), no correlation id; a topic no step listens on is answered 404', async () => {
    const { handler, logs, metrics } = setup();
    await handler(ruleEvent('game/board', 'X wins', { gameId: ['g-3'] }));
    await handler({ ...ruleEvent('game/board', '', { gameId: ['g-3'] }), payload: Buffer.from([0xff, 0x00]).toString('base64'), contentType: 'application/octet-stream' });
    await handler(ruleEvent('game/lobby', '{}', {}));
    await handler(ruleEvent('game/board', '{"winner":"X"}', {}));
    expect(logs.map((l) => [l.status, l.error])).toEqual([
      [400, MQTT_PAYLOAD_UNREADABLE],
      [400, MQTT_PAYLOAD_UNREADABLE],
      [404, undefined],
      [400, undefined],
    ]);
    expect(logs[0].result).toBe('dropped: the payload is neither JSON nor text (content type application/json)');
    // Each is counted, as the SQS and EventBridge shapes count theirs.
    // A topic no receive step listens on is not counted: on AWS no rule would hand it over (only the local broker does).
    expect(metrics.map((m) => [m.DroppedMessages, m.reason, m.WorkflowId])).toEqual([
      [1, MQTT_PAYLOAD_UNREADABLE, 'playMove'],
      [1, MQTT_PAYLOAD_UNREADABLE, 'playMove'],
      [1, 'NoCorrelationId', 'playMove'],
    ]);
  });

  it('a fault (the callback table unavailable) throws Arazzo.ProviderUnavailable, so the asynchronous invocation is tried again and, past its retries, kept by the rule\'s error action', async () => {
    // A test double over the real in-memory store: DynamoDB unavailable on every read.
    const failing = new InMemoryCallbackStore();
    failing.get = () => Promise.reject(Object.assign(new Error('unavailable'), { name: 'ServiceUnavailable' }));
    const { handler, logs } = setup(failing);
    await expect(handler(ruleEvent('game/board', '{"winner":"X"}', { gameId: ['g-5'] }))).rejects.toMatchObject({
      name: 'Arazzo.ProviderUnavailable',
      message: expect.stringContaining('could not settle a message on MQTT topic game/board (ServiceUnavailable)'),
    });
    expect(logs).toEqual([{ topic: 'game/board', status: 500, result: 'failed: Lambda tries the message again', error: 'ServiceUnavailable' }]);
  });
});
