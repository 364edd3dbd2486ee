import type { FaultRule } from '../../http/index.js';
import { parseCookies } from '../shared/parse-cookies.js';
import { renderProblemDetails } from '../shared/render-problem-details.js';
import { startExampleSandbox, type ExampleHandler, type ExampleSandbox, type ExampleSandboxOptions, type ExampleSimulator } from '../shared/start-example-sandbox.js';
import { createZooStore, enclosureFor, type AnimalRecord, type ZooStore } from './zoo-store.js';

/** Written for arazzo-sfn: the example names `./animals.yaml`, which upstream does not have. */
export const ZOO_OPENAPI_FILE = 'animals.openapi.yaml';

/** The keeper session the sandbox accepts when none are given: the value ExtendedParametersExample sends. */
export const DEFAULT_KEEPER_SESSIONS: readonly string[] = Object.freeze(['SUPER_SECRET']);

export type ZooScenario = Readonly<Record<string, never>>;

export interface ZooSandboxOptions extends ExampleSandboxOptions<ZooScenario> {
  /** Values of the `authentication` cookie that are keepers' sessions. @default DEFAULT_KEEPER_SESSIONS */
  readonly keeperSessions?: readonly string[];
  /** Picks the random animal: an index below `count`. @default uniform (Math.random) */
  readonly pick?: (count: number) => number;
  readonly faults?: readonly FaultRule[];
}

export interface ZooSandbox extends ExampleSandbox<ZooStore, ZooScenario, ZooScenario> {
  /** The zoo's animals, in admission order. */
  readonly animals: readonly AnimalRecord[];
}

type Handler = ExampleHandler<ZooStore, ZooScenario>;

/**
 * Starts the Public Zoo of ExtendedParametersExample: keepers (an `authentication` cookie) admit
 * animals, named in the body or, without one, the next from quarantine; anyone meets a random
 * resident or reads one back. Errors are RFC 9457 problem details.
 */
export async function startZooSandbox(options: ZooSandboxOptions = {}): Promise<ZooSandbox> {
  const keepers = new Set(options.keeperSessions ?? DEFAULT_KEEPER_SESSIONS);
  const pick = options.pick ?? ((count: number) => Math.floor(Math.random() * count));

  const postAnimal: Handler = (ctx) => {
    const body = ctx.request.body as { name: string; species: string } | undefined;
    const next = body ?? ctx.store.quarantine[0];
    if (!next) return ctx.fail(409, 'quarantine_empty', 'Nobody to admit', 'no animal waits in quarantine; describe the animal in the body');
    if (!body) ctx.store.quarantine.shift();
    const id = `ani_${ctx.store.nextId++}`;
    const animal: AnimalRecord = { id, name: next.name, species: next.species, enclosure: enclosureFor(next.species), admittedAt: new Date(ctx.now()).toISOString() };
    ctx.store.animals.set(id, animal);
    return { status: 201, headers: { location: `${ctx.serverUrl}/animals/${id}` }, body: animal };
  };

  const getRandomAnimal: Handler = (ctx) => {
    const all = [...ctx.store.animals.values()];
    if (all.length === 0) return ctx.fail(404, 'no_animals', 'No animals', 'the zoo has no animals yet');
    const index = pick(all.length);
    if (!(Number.isInteger(index) && index >= 0 && index < all.length)) throw new RangeError(`pick(${all.length}) returned ${index}`);
    return { status: 200, body: all[index] };
  };

  const getAnimal: Handler = (ctx) => {
    const animal = ctx.store.animals.get(ctx.request.path.animalId as string);
    return animal ? { status: 200, body: animal } : ctx.fail(404, 'not_found', 'Animal not found', `no animal ${String(ctx.request.path.animalId)}`);
  };

  const simulator: ExampleSimulator<ZooStore, ZooScenario, ZooScenario> = {
    title: 'Zoo',
    descriptions: [ZOO_OPENAPI_FILE],
    createStore: ({ now }) => createZooStore(now()),
    resolveScenario: () => ({}),
    handlers: { postAnimal, getRandomAnimal, getAnimal },
    // The request validator reads no cookies, so the keeper check happens here, before the body is read.
    guard(ctx) {
      if (ctx.route.operationId !== 'postAnimal') return undefined;
      const session = parseCookies(ctx.exchange.headers.cookie).authentication;
      if (session === undefined) return ctx.fail(401, 'unauthorized', 'Unauthorized', "only keepers admit animals: send the 'authentication' cookie");
      if (!keepers.has(session)) return ctx.fail(401, 'invalid_session', 'Unauthorized', 'unknown keeper session');
      return undefined;
    },
    renderError: (spec) => renderProblemDetails(spec),
  };
  const sandbox = await startExampleSandbox(simulator, options);
  return Object.defineProperty(sandbox, 'animals', { get: () => [...sandbox.store.animals.values()].map((a) => ({ ...a })), enumerable: true }) as ZooSandbox;
}
