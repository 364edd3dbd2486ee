import type { MqttTransport } from '../../../core/plan.js';
import type { ReceivedMessage } from '../../../functions/runtime/callbacks/callback-store.js';
import { placeMark } from './tictactoe-board.js';
import type { MoveResultRecord } from './tictactoe-store.js';
import type { TicTacToeSandbox } from './start-tictactoe-sandbox.js';

/** The channels of the example's AsyncAPI description (`moves`, `move-results`) and its one header. */
export const TICTACTOE_MOVES_TOPIC = 'moves';
export const TICTACTOE_RESULTS_TOPIC = 'move-results';
export const MOVE_ID_HEADER = 'moveId';

/**
 * What the game service needs of a broker: the embedded broker of a local run (`LocalBroker`, the
 * local AWS IoT Core) has this shape; so would a client of a real MQTT 5 broker.
 */
export interface TicTacToeMessageBus {
  /** Calls `listener` with each message published on `target` (`mqtt:<topic>`); returns what stops it. */
  subscribe(target: string, listener: (published: { readonly message: ReceivedMessage }) => void): () => void;
  publish(transport: MqttTransport, message: ReceivedMessage, options?: { readonly contentType?: string }): Promise<void>;
}

/** What the game service did with one message, in order: for a test or a conformance log. */
export type TicTacToeEvent =
  | { readonly kind: 'move'; readonly moveId: string; readonly accepted: boolean; readonly replayed: boolean }
  | { readonly kind: 'result'; readonly moveId: string }
  | { readonly kind: 'dropped'; readonly why: string }
  | { readonly kind: 'unpublished'; readonly moveId: string; readonly error: string };

export interface TicTacToeEvents {
  /** The last TICTACTOE_EVENTS_KEPT, oldest first. */
  readonly events: readonly TicTacToeEvent[];
  /** Stops consuming moves; results already scheduled are still published. */
  stop(): void;
  /** Resolves when every result scheduled so far has been published. */
  settled(): Promise<void>;
}

/** How many events are kept, and how many move ids are remembered (oldest first out): a `serve` runs for days. */
export const TICTACTOE_EVENTS_KEPT = 1_000;
export const TICTACTOE_MOVES_REMEMBERED = 10_000;

const RESULTS: MqttTransport = { kind: 'mqtt', topic: TICTACTOE_RESULTS_TOPIC, qos: 1, retain: false, headers: [MOVE_ID_HEADER] };

// MQTT 5 user property names are case-sensitive, but the receivers lower-case header names (as for HTTP and SQS).
const headerOf = (message: ReceivedMessage, name: string) => Object.entries(message.headers).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];

/**
 * The message side of the Tic Tac Toe game service (the example's AsyncAPI description, from the
 * service's side: it receives on `moves`, sends on `move-results`). Each move message (header
 * `moveId`, payload `{row, column, mark}`) is played on the sandbox's board, as put-square plays a
 * mark, and its result (`{accepted: true}`, or `{accepted: false, reason}` in put-square's words,
 * e.g. `Square is not empty.`) is published on `move-results` with the same `moveId` user property,
 * after the scenario's `resultDelayMs`. A move whose id was already played is not played again: its
 * first result is published again (a broker may deliver a message twice). With the scenario's
 * `duplicateResults`, each result is published twice, as an at-least-once broker may deliver it.
 * A message without a `moveId` is dropped: there is nowhere to answer it.
 */
export function serveTicTacToeEvents(game: TicTacToeSandbox, bus: TicTacToeMessageBus): TicTacToeEvents {
  const kept: TicTacToeEvent[] = [];
  const events = {
    push(event: TicTacToeEvent) {
      kept.push(event);
      if (kept.length > TICTACTOE_EVENTS_KEPT) kept.shift();
    },
  };
  const pending = new Set<Promise<void>>();

  const publish = (record: MoveResultRecord) => {
    const payload = { accepted: record.accepted, ...(record.reason ? { reason: record.reason } : {}) };
    events.push({ kind: 'result', moveId: record.moveId });
    // The moveResult message's contentType in the example's AsyncAPI description: an MQTT 5 Content Type.
    return bus.publish(RESULTS, { headers: { [MOVE_ID_HEADER]: record.moveId }, payload }, { contentType: 'application/json' });
  };

  const unsubscribe = bus.subscribe(`mqtt:${TICTACTOE_MOVES_TOPIC}`, ({ message }) => {
    const moveId = headerOf(message, MOVE_ID_HEADER);
    if (!moveId) return void events.push({ kind: 'dropped', why: `no ${MOVE_ID_HEADER} header` });
    const results = game.store.results;
    const earlier = results.get(moveId);
    let record = earlier;
    if (!record) {
      const move = (message.payload ?? {}) as { row?: unknown; column?: unknown; mark?: unknown };
      const placed = placeMark(game.store.board, move.row, move.column, move.mark);
      record = placed.ok ? { moveId, accepted: true } : { moveId, accepted: false, reason: placed.reason };
      results.set(moveId, record);
      if (results.size > TICTACTOE_MOVES_REMEMBERED) results.delete(results.keys().next().value!);
    }
    events.push({ kind: 'move', moveId, accepted: record.accepted, replayed: earlier !== undefined });
    const { resultDelayMs, duplicateResults } = game.scenario;
    const answered = record;
    const done = new Promise<void>((resolve) => setTimeout(resolve, resultDelayMs))
      .then(() => publish(answered))
      .then(() => (duplicateResults ? publish(answered) : undefined))
      .catch((err: Error) => void events.push({ kind: 'unpublished', moveId: answered.moveId, error: err.name }))
      .finally(() => pending.delete(done));
    pending.add(done);
  });

  return {
    events: kept,
    stop: unsubscribe,
    settled: async () => {
      while (pending.size) await Promise.allSettled([...pending]);
    },
  };
}
