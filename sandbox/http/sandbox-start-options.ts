/** Options every `start…Sandbox` accepts. */
export interface SandboxStartOptions {
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** @default 0 (an ephemeral port; read `url`) */
  readonly port?: number;
  /** How many entries `requestLog` keeps (oldest dropped first). @default 1000 */
  readonly requestLogLimit?: number;
}

export const DEFAULT_SANDBOX_HOST = '127.0.0.1';
export const DEFAULT_REQUEST_LOG_LIMIT = 1000;
