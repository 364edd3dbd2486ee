import type { SFNClient } from '@aws-sdk/client-sfn';
import type { TaskTokenClient } from './task-token-client.js';

/**
 * Step Functions' answers for a token whose Task no longer waits: it timed out (heartbeat or
 * timeout), its execution ended or was stopped, or the token is not one Step Functions issued.
 * The receiver answers such a callback as too late instead of failing.
 */
export const TASK_NO_LONGER_WAITING = ['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken'] as const;

export const isTaskNoLongerWaiting = (err: unknown): boolean => (TASK_NO_LONGER_WAITING as readonly string[]).includes((err as Error)?.name);

/** SendTaskFailure's limits (256 and 32768 characters): a longer error or cause would be refused, leaving the Task waiting. */
const MAX_ERROR = 256;
const MAX_CAUSE = 32_768;

export interface SfnTaskTokenClientOptions {
  /** @default a client for the Lambda's region, created on first use */
  readonly client?: SFNClient;
}

/**
 * The three calls that resume a `.waitForTaskToken` Task, with `@aws-sdk/client-sfn`. A token
 * that no longer waits fails with an error named as Step Functions names it (see
 * `TASK_NO_LONGER_WAITING`), its message free of the token; other failures (throttling,
 * access) keep the SDK's error.
 */
export class SfnTaskTokenClient implements TaskTokenClient {
  private client: Promise<SFNClient> | undefined;

  constructor(private readonly options: SfnTaskTokenClientOptions = {}) {}

  async sendTaskSuccess(taskToken: string, output: string): Promise<void> {
    const { SendTaskSuccessCommand } = await import('@aws-sdk/client-sfn');
    await this.send((client) => client.send(new SendTaskSuccessCommand({ taskToken, output })));
  }

  async sendTaskFailure(taskToken: string, error: string, cause: string): Promise<void> {
    const { SendTaskFailureCommand } = await import('@aws-sdk/client-sfn');
    await this.send((client) => client.send(new SendTaskFailureCommand({ taskToken, error: error.slice(0, MAX_ERROR), cause: cause.slice(0, MAX_CAUSE) })));
  }

  async sendTaskHeartbeat(taskToken: string): Promise<void> {
    const { SendTaskHeartbeatCommand } = await import('@aws-sdk/client-sfn');
    await this.send((client) => client.send(new SendTaskHeartbeatCommand({ taskToken })));
  }

  private async send(call: (client: SFNClient) => Promise<unknown>): Promise<void> {
    const client = await this.clientOnce();
    try {
      await call(client);
    } catch (err) {
      if (isTaskNoLongerWaiting(err)) throw Object.assign(new Error(`Step Functions answered ${(err as Error).name}: the Task no longer waits for this token`), { name: (err as Error).name });
      throw err;
    }
  }

  private clientOnce(): Promise<SFNClient> {
    // Loaded on the first call: the operation functions share this module and never resume a Task.
    this.client ??= this.options.client ? Promise.resolve(this.options.client) : import('@aws-sdk/client-sfn').then(({ SFNClient }) => new SFNClient({}));
    return this.client;
  }
}
