/** Options every `start…Sandbox` accepts. */
export interface SandboxStartOptions {
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** @default 0 (an ephemeral port; read `url`) */
  readonly port?: number;
  /** How many entries `requestLog` keeps (oldest dropped first). @default 1000 */
  readonly requestLogLimit?: number;
}

/** What every provider simulator's options add: its scenario, its clock and where its descriptions are. */
export interface SimulatorStartOptions<ScenarioOverrides> extends SandboxStartOptions {
  /** Merged over the simulator's default scenario. */
  readonly scenario?: ScenarioOverrides;
  /** Clock in epoch milliseconds (token expiry, timestamps). @default Date.now */
  readonly now?: () => number;
  /** Folder holding the simulator's OpenAPI descriptions. @default found above the module (`workflows/openapi`, `test/fixtures/oai-examples`) */
  readonly openApiDir?: string;
}

export const DEFAULT_SANDBOX_HOST = '127.0.0.1';
export const DEFAULT_REQUEST_LOG_LIMIT = 1000;
