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

/** Where pending callbacks live between the step's call and the webhook: DynamoDB on AWS, memory locally. */
export interface CallbackStore {
  put(callback: PendingCallback): Promise<void>;
  get(id: string): Promise<PendingCallback | undefined>;
  /** Records a status that keeps the step waiting. */
  record(id: string, status: string): Promise<void>;
  /** Marks the callback settled; false when it already was, so a replay resumes nothing. */
  settle(id: string, status: string): Promise<boolean>;
}

export class InMemoryCallbackStore implements CallbackStore {
  private readonly callbacks = new Map<string, PendingCallback>();

  async put(callback: PendingCallback): Promise<void> {
    this.callbacks.set(callback.id, { ...callback, statuses: [...callback.statuses] });
  }
  async get(id: string): Promise<PendingCallback | undefined> {
    const found = this.callbacks.get(id);
    return found && { ...found, statuses: [...found.statuses] };
  }
  async record(id: string, status: string): Promise<void> {
    this.callbacks.get(id)?.statuses.push(status);
  }
  async settle(id: string, status: string): Promise<boolean> {
    const found = this.callbacks.get(id);
    if (!found || found.settled) return false;
    found.settled = true;
    found.statuses.push(status);
    return true;
  }
}
