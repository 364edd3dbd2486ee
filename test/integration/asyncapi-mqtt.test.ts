import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileFileOrThrow, type CompiledWorkflow } from '../../compiler/index.js';
import type { MqttTransport, StepPlan } from '../../core/plan.js';
import { MQTT_PAYLOAD_UNREADABLE } from '../../functions/handlers/create-broker-handler.js';
import { messageKey } from '../../functions/runtime/messages/receive-message.js';
import { AesGcmSealer, InMemorySecretsProvider } from '../../functions/runtime/secrets/index.js';
import { startLocalCallbacks, type LocalCallbacks } from '../../local/local-callbacks.js';
import { receiveStepUrls } from '../../local/receive-step-urls.js';
import { LocalWorkflow } from '../../local/run-workflow.js';

const GAME = join(import.meta.dirname, '../fixtures/asyncapi/game-mqtt.arazzo.yml');

describe('MQTT channels, locally: the embedded broker stands in for AWS IoT Core and delivers the topic rule event to the broker receiver', () => {
  const sealer = new AesGcmSealer();
  const secrets = new InMemorySecretsProvider();
  let callbacks: LocalCallbacks;
  let game: CompiledWorkflow;
  let board: MqttTransport;
  beforeAll(async () => {
    callbacks = await startLocalCallbacks({ sealer, secrets });
    [game] = (await compileFileOrThrow(GAME)).workflows;
    board = (game.plan.steps.find((s) => s.stepId === 'awaitBoard') as StepPlan).channel!.transport as MqttTransport;
  });
  afterAll(() => callbacks.close());

  const run = (input: Record<string, unknown>) =>
    new LocalWorkflow(game).run(input, { runtime: { secrets, sealer, messages: callbacks.broker }, waitMs: 1, callbacks: { local: callbacks }, timeoutMs: 20_000 });
  const waiting = (correlation: string) => expect.poll(async () => (await callbacks.store.get(messageKey('game', 'board', correlation)))?.settled, { timeout: 10_000 }).toBe(false);
  // The moves the workflow sends reach the receiver too (no step listens on game/moves: 404, as on AWS no rule would fire); only the board's answers are read here.
  const answers = (from: number) => callbacks.brokered.slice(from).filter((e) => e.topic === 'game/board').map((e) => [e.topic, e.status, e.error]);

  /**
   * The game service (a simulated peer, a test double: no such service runs here): it reads each move
   * published on game/moves from the broker and answers on game/board, with the move's game id as the
   * correlating user property. It polls the broker's kept messages, as a subscriber of the topic would get them.
   */
  async function gameServiceAnswers(gameId: string, payload: unknown, extra: Record<string, string> = {}) {
    await expect.poll(() => callbacks.broker.messages('mqtt:game/moves').some((m) => m.message.headers.gameId === gameId), { timeout: 10_000 }).toBe(true);
    const move = callbacks.broker.messages('mqtt:game/moves').find((m) => m.message.headers.gameId === gameId)!;
    expect(move.message.payload).toMatchObject({ player: 'X' });
    expect(move.contentType).toBe('application/json');
    await callbacks.broker.publish(board, { headers: { gameId, ...extra }, payload }, { contentType: 'application/json' });
  }

  it('sends the move on game/moves, and the answer on game/board (correlated on the gameId user property) resumes the receive step: SUCCEEDED; a repeat resumes nothing (409)', async () => {
    const from = callbacks.brokered.length;
    const droppedBefore = [...callbacks.dropped.values()].reduce((a, b) => a + b, 0);
    const execution = run({ gameId: 'g-1', cell: 4 });
    await waiting('g-1');
    await gameServiceAnswers('g-1', { cells: ['X'], winner: 'X' }, { 'x-turn': 'O', 'x-unlisted': 'not carried' });
    await callbacks.broker.publish(board, { headers: { gameId: 'g-1' }, payload: { cells: ['X'], winner: 'X' } }, { contentType: 'application/json' });
    const exec = await execution;
    expect([exec.status, exec.error, exec.cause]).toEqual(['SUCCEEDED', undefined, undefined]);
    expect(exec.output).toEqual({ winner: 'X', turn: 'O' });
    expect(answers(from)).toEqual([
      ['game/board', 200, undefined],
      ['game/board', 409, undefined],
    ]);
    const move = callbacks.broker.messages('mqtt:game/moves').find((m) => m.message.headers.gameId === 'g-1')!;
    expect(move.message).toEqual({ headers: { gameId: 'g-1' }, payload: { player: 'X', cell: 4 } });
    // The move reached the receiver too (the local broker hands over every message) but is no drop: on AWS no rule would take it.
    expect([...callbacks.dropped.values()].reduce((a, b) => a + b, 0)).toBe(droppedBefore);
  });

  it('an answer that arrives before the step waits is kept (202), and the step takes it when it starts', async () => {
    const from = callbacks.brokered.length;
    await callbacks.broker.publish(board, { headers: { gameId: 'g-2', 'x-turn': 'X' }, payload: { cells: [], winner: 'none' } }, { contentType: 'application/json' });
    expect(answers(from)).toEqual([['game/board', 202, undefined]]);
    const exec = await run({ gameId: 'g-2', cell: 0 });
    expect(exec.status).toBe('SUCCEEDED');
    expect(exec.output).toEqual({ winner: 'none', turn: 'X' });
  });

  it('a payload that is neither JSON nor text is dropped by name (UnreadablePayload) and resumes nothing; the step then takes the readable answer', async () => {
    const from = callbacks.brokered.length;
    const execution = run({ gameId: 'g-3', cell: 8 });
    await waiting('g-3');
    // A device that publishes raw bytes on the topic.
    await callbacks.broker.publish(board, { headers: { gameId: 'g-3' }, payload: Uint8Array.from([0xff, 0x00, 0x7b]) }, { contentType: 'application/octet-stream' });
    expect(answers(from)).toEqual([['game/board', 400, MQTT_PAYLOAD_UNREADABLE]]);
    expect(await callbacks.store.get(messageKey('game', 'board', 'g-3'))).toMatchObject({ settled: false });
    await callbacks.broker.publish(board, { headers: { gameId: 'g-3' }, payload: { cells: [], winner: 'X' } }, { contentType: 'application/json' });
    const exec = await execution;
    expect(exec.status).toBe('SUCCEEDED');
    expect(answers(from).map((a) => a[1])).toEqual([400, 200]);
  });

  it('run and serve list the receive step at the local receiver, published on mqtt:game/board; a client POST there is published on the topic and resumes the step', async () => {
    expect(receiveStepUrls(game.plan, callbacks)).toEqual([{ stepId: 'awaitBoard', url: callbacks.messageUrl('game', 'board'), publishedOn: 'mqtt:game/board' }]);
    const from = callbacks.brokered.length;
    const execution = run({ gameId: 'g-5', cell: 2 });
    await waiting('g-5');
    const posted = await fetch(callbacks.messageUrl('game', 'board'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', gameId: 'g-5', 'x-turn': 'O' },
      body: JSON.stringify({ cells: [], winner: 'X' }),
    });
    expect([posted.status, await posted.json()]).toEqual([202, { result: 'published on mqtt' }]);
    const exec = await execution;
    expect([exec.status, exec.output]).toEqual(['SUCCEEDED', { winner: 'X', turn: 'O' }]);
    expect(answers(from)).toEqual([['game/board', 200, undefined]]);
  });

  it("a board that fails the step's criteria fails it by name (Arazzo.StepFailed), as on any other channel", async () => {
    const execution = run({ gameId: 'g-4', cell: 1 });
    await waiting('g-4');
    await gameServiceAnswers('g-4', { cells: ['O'], winner: 'O' });
    const exec = await execution;
    expect([exec.status, exec.error]).toEqual(['FAILED', 'Arazzo.StepFailed']);
  });
});
