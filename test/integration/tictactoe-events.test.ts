import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { compileFileOrThrow, type CompiledWorkflow } from '../../compiler/index.js';
import { AesGcmSealer, InMemorySecretsProvider } from '../../functions/runtime/secrets/index.js';
import { startLocalCallbacks, type LocalCallbacks } from '../../local/local-callbacks.js';
import { LocalWorkflow } from '../../local/run-workflow.js';
import { DEFAULT_TICTACTOE_API_KEYS, serveTicTacToeEvents, startTicTacToeSandbox, type TicTacToeEvents, type TicTacToeSandbox } from '../../sandbox/oai-examples/index.js';

const EXAMPLE = join(import.meta.dirname, '../conformance/corpus/learn.openapis.org/examples/arazzo/v1.1/tictactoe-events/arazzo.yaml');
const API_KEY_SECRET = 'tictactoe/api-key';

/**
 * The OAI learning pages' Tic Tac Toe AsyncAPI example (its reconstruction, test/conformance/README.md)
 * on the real ASL engine: the send step publishes the move on the embedded broker (the local AWS IoT
 * Core), the game service (the Tic Tac Toe sandbox, a simulator: the only test double here) plays it
 * and publishes the result on move-results with the move's moveId user property, the broker
 * delivers the topic rule's event to the broker receiver, which resumes the receive step, and the
 * workflow reads the board over loopback HTTP with the api key the security scheme declares.
 */
describe('Tic Tac Toe over MQTT (learn.openapis.org tictactoe-events, reconstructed)', () => {
  const sealer = new AesGcmSealer();
  const secrets = new InMemorySecretsProvider();
  let receiver: LocalCallbacks;
  let game: TicTacToeSandbox;
  let service: TicTacToeEvents;
  let workflow: CompiledWorkflow;
  beforeAll(async () => {
    [workflow] = (await compileFileOrThrow(EXAMPLE)).workflows;
    receiver = await startLocalCallbacks({ sealer, secrets });
    game = await startTicTacToeSandbox();
    service = serveTicTacToeEvents(game, receiver.broker);
    secrets.set(API_KEY_SECRET, DEFAULT_TICTACTOE_API_KEYS[0]);
  });
  afterAll(async () => {
    service.stop();
    await game.close();
    await receiver.close();
  });
  beforeEach(() => {
    game.reset();
    game.setScenario({});
  });

  const play = (moveId: string, row: number, column: number, mark: string, secondsToMs?: number) =>
    new LocalWorkflow(workflow).run(
      { moveId, row, column, mark, apiKey: `secret:${API_KEY_SECRET}` },
      {
        runtime: { secrets, sealer, messages: receiver.broker, serverUrls: { ticTacToe: game.serverUrl } },
        waitMs: 1,
        callbacks: { local: receiver, ...(secondsToMs ? { secondsToMs } : {}) },
        timeoutMs: 20_000,
      },
    );
  /** What the broker receiver answered each result message (on AWS: the topic rule's Lambda action). */
  const answers = (from: number) => receiver.brokered.slice(from).filter((e) => e.topic === 'move-results').map((e) => e.status);
  const empty = ['.', '.', '.'];

  it('sends the move, receives its result correlated on moveId, reads the board: SUCCEEDED with the mark on it', async () => {
    const from = receiver.brokered.length;
    const exec = await play('m-1', 2, 3, 'X');
    expect([exec.status, exec.error]).toEqual(['SUCCEEDED', undefined]);
    expect(exec.output).toEqual({ accepted: true, board: [empty, ['.', '.', 'X'], empty], winner: '.' });
    expect(answers(from)).toEqual([200]);
    expect(receiver.broker.messages('mqtt:moves').at(-1)?.message).toEqual({ headers: { moveId: 'm-1' }, payload: { row: 2, column: 3, mark: 'X' } });
    expect(game.requestLog.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual(['GET /board 200']);
  });

  it('a move on an occupied square: the service refuses it, and the workflow reports it as it says (no criteria on the result): accepted false, the board as it was', async () => {
    expect((await play('m-1', 1, 1, 'X')).status).toBe('SUCCEEDED');
    const exec = await play('m-2', 1, 1, 'O');
    expect(exec.status).toBe('SUCCEEDED');
    expect(exec.output).toEqual({ accepted: false, board: [['X', '.', '.'], empty, empty], winner: '.' });
    expect(receiver.broker.messages('mqtt:move-results').at(-1)?.message.payload).toEqual({ accepted: false, reason: 'Square is not empty.' });
  });

  it('a duplicate result message resumes nothing twice: the receiver answers it 409, the board is read once', async () => {
    game.setScenario({ duplicateResults: true });
    const from = receiver.brokered.length;
    const exec = await play('m-3', 3, 1, 'O');
    expect(exec.status).toBe('SUCCEEDED');
    expect(exec.output).toMatchObject({ accepted: true });
    await service.settled();
    expect(answers(from)).toEqual([200, 409]);
    expect(game.requestLog.filter((r) => r.path === '/board')).toHaveLength(1);
  });

  it('no result within the step timeout (6000 ms, scaled here to 60 ms): FAILED with Arazzo.MessageTimeout, and the board is not read', async () => {
    service.stop();
    try {
      const exec = await play('m-4', 1, 2, 'X', 10);
      expect([exec.status, exec.error]).toEqual(['FAILED', 'Arazzo.MessageTimeout']);
      expect(game.requestLog).toEqual([]);
    } finally {
      service = serveTicTacToeEvents(game, receiver.broker);
    }
  });
});
