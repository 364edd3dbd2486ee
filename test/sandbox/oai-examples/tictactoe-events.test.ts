import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { MqttTransport } from '../../../core/plan.js';
import { LocalBroker } from '../../../local/local-broker.js';
import { serveTicTacToeEvents, startTicTacToeSandbox, TICTACTOE_EVENTS_KEPT, type TicTacToeEvents, type TicTacToeSandbox } from '../../../sandbox/oai-examples/index.js';

const MOVES: MqttTransport = { kind: 'mqtt', topic: 'moves', qos: 1, retain: false, headers: ['moveId'] };

// The game service is real (its board is the HTTP sandbox's); the broker is the embedded one a local run uses.
describe('Tic Tac Toe game service, message side (moves → move-results)', () => {
  let game: TicTacToeSandbox;
  let broker: LocalBroker;
  let service: TicTacToeEvents;
  beforeAll(async () => {
    game = await startTicTacToeSandbox({ scenario: { resultDelayMs: 1 } });
  });
  afterAll(() => game.close());
  beforeEach(() => {
    service?.stop();
    game.reset();
    game.setScenario({ resultDelayMs: 1 });
    broker = new LocalBroker();
    service = serveTicTacToeEvents(game, broker);
  });

  const move = async (moveId: string | undefined, payload: unknown) => {
    await broker.publish(MOVES, { headers: moveId === undefined ? {} : { moveId }, payload });
    await service.settled();
  };
  const results = () => broker.messages('mqtt:move-results').map((m) => ({ moveId: m.message.headers.moveId, payload: m.message.payload }));

  it('plays a move message on the board and publishes its result with the move id as a user property', async () => {
    await move('m-1', { row: 2, column: 2, mark: 'X' });
    expect(game.board[1][1]).toBe('X');
    expect(results()).toEqual([{ moveId: 'm-1', payload: { accepted: true } }]);
  });

  it('refuses a move on an occupied square in put-square\'s words, and leaves the board as it was', async () => {
    await move('m-1', { row: 1, column: 1, mark: 'X' });
    await move('m-2', { row: 1, column: 1, mark: 'O' });
    expect(game.board[0][0]).toBe('X');
    expect(results()).toEqual([
      { moveId: 'm-1', payload: { accepted: true } },
      { moveId: 'm-2', payload: { accepted: false, reason: 'Square is not empty.' } },
    ]);
  });

  it('does not play a redelivered move twice: it answers it again with its first result', async () => {
    await move('m-1', { row: 3, column: 3, mark: 'O' });
    await move('m-1', { row: 3, column: 3, mark: 'O' });
    expect(results().map((r) => r.payload)).toEqual([{ accepted: true }, { accepted: true }]);
    expect(service.events.filter((e) => e.kind === 'move').map((e) => e.kind === 'move' && e.replayed)).toEqual([false, true]);
  });

  it('publishes each result twice when the scenario says so, and drops a move it cannot answer', async () => {
    game.setScenario({ resultDelayMs: 1, duplicateResults: true });
    await move('m-1', { row: 1, column: 2, mark: 'X' });
    await move(undefined, { row: 1, column: 3, mark: 'X' });
    expect(results()).toEqual([
      { moveId: 'm-1', payload: { accepted: true } },
      { moveId: 'm-1', payload: { accepted: true } },
    ]);
    expect(service.events.at(-1)).toEqual({ kind: 'dropped', why: 'no moveId header' });
    expect(game.board[0][2]).toBe('.');
  });

  it('listens on moves only, and not once stopped', async () => {
    await broker.publish({ ...MOVES, topic: 'other' }, { headers: { moveId: 'm-1' }, payload: { row: 1, column: 1, mark: 'X' } });
    service.stop();
    await move('m-2', { row: 1, column: 1, mark: 'X' });
    expect([game.board[0][0], results(), service.events]).toEqual(['.', [], []]);
  });

  it('keeps the last TICTACTOE_EVENTS_KEPT events only (a serve runs for days)', async () => {
    for (let i = 0; i <= TICTACTOE_EVENTS_KEPT; i++) await broker.publish(MOVES, { headers: {}, payload: { row: 1, column: 1, mark: 'X' } });
    expect(service.events).toHaveLength(TICTACTOE_EVENTS_KEPT);
  });
});
