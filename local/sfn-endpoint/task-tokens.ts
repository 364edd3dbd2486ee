import { AsyncLocalStorage } from 'node:async_hooks';
import { LocalTaskTokens } from '../local-callbacks.js';
import { sfnError } from './errors.js';

/** Which execution the code running now belongs to: set around each run, read where its Tasks issue tokens or log. */
export const currentExecution = new AsyncLocalStorage<{ readonly executionArn: string }>();

interface IssuedToken {
  readonly executionArn?: string;
  readonly issuedAt: number;
  open: boolean;
}

const TOKEN = /^local-task-token-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The local task tokens, watched: each token is tied to the execution whose Task issued it, so
 * `SendTask*` can answer as the service does (TaskDoesNotExist for a token never issued,
 * TaskTimedOut for one whose Task has ended) and a stopped execution's tokens can be released.
 */
export class TrackedTaskTokens extends LocalTaskTokens {
  private readonly issued = new Map<string, IssuedToken>();

  override issue(limits: { heartbeatMs: number; timeoutMs: number }): { token: string; result: Promise<unknown> } {
    const issued = super.issue(limits);
    const record: IssuedToken = { executionArn: currentExecution.getStore()?.executionArn, issuedAt: Date.now(), open: true };
    this.issued.set(issued.token, record);
    const close = () => {
      record.open = false;
    };
    issued.result.then(close, close);
    return issued;
  }

  /** The tokens still waiting, for one execution or all. */
  open(executionArn?: string): string[] {
    return [...this.issued].filter(([, r]) => r.open && (executionArn === undefined || r.executionArn === executionArn)).map(([t]) => t);
  }

  /** Throws the service's error for a token that cannot be answered now. */
  check(token: string): void {
    if (!TOKEN.test(token)) throw sfnError('InvalidToken', 'Invalid token');
    const record = this.issued.get(token);
    if (!record) throw sfnError('TaskDoesNotExist', 'Task does not exist anymore');
    if (!record.open) throw sfnError('TaskTimedOut', 'Task Timed Out');
  }

  /** Ends the Tasks of a stopped execution, so their timers stop and later answers get TaskTimedOut. */
  async release(executionArn: string): Promise<void> {
    for (const token of this.open(executionArn)) await this.sendTaskFailure(token, 'States.Aborted', 'the execution was stopped').catch(() => undefined);
  }
}
