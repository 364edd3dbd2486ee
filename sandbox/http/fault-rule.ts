/**
 * A scenario fault: requests that match every given selector are answered by the fault instead
 * of (or, with `when: 'after'`, after) the simulator's own logic.
 */
export interface FaultRule {
  /** Matches the operation the request routes to. */
  readonly operationId?: string;
  /** Matches the HTTP method (case-insensitive). */
  readonly method?: string;
  /** A string matches the request path or the operation's path template exactly; a RegExp is tested on the path. */
  readonly path?: RegExp | string;
  /** Answer with this status and the provider's error envelope (e.g. 500, 502, 503, 429). */
  readonly status?: number;
  /** `Retry-After` seconds; a 429 always carries the header (default 1). */
  readonly retryAfterSeconds?: number;
  /** How many matching requests the fault hits before it stops; unlimited when absent. */
  readonly times?: number;
  /** Wait this long before answering (or before processing, when nothing else is set): timeouts. */
  readonly delayMs?: number;
  /** Answer with a truncated JSON body. */
  readonly malformedJson?: boolean;
  /** Destroy the connection without answering. */
  readonly resetConnection?: boolean;
  /**
   * `before` (default): the request never reaches the simulator, so no state changes.
   * `after`: the simulator processes the request (a payment is created) and then the answer is
   * replaced or lost, which is what idempotency keys exist for.
   */
  readonly when?: 'before' | 'after';
}
