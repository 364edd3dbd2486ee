import type { StepEvent } from '../../../core/plan.js';

/** A callback step waiting for its webhook: what the receiver needs to resume the execution. */
export interface PendingCallback {
  /** The per-execution secret in the callback URL: who knows it may report the status. */
  readonly id: string;
  readonly taskToken: string;
  readonly workflowId: string;
  readonly stepId: string;
  /** The step's event (inputs, earlier steps): the settled callback's outputs are evaluated against it. */
  readonly event: StepEvent;
  readonly createdAt: number;
  settled: boolean;
  /** Statuses received so far, in order (never the bodies). */
  readonly statuses: string[];
}

/**
 * The record of a step that starts waiting under `id` (a callback's URL secret, or a receive step's
 * correlation key): its task token, and its event without the token; `statuses` are what earlier
 * turns of the same wait received.
 */
export function pendingCallback(id: string, step: { readonly workflowId: string; readonly stepId: string }, taskToken: string, event: StepEvent, statuses: readonly string[] = []): PendingCallback {
  const { taskToken: _token, ...stored } = event;
  return { id, taskToken, workflowId: step.workflowId, stepId: step.stepId, event: stored, createdAt: Date.now(), settled: false, statuses: [...statuses] };
}

/** A message on an AsyncAPI channel, as the receiver got it (header names lower-case). */
export interface ReceivedMessage {
  readonly headers: Readonly<Record<string, string>>;
  readonly payload: unknown;
  /**
   * A verified message's delivery id (its provider's request id or signature): marked seen on
   * the wait it resumes, so a replay of it is refused. Kept with a message that waits for its step.
   */
  readonly deliveryId?: string;
}

/** Where pending callbacks live between the step's call and the webhook: DynamoDB on AWS, memory locally. */
export interface CallbackStore {
  /**
   * Keeps a message no receive step waits for yet, under its message key, for `keepSeconds` (a
   * reply may overtake the step that waits for it). A second one under the same key replaces it.
   * The message comes sealed (receive-message.ts): the store never holds a payload in clear.
   */
  keepMessage(key: string, sealed: string, keepSeconds: number): Promise<void>;
  /** Takes (removes and returns) the sealed message kept under a key, unless it expired. Atomic: two takers never both get it. */
  takeMessage(key: string): Promise<string | undefined>;
  put(callback: PendingCallback): Promise<void>;
  get(id: string): Promise<PendingCallback | undefined>;
  /** Records a status that keeps the step waiting. */
  record(id: string, status: string): Promise<void>;
  /** Marks the callback settled; false when it already was, so a replay resumes nothing. */
  settle(id: string, status: string): Promise<boolean>;
  /**
   * Adds a verified delivery's id (its signature, or the provider's request id) to the
   * callback's seen set; false when it was already there (a replay) or the callback is gone.
   * Atomic, so of two concurrent deliveries of one signed request only one passes.
   */
  markSeen(id: string, deliveryId: string): Promise<boolean>;
}

export interface InMemoryCallbackStoreOptions {
  /**
   * The longest a step waits for its callback (its `timeoutSeconds`), by workflow and step id:
   * a callback that never settles is evicted that long after it was put, plus `marginSeconds`.
   * @default undefined — only the margin counts
   */
  readonly timeoutSecondsFor?: (workflowId: string, stepId: string) => number | undefined;
  /** @default 3600 */
  readonly marginSeconds?: number;
  /**
   * How long a settled callback is kept, so that a replay is told 409 (settled) rather than 401
   * (unknown). @default 600000 (10 minutes)
   */
  readonly settledRetentionMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
  /** Most messages kept for steps that do not wait yet; past it the oldest is dropped (and counted). @default 1000 */
  readonly maxKeptMessages?: number;
}

/** Sweeps run at most this often: each visits every entry. */
const SWEEP_INTERVAL_MS = 1_000;

/**
 * The local store (run, serve). It evicts as the DynamoDB table's TTL does: a settled callback
 * after `settledRetentionMs`, one that never settles after its step's timeout plus a margin, so a
 * long-running endpoint does not keep every callback it ever registered. Evicted entries are
 * swept when callbacks are put (no timer keeps the process alive); an expired entry is never
 * returned, swept or not.
 */
export class InMemoryCallbackStore implements CallbackStore {
  private readonly callbacks = new Map<string, PendingCallback & { expiresAt: number }>();
  /** Seen delivery ids by callback id, evicted with their callback. */
  private readonly seen = new Map<string, Set<string>>();
  private readonly now: () => number;
  private lastSweep = 0;
  private readonly kept = new Map<string, { sealed: string; expiresAt: number }>();
  /** Kept messages dropped unclaimed (expired, or pushed out by newer ones): the local count of what nobody waited for. */
  droppedMessages = 0;

  constructor(private readonly options: InMemoryCallbackStoreOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  /** Entries held, swept or not (for tests and metrics). */
  get size(): number {
    return this.callbacks.size;
  }

  async put(callback: PendingCallback): Promise<void> {
    this.sweep();
    const timeoutSeconds = this.options.timeoutSecondsFor?.(callback.workflowId, callback.stepId) ?? 0;
    const expiresAt = callback.createdAt + (timeoutSeconds + (this.options.marginSeconds ?? 3_600)) * 1000;
    this.callbacks.set(callback.id, { ...callback, statuses: [...callback.statuses], expiresAt });
  }
  async get(id: string): Promise<PendingCallback | undefined> {
    const found = this.live(id);
    if (!found) return undefined;
    const { expiresAt: _expiresAt, ...callback } = found;
    return { ...callback, statuses: [...found.statuses] };
  }
  async record(id: string, status: string): Promise<void> {
    this.live(id)?.statuses.push(status);
  }
  async settle(id: string, status: string): Promise<boolean> {
    const found = this.live(id);
    if (!found || found.settled) return false;
    found.settled = true;
    found.statuses.push(status);
    found.expiresAt = this.now() + (this.options.settledRetentionMs ?? 600_000);
    return true;
  }

  async markSeen(id: string, deliveryId: string): Promise<boolean> {
    const found = this.live(id);
    if (!found) return false;
    const seen = this.seen.get(id) ?? new Set<string>();
    if (seen.has(deliveryId)) return false;
    seen.add(deliveryId);
    this.seen.set(id, seen);
    return true;
  }

  async keepMessage(key: string, sealed: string, keepSeconds: number): Promise<void> {
    this.sweepKept();
    this.kept.delete(key);
    this.kept.set(key, { sealed, expiresAt: this.now() + keepSeconds * 1000 });
    const max = this.options.maxKeptMessages ?? 1_000;
    for (const oldest of this.kept.keys()) {
      if (this.kept.size <= max) break;
      this.kept.delete(oldest);
      this.droppedMessages++;
    }
  }

  async takeMessage(key: string): Promise<string | undefined> {
    const found = this.kept.get(key);
    if (!found) return undefined;
    this.kept.delete(key);
    if (found.expiresAt <= this.now()) {
      this.droppedMessages++;
      return undefined;
    }
    return found.sealed;
  }

  /** Messages kept now (for tests and metrics). */
  get keptMessages(): number {
    this.sweepKept();
    return this.kept.size;
  }

  private sweepKept(): void {
    const now = this.now();
    for (const [key, entry] of this.kept) {
      if (entry.expiresAt > now) continue;
      this.kept.delete(key);
      this.droppedMessages++;
    }
  }

  private live(id: string): (PendingCallback & { expiresAt: number }) | undefined {
    const found = this.callbacks.get(id);
    if (found && found.expiresAt <= this.now()) {
      this.callbacks.delete(id);
      this.seen.delete(id);
      return undefined;
    }
    return found;
  }

  private sweep(): void {
    const now = this.now();
    if (now - this.lastSweep < SWEEP_INTERVAL_MS) return;
    this.lastSweep = now;
    for (const [id, callback] of this.callbacks) {
      if (callback.expiresAt <= now) {
        this.callbacks.delete(id);
        this.seen.delete(id);
      }
    }
  }
}
