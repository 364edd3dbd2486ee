/** Options every `start…Sandbox` accepts. */
export interface SandboxStartOptions {
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** @default 0 (an ephemeral port; read `url`) */
  readonly port?: number;
  /** How many entries `requestLog` keeps (oldest dropped first). @default 1000 */
  readonly requestLogLimit?: number;
  /** Serve HTTPS instead of HTTP, asking clients for a certificate when `clientCa` is set. @default - plain HTTP */
  readonly tls?: SandboxTlsOptions;
}

/**
 * HTTPS for a simulator (PEM texts; tests make a throw-away CA with OpenSSL). With `clientCa`, the
 * server requires a client certificate issued by it and refuses the handshake otherwise, as a
 * PSD2 bank's API gateway does with QWAC certificates.
 */
export interface SandboxTlsOptions {
  readonly cert: string;
  readonly key: string;
  /** CAs whose client certificates are accepted; absent: no client certificate is asked for. */
  readonly clientCa?: string;
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
