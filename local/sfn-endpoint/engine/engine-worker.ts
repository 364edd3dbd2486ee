/**
 * An engine worker: runs executions of the embedded engine (aws-local-stepfunctions) off the
 * endpoint's main thread, and enforces AWS's quotas on each one as its events stream out. Every
 * Task call goes back to the main thread, where the handlers (secrets, sealer, HTTP, callbacks)
 * live. Imports nothing of the project but the protocol's types and constants, and the context's
 * state clock (local/state-clock.ts, which imports nothing).
 */
import { parentPort } from 'node:worker_threads';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { QUOTA_ERRORS, TRUNCATED_DATA, type EngineQuotas, type FromWorker, type ToWorker } from './protocol.js';
import { withStateClock } from '../../state-clock.js';

type EngineRun = ReturnType<StateMachine['run']>;
type Event = { type: string; timestamp: number; state?: { name: string; type: string; input?: unknown; output?: unknown } } & Record<string, unknown>;

interface Execution {
  readonly id: number;
  readonly quotas: EngineQuotas;
  run?: EngineRun;
  readonly pending: Map<number, { resolve(v: unknown): void; reject(e: Error): void }>;
  calls: number;
  buffer: unknown[];
  flushQueued: boolean;
  /** History events so far, as AWS would count them: the engine's events plus three per Task call (scheduled, started, ended). */
  events: number;
  dataBytes: number;
  /** Set when a quota ended the execution: the terminal event sent, and the error its result carries. */
  ended?: { readonly name: string; readonly message: string };
  timer?: NodeJS.Timeout;
}

const port = parentPort!;
const executions = new Map<number, Execution>();
/** Machines by definition id, so a definition run often is not rebuilt for each execution. */
const machines = new Map<number, StateMachine>();
const MAX_MACHINES = 64;
const FLUSH_EVERY = 256;

const post = (message: FromWorker) => port.postMessage(message);

function flush(e: Execution): void {
  e.flushQueued = false;
  if (!e.buffer.length) return;
  const events = e.buffer;
  e.buffer = [];
  post({ kind: 'events', id: e.id, events });
}

function queue(e: Execution, event: unknown): void {
  e.buffer.push(event);
  if (e.buffer.length >= FLUSH_EVERY) return flush(e);
  if (!e.flushQueued) {
    e.flushQueued = true;
    setImmediate(() => flush(e));
  }
}

/**
 * A lower bound of a JSON value's size (its strings' lengths, a byte per other token), given up
 * once past `limit`: a state's output of hundreds of megabytes must not be copied again by
 * JSON.stringify just to learn that it is too large.
 */
function atLeast(value: unknown, limit: number): number {
  let total = 0;
  const stack: unknown[] = [value];
  while (stack.length && total <= limit) {
    const v = stack.pop();
    if (typeof v === 'string') total += v.length + 2;
    else if (Array.isArray(v)) {
      total += 2 + v.length;
      for (const item of v) stack.push(item);
    } else if (v && typeof v === 'object') {
      for (const [key, item] of Object.entries(v)) {
        total += key.length + 4;
        stack.push(item);
      }
    } else total += 4;
  }
  return total;
}

/** The UTF-8 size of a value's JSON, or a number past `limit` when it is larger (computed without serialising it then). */
function byteSize(value: unknown, limit: number): number {
  if (value === undefined) return 0;
  const floor = atLeast(value, limit);
  return floor > limit ? floor : Buffer.byteLength(JSON.stringify(value) ?? '');
}

/** Ends the execution as a quota says: the terminal event goes out, the engine is stopped, and nothing it logs after counts. */
function endByQuota(e: Execution, terminal: Event, error: { name: string; message: string }): void {
  if (e.ended) return;
  e.ended = error;
  queue(e, terminal);
  e.run?.abort();
}

function machineFor(definitionId: number, definition: object | undefined): StateMachine {
  let machine = machines.get(definitionId);
  if (!machine) {
    if (!definition) throw new Error(`definition ${definitionId} was not sent`);
    machine = new StateMachine(definition as StateMachineDefinition, { validationOptions: { noValidate: true } });
    if (machines.size >= MAX_MACHINES) machines.delete(machines.keys().next().value!);
    machines.set(definitionId, machine);
  }
  return machine;
}

/** Checks one event against the quotas; returns the event to forward (its data dropped past the history's data budget). */
function admit(e: Execution, event: Event): Event | undefined {
  e.events++;
  // Event 25,000 is ExecutionFailed unless it is ExecutionSucceeded (AWS: "Avoid reaching the history quota").
  if (e.events >= e.quotas.maxHistoryEvents && event.type !== 'ExecutionSucceeded' && event.type !== 'ExecutionFailed') {
    const message = `The execution reached the maximum number of history events (${e.quotas.maxHistoryEvents}).`;
    endByQuota(e, { type: 'ExecutionFailed', timestamp: Date.now(), Error: QUOTA_ERRORS.history, Cause: message }, { name: QUOTA_ERRORS.history, message });
    return undefined;
  }
  const state = event.state;
  if (!state || (event.type !== 'StateEntered' && event.type !== 'StateExited')) return event;
  const field = event.type === 'StateEntered' ? 'input' : 'output';
  const size = byteSize(state[field], e.quotas.maxPayloadBytes);
  if (size > e.quotas.maxPayloadBytes) {
    const message =
      event.type === 'StateEntered'
        ? `The state '${state.name}' received an input with a size exceeding the maximum number of bytes service limit (${e.quotas.maxPayloadBytes}).`
        : `The state/task '${state.name}' returned a result with a size exceeding the maximum number of bytes service limit (${e.quotas.maxPayloadBytes}).`;
    endByQuota(e, { type: 'ExecutionFailed', timestamp: Date.now(), Error: QUOTA_ERRORS.payload, Cause: message }, { name: QUOTA_ERRORS.payload, message });
    return undefined;
  }
  e.dataBytes += size;
  return e.dataBytes > e.quotas.historyDataBytes ? { ...event, state: { ...state, [field]: TRUNCATED_DATA } } : event;
}

function start(message: Extract<ToWorker, { kind: 'start' }>): void {
  const e: Execution = { id: message.id, quotas: message.quotas, pending: new Map(), calls: 0, buffer: [], flushQueued: false, events: 0, dataBytes: 0 };
  executions.set(e.id, e);
  const finish = (result: FromWorker) => {
    clearTimeout(e.timer);
    flush(e);
    executions.delete(e.id);
    post(result);
  };
  let run: EngineRun;
  try {
    const handlers = Object.fromEntries(
      message.taskStates.map((state) => [
        state,
        (input: unknown) =>
          new Promise((resolve, reject) => {
            const call = ++e.calls;
            e.pending.set(call, { resolve, reject });
            e.events += 3;
            flush(e);
            post({ kind: 'task', id: e.id, call, state, input });
          }),
      ]),
    );
    run = machineFor(message.definitionId, message.definition).run(message.input as never, {
      overrides: {
        taskResourceLocalHandlers: handlers as never,
        ...(message.waitTimeOverrides ? { waitTimeOverrides: message.waitTimeOverrides } : {}),
        ...(message.retryIntervalOverrides ? { retryIntervalOverrides: message.retryIntervalOverrides } : {}),
      },
      noThrowOnAbort: true,
      // $$.State.EnteredTime: a getter, so it is added here, after the context crossed from the main thread.
      context: withStateClock(message.context as never),
    });
  } catch (err) {
    return finish({ kind: 'end', id: e.id, ok: false, error: { name: (err as Error).name, message: (err as Error).message } });
  }
  e.run = run;
  e.timer = setTimeout(() => {
    const error = { name: 'ExecutionTimeoutError', message: `The execution ran longer than the endpoint's maximum duration (${message.quotas.maxDurationMs} ms).` };
    endByQuota(e, { type: 'ExecutionTimeout', timestamp: Date.now() }, error);
  }, message.quotas.maxDurationMs);
  let consumed = false;
  const consuming = (async () => {
    for await (const event of run.eventLogs as AsyncIterable<Event>) {
      if (e.ended) continue;
      const admitted = admit(e, event);
      if (admitted) queue(e, admitted);
    }
    consumed = true;
  })();
  const settle = async (outcome: { ok: true; output: unknown } | { ok: false; error: Error }) => {
    // The engine can fail before its first state and never end its event stream: the result decides, the stream gets a moment.
    if (!consumed) await Promise.race([consuming, new Promise((resolve) => setTimeout(resolve, 50))]);
    if (e.ended) return finish({ kind: 'end', id: e.id, ok: false, error: e.ended });
    if (outcome.ok) return finish({ kind: 'end', id: e.id, ok: true, output: outcome.output });
    finish({ kind: 'end', id: e.id, ok: false, error: { name: outcome.error?.name ?? 'Error', message: String(outcome.error?.message ?? outcome.error) } });
  };
  run.result.then(
    (output) => settle({ ok: true, output }),
    (error: Error) => settle({ ok: false, error }),
  );
}

post({ kind: 'ready' });

port.on('message', (message: ToWorker) => {
  switch (message.kind) {
    case 'start':
      return start(message);
    case 'task-result': {
      const e = executions.get(message.id);
      const pending = e?.pending.get(message.call);
      if (!e || !pending) return;
      e.pending.delete(message.call);
      if (message.ok) pending.resolve(message.output);
      else pending.reject(Object.assign(new Error(message.error.message), { name: message.error.name }));
      return;
    }
    case 'abort':
      return executions.get(message.id)?.run?.abort();
    case 'ping':
      return post({ kind: 'pong' });
  }
});
