import { AsyncLocalStorage } from 'node:async_hooks';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { EngineHost, EngineRun, EngineRunOptions } from '../../engine-host.js';
import type { EngineEvent } from '../../history/index.js';
import { AWS_QUOTAS, QUOTA_ERRORS, WORKER_STOPPED_FOR_ANOTHER, type EngineQuotas, type FromWorker, type ToWorker } from './protocol.js';

export interface EnginePoolOptions {
  /** Worker threads executions are spread over. @default min(4, available parallelism) */
  readonly workers?: number;
  /** V8 old-generation limit of each worker (MiB): a worker past it dies, and the executions it ran fail. @default 1024 */
  readonly maxWorkerMemoryMb?: number;
  /** @default AWS's payload and history quotas, 1 year (AWS's maximum duration of a Standard execution), 64 MiB of history data */
  readonly quotas?: Partial<EngineQuotas>;
  /** How long an aborted execution's worker may take to confirm before it is terminated (and with it, what else it ran). @default 2000 */
  readonly abortGraceMs?: number;
  /** How long a worker may leave a ping unanswered before it is taken for stalled and gets no new executions. @default 1000 */
  readonly stallMs?: number;
}

export const DEFAULT_QUOTAS: EngineQuotas = {
  ...AWS_QUOTAS,
  maxDurationMs: 365 * 24 * 3600 * 1000,
  historyDataBytes: 64 * 1024 * 1024,
};

/** A worker's timers cannot be longer than this (Node clamps longer delays to 1 ms). */
const MAX_TIMER_MS = 2 ** 31 - 1;

interface PoolRun {
  readonly id: number;
  readonly slot: Slot;
  readonly handlers: EngineRunOptions['taskResourceLocalHandlers'];
  /** Runs a Task handler in the async context the run was started in (which execution it is, for tokens and logs). */
  readonly inContext: <R>(fn: () => R) => R;
  readonly events: EventQueue;
  resolve(output: unknown): void;
  reject(error: Error): void;
  ended: boolean;
  aborting: boolean;
}

interface Slot {
  readonly worker: Worker;
  /** Settles when the worker has loaded the engine (or died trying). */
  readonly ready: Promise<void>;
  readonly runs: Map<number, PoolRun>;
  /** Why the worker died, when it did. */
  lost?: string;
  /** The worker has loaded the engine (a worker still loading is not pinged). */
  loaded: boolean;
  /** When the ping still unanswered was sent. */
  pingSentAt?: number;
  /** The worker has not answered a ping for stallMs: a run on it never yields. New executions go elsewhere. */
  stalled: boolean;
}

/** An async iterable fed by the worker's messages, ended with the run. */
class EventQueue implements AsyncIterable<EngineEvent> {
  private readonly items: EngineEvent[] = [];
  private waiting?: () => void;
  private closed = false;

  push(events: readonly unknown[]): void {
    if (this.closed) return;
    for (const e of events) this.items.push(e as EngineEvent);
    this.wake();
  }

  close(): void {
    this.closed = true;
    this.wake();
  }

  private wake(): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<EngineEvent> {
    for (;;) {
      while (this.items.length) yield this.items.shift()!;
      if (this.closed) return;
      await new Promise<void>((resolve) => (this.waiting = resolve));
    }
  }
}

const named = (name: string, message: string) => Object.assign(new Error(message), { name });

/** The worker's entry: the TypeScript source through tsx when the endpoint itself runs from source, else the compiled sibling. */
function workerEntry(): { url: URL; execArgv: string[] } {
  const fromSource = fileURLToPath(import.meta.url).endsWith('.ts');
  const url = new URL(`./engine-worker.${fromSource ? 'ts' : 'js'}`, import.meta.url);
  const execArgv = fromSource ? ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href] : [];
  return { url, execArgv };
}

/**
 * The local endpoint's engine: executions run in a few worker threads, each hosting many
 * executions (a worker per execution would cost ~25 MB and ~200 ms of start-up each). The main
 * thread keeps the API, the store and every Task handler; a worker runs the engine and the quota
 * checks (payload size, history events, duration), so a definition that never yields stalls
 * only its worker, and for a bounded time. StopExecution asks the worker to abort; a worker that
 * does not answer within the grace period is terminated, and a worker past its memory limit dies:
 * either way the executions it ran end (ABORTED for the one being stopped, else
 * ArazzoSfn.EngineWorkerLost, with WORKER_STOPPED_FOR_ANOTHER as the cause when a stop
 * terminated it) and a fresh worker takes the next ones. A worker that leaves a ping unanswered
 * (a run on it never yields) is stalled: new executions are not given to it.
 */
export class EnginePool implements EngineHost {
  private readonly slots: Slot[] = [];
  private readonly size: number;
  private readonly quotas: EngineQuotas;
  private nextRun = 1;
  private nextDefinition = 1;
  private readonly definitionIds = new WeakMap<object, number>();
  private readonly definitionTexts = new Map<string, number>();
  private closed = false;
  private watch?: NodeJS.Timeout;

  constructor(private readonly options: EnginePoolOptions = {}) {
    this.size = Math.max(1, options.workers ?? Math.min(4, availableParallelism()));
    this.quotas = { ...DEFAULT_QUOTAS, ...options.quotas };
    this.quotas = { ...this.quotas, maxDurationMs: Math.min(this.quotas.maxDurationMs, MAX_TIMER_MS) };
  }

  run(definition: object, input: unknown, options: EngineRunOptions): EngineRun {
    if (this.closed) throw new Error('the engine pool is closed');
    this.watchForStalls();
    const slot = this.slotForNextRun();
    const events = new EventQueue();
    let resolve!: (v: unknown) => void;
    let reject!: (e: Error) => void;
    const result = new Promise<unknown>((res, rej) => ((resolve = res), (reject = rej)));
    const run: PoolRun = {
      id: this.nextRun++,
      slot,
      handlers: options.taskResourceLocalHandlers,
      inContext: AsyncLocalStorage.snapshot(),
      events,
      resolve,
      reject,
      ended: false,
      aborting: false,
    };
    slot.runs.set(run.id, run);
    slot.worker.ref();
    this.post(slot, {
      kind: 'start',
      id: run.id,
      definitionId: this.definitionId(definition),
      definition,
      input,
      ...(options.context ? { context: options.context } : {}),
      taskStates: Object.keys(options.taskResourceLocalHandlers),
      ...(options.waitTimeOverrides ? { waitTimeOverrides: options.waitTimeOverrides } : {}),
      ...(options.retryIntervalOverrides ? { retryIntervalOverrides: options.retryIntervalOverrides } : {}),
      quotas: this.quotas,
    });
    return {
      result,
      eventLogs: events,
      abort: () => this.abort(run),
    };
  }

  /**
   * Starts the first worker and waits until it has loaded the engine, so the first execution
   * does not wait for it (about half a second; more from TypeScript sources).
   */
  async warm(): Promise<void> {
    await (this.slots.find((s) => s.lost === undefined) ?? this.spawn()).ready;
  }

  /** Terminates every worker; executions still running end as their worker's loss says. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.watch);
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }

  private definitionId(definition: object): number {
    let id = this.definitionIds.get(definition);
    if (id === undefined) {
      const text = JSON.stringify(definition);
      id = this.definitionTexts.get(text) ?? this.nextDefinition++;
      this.definitionTexts.set(text, id);
      this.definitionIds.set(definition, id);
    }
    return id;
  }

  /**
   * A stalled worker (a run on it never yields) gets no new executions: they go to the others, or
   * to a new worker, up to twice the pool's size while workers are stalled.
   */
  private slotForNextRun(): Slot {
    const live = this.slots.filter((s) => s.lost === undefined);
    const free = live.filter((s) => !s.stalled);
    if (free.length < this.size && free.every((s) => s.runs.size > 0) && live.length < 2 * this.size) return this.spawn();
    const candidates = free.length ? free : live;
    return candidates.reduce((best, s) => (s.runs.size < best.runs.size ? s : best));
  }

  /** Pings each busy worker every quarter of stallMs; one that leaves a ping unanswered for stallMs is stalled until it answers. */
  private watchForStalls(): void {
    if (this.watch) return;
    const stallMs = this.options.stallMs ?? 1_000;
    this.watch = setInterval(() => {
      const now = Date.now();
      for (const slot of this.slots) {
        if (slot.lost !== undefined || !slot.loaded || slot.runs.size === 0) continue;
        if (slot.pingSentAt === undefined) {
          slot.pingSentAt = now;
          this.post(slot, { kind: 'ping' });
        } else if (now - slot.pingSentAt >= stallMs) slot.stalled = true;
      }
    }, Math.max(10, stallMs / 4));
    this.watch.unref();
  }

  private spawn(): Slot {
    const { url, execArgv } = workerEntry();
    const worker = new Worker(url, {
      execArgv,
      resourceLimits: { maxOldGenerationSizeMb: this.options.maxWorkerMemoryMb ?? 1024 },
      name: 'arazzo-sfn engine',
    });
    let ready!: () => void;
    const slot: Slot = { worker, runs: new Map(), ready: new Promise<void>((resolve) => (ready = resolve)), stalled: false, loaded: false };
    this.slots.push(slot);
    worker.once('exit', () => ready());
    worker.unref();
    worker.on('message', (message: FromWorker) => {
      if (message.kind === 'ready') {
        slot.loaded = true;
        return ready();
      }
      if (message.kind === 'pong') {
        slot.pingSentAt = undefined;
        slot.stalled = false;
        return;
      }
      this.receive(slot, message);
    });
    worker.on('error', (err: Error & { code?: string }) => {
      slot.lost ??=
        err.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? `The engine worker running this execution passed its memory limit (${this.options.maxWorkerMemoryMb ?? 1024} MiB) and was stopped, with every execution it ran.`
          : `The engine worker running this execution failed (${err.name}) and was stopped, with every execution it ran.`;
    });
    worker.on('exit', () => {
      slot.lost ??= 'The engine worker running this execution was stopped, with every execution it ran.';
      this.slots.splice(this.slots.indexOf(slot), 1);
      for (const run of slot.runs.values()) this.endLost(run, slot.lost);
      slot.runs.clear();
    });
    return slot;
  }

  private post(slot: Slot, message: ToWorker): void {
    if (slot.lost === undefined) slot.worker.postMessage(message);
  }

  private receive(slot: Slot, message: Exclude<FromWorker, { kind: 'ready' | 'pong' }>): void {
    const run = slot.runs.get(message.id);
    if (!run || run.ended) return;
    switch (message.kind) {
      case 'events':
        return run.events.push(message.events);
      case 'task':
        return this.callTask(run, message.call, message.state, message.input);
      case 'end':
        this.finish(run);
        if (message.ok) run.resolve(message.output);
        else run.reject(named(message.error.name, message.error.message));
        return;
    }
  }

  /** A Task of the execution, run here by its handler; the answer goes back to the worker. */
  private callTask(run: PoolRun, call: number, state: string, input: unknown): void {
    const handler = run.handlers[state];
    const answer = (message: ToWorker) => {
      if (run.ended) return;
      try {
        this.post(run.slot, message);
      } catch (err) {
        this.post(run.slot, { kind: 'task-result', id: run.id, call, ok: false, error: { name: 'States.Runtime', message: `the Task's result cannot be passed to the engine: ${(err as Error).message}` } });
      }
    };
    Promise.resolve()
      .then(() => {
        if (!handler) throw named('States.Runtime', `no local handler for Task state ${state}`);
        return run.inContext(() => handler(input as never));
      })
      .then(
        (output) => answer({ kind: 'task-result', id: run.id, call, ok: true, output }),
        (err: Error) => answer({ kind: 'task-result', id: run.id, call, ok: false, error: { name: String(err?.name ?? 'Error'), message: String(err?.message ?? err) } }),
      );
  }

  private finish(run: PoolRun): void {
    run.ended = true;
    run.slot.runs.delete(run.id);
    run.events.close();
    if (run.slot.runs.size === 0) run.slot.worker.unref();
  }

  private abort(run: PoolRun): void {
    if (run.ended || run.aborting) return;
    run.aborting = true;
    this.post(run.slot, { kind: 'abort', id: run.id });
    // A worker stuck in a run that never yields does not read the abort: it is terminated.
    const timer = setTimeout(() => {
      if (run.ended) return;
      // The others on this worker end with a cause that tells the runner to redrive them elsewhere.
      run.slot.lost ??= WORKER_STOPPED_FOR_ANOTHER;
      void run.slot.worker.terminate();
    }, this.options.abortGraceMs ?? 2_000);
    timer.unref();
  }

  /** The worker died under the execution: it ends ABORTED when it was being stopped, else FAILED with the loss. */
  private endLost(run: PoolRun, cause: string): void {
    if (run.ended) return;
    const timestamp = Date.now();
    if (run.aborting) {
      run.events.push([{ type: 'ExecutionAborted', timestamp }]);
      this.finish(run);
      run.resolve(null);
      return;
    }
    run.events.push([{ type: 'ExecutionFailed', timestamp, Error: QUOTA_ERRORS.workerLost, Cause: cause }]);
    this.finish(run);
    run.reject(named(QUOTA_ERRORS.workerLost, cause));
  }
}
