/**
 * One line of a simulator's request log. Deliberately holds no header values, query strings or
 * bodies: those carry client secrets and tokens, and the log is shown to users and in test output.
 */
export interface RequestLogEntry {
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  /** The operation the request was routed to, when it matched one. */
  readonly operationId?: string;
  /** HTTP status sent; `0` when a fault reset the connection instead of answering. */
  readonly status: number;
  readonly durationMs: number;
  /** Set when a scenario fault shaped this answer. */
  readonly fault?: true;
}
