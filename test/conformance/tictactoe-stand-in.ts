import {
  DEFAULT_TICTACTOE_API_KEYS,
  DEFAULT_TICTACTOE_SCENARIO,
  serveTicTacToeEvents,
  startTicTacToeSandbox,
  TICTACTOE_MOVES_TOPIC,
  TICTACTOE_RESULTS_TOPIC,
  type TicTacToeMessageBus,
  type TicTacToeSandbox,
  type TicTacToeScenarioOverrides,
} from '../../sandbox/oai-examples/index.js';
import type { CafeStandIn } from './cafe-stand-in.js';

/** The secret a run's `apiKey` input refers to (`secret:<name>`), holding the sandbox's api key. */
export const TICTACTOE_API_KEY_SECRET = 'learn.openapis.org/tictactoe-api-key';
export const TICTACTOE_API_KEY = DEFAULT_TICTACTOE_API_KEYS[0];

export interface TicTacToeStandIn extends CafeStandIn {
  readonly game: TicTacToeSandbox;
  /** Sets the game service's scenario for the next run (the defaults when none is given). */
  useScenario(scenario: TicTacToeScenarioOverrides | undefined): void;
}

/**
 * TEST DOUBLE for the conformance runs of the OAI Tic Tac Toe example: the Tic Tac Toe sandbox
 * (sandbox/oai-examples/tictactoe/, the API of tictactoe.yaml) with its game service on the run's
 * embedded broker. Its log reads as the other stand-ins' do: each message as `MESSAGE <topic>
 * <moveId>` when it is published, each HTTP request as `METHOD /path status`, in the order they
 * happened as far as the log can tell (requests are added when the log is read, after the
 * messages published before that).
 */
export async function startTicTacToeStandIn(bus: TicTacToeMessageBus): Promise<TicTacToeStandIn> {
  const game = await startTicTacToeSandbox();
  const log: string[] = [];
  let requestsLogged = 0;
  const seen = (topic: string) => ({ message }: { readonly message: { readonly headers: Readonly<Record<string, string>> } }) =>
    void log.push(`MESSAGE ${topic} ${Object.entries(message.headers).find(([k]) => k.toLowerCase() === 'moveid')?.[1] ?? '(no moveId)'}`);
  const stops = [
    bus.subscribe(`mqtt:${TICTACTOE_MOVES_TOPIC}`, seen(TICTACTOE_MOVES_TOPIC)),
    bus.subscribe(`mqtt:${TICTACTOE_RESULTS_TOPIC}`, seen(TICTACTOE_RESULTS_TOPIC)),
  ];
  const service = serveTicTacToeEvents(game, bus);
  const sync = () => {
    const requests = game.requestLog;
    for (const r of requests.slice(requestsLogged)) log.push(`${r.method} ${r.path} ${r.status}`);
    requestsLogged = requests.length;
    return log;
  };
  return {
    url: game.serverUrl,
    get log() {
      return sync();
    },
    game,
    useScenario: (scenario) => game.setScenario({ ...DEFAULT_TICTACTOE_SCENARIO, ...scenario }),
    close: async () => {
      service.stop();
      for (const stop of stops) stop();
      await service.settled();
      await game.close();
    },
  };
}
