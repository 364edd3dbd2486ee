import { basename } from 'node:path';
import type { WorkflowPlan } from '../core/plan.js';
import { startFintectureSandbox, type FintectureSandbox, type FintectureSandboxOptions } from './fintecture/index.js';
import { startConnectFiSandbox, type ConnectFiSandbox, type ConnectFiSandboxOptions } from './connectfi/index.js';
import { startMbanqSandbox, type MbanqSandbox, type MbanqSandboxOptions } from './mbanq/index.js';
import {
  startBnplSandbox,
  startFapiParSandbox,
  startOAuthSandbox,
  startPetCouponsSandbox,
  startPetstoreSandbox,
  startTicTacToeSandbox,
  startZooSandbox,
  serveTicTacToeEvents,
  type TicTacToeMessageBus,
  type TicTacToeSandbox,
} from './oai-examples/index.js';

export interface SandboxSet {
  readonly fintecture: FintectureSandbox;
  readonly mbanq: MbanqSandbox;
  readonly connectfi: ConnectFiSandbox;
  readonly tictactoe: TicTacToeSandbox;
  /**
   * Connects the simulators that talk over a broker to the run's embedded broker (the receiver's
   * `LocalBroker`): the Tic Tac Toe game service consumes the moves send steps publish on
   * `mqtt:moves` and publishes each result on `move-results`. Returns what disconnects them.
   */
  serveMessages(bus: TicTacToeMessageBus): () => void;
  /** Server URL per source description of `plan` that a simulator serves. */
  serverUrlsFor(plan: WorkflowPlan): Record<string, string>;
  /** Sources of `plan` that no simulator serves. */
  unservedSources(plan: WorkflowPlan): string[];
  close(): Promise<void>;
}

export interface SandboxSetOptions {
  readonly host?: string;
  readonly fintecture?: FintectureSandboxOptions;
  readonly mbanq?: MbanqSandboxOptions;
  readonly connectfi?: ConnectFiSandboxOptions;
}

type Simulator = 'fintecture' | 'mbanq' | 'connectfi' | 'petstore' | 'petCoupons' | 'bnpl' | 'oauth' | 'fapiPar' | 'zoo' | 'tictactoe';

/** Which simulator serves an OpenAPI description, by its file name as the workflows name it. */
const SIMULATOR_BY_DESCRIPTION: readonly [RegExp, Simulator][] = [
  [/^fintecture-.*\.ya?ml$/i, 'fintecture'],
  [/^mbanq-.*\.ya?ml$/i, 'mbanq'],
  [/^connectfi-.*\.ya?ml$/i, 'connectfi'],
  [/^swagger-petstore\.openapi\.ya?ml$/i, 'petstore'],
  [/^pet-coupons\.openapi\.ya?ml$/i, 'petCoupons'],
  [/^bnpl-openapi\.ya?ml$/i, 'bnpl'],
  [/^oauth\.openapi\.ya?ml$/i, 'oauth'],
  [/^FAPI-PAR\.openapi\.ya?ml$/i, 'fapiPar'],
  [/^animals\.openapi\.ya?ml$/i, 'zoo'],
  [/^tictactoe\.ya?ml$/i, 'tictactoe'],
];

/** Starts every provider simulator on loopback (ephemeral ports unless given): Fintecture, Mbanq, connectFi and the OAI examples' APIs (Tic Tac Toe's included). */
export async function startSandboxes(options: SandboxSetOptions = {}): Promise<SandboxSet> {
  const host = options.host;
  const [fintecture, mbanq, connectfi, petstore, petCoupons, bnpl, oauth, fapiPar, zoo, tictactoe] = await Promise.all([
    startFintectureSandbox({ host, ...options.fintecture }),
    startMbanqSandbox({ host, ...options.mbanq }),
    startConnectFiSandbox({ host, ...options.connectfi }),
    startPetstoreSandbox({ host }),
    startPetCouponsSandbox({ host }),
    startBnplSandbox({ host }),
    startOAuthSandbox({ host }),
    startFapiParSandbox({ host }),
    startZooSandbox({ host }),
    startTicTacToeSandbox({ host }),
  ]);
  // The OAI example APIs are served under their description's base path (e.g. /api/v3): their serverUrl, not the bare origin.
  const urls: Record<Simulator, string> = {
    fintecture: fintecture.url,
    mbanq: mbanq.url,
    connectfi: connectfi.url,
    petstore: petstore.serverUrl,
    petCoupons: petCoupons.serverUrl,
    bnpl: bnpl.serverUrl,
    oauth: oauth.serverUrl,
    fapiPar: fapiPar.serverUrl,
    zoo: zoo.serverUrl,
    tictactoe: tictactoe.serverUrl,
  };
  const simulatorFor = (url: string) => SIMULATOR_BY_DESCRIPTION.find(([pattern]) => pattern.test(basename(url)))?.[1];
  return {
    fintecture,
    mbanq,
    connectfi,
    tictactoe,
    serveMessages: (bus) => serveTicTacToeEvents(tictactoe, bus).stop,
    serverUrlsFor: (plan) =>
      Object.fromEntries(plan.sources.flatMap((s) => (simulatorFor(s.url) ? [[s.name, urls[simulatorFor(s.url)!]]] : []))),
    // An AsyncAPI source's messages come to the local receiver (local/local-callbacks.ts), not to a simulator.
    unservedSources: (plan) => plan.sources.filter((s) => s.type !== 'asyncapi' && !simulatorFor(s.url)).map((s) => s.name),
    close: async () => {
      await Promise.all([fintecture, mbanq, connectfi, petstore, petCoupons, bnpl, oauth, fapiPar, zoo, tictactoe].map((s) => s.close()));
    },
  };
}
