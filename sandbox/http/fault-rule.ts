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
  /**
   * Matches request headers (names in lower case): each must be present and equal the string or
   * match the RegExp. Lets concurrent executions each get their own faults, told apart by a
   * header they already send (their bearer token, an idempotency key).
   */
  readonly headers?: Readonly<Record<string, string | RegExp>>;
  /** Answer with this status and the provider's error envelope (e.g. 500, 502, 503, 429). */
  readonly status?: number;
  /** `Retry-After` seconds; a 429 always carries the header (default 1). */
  readonly retryAfterSeconds?: number;
  /** The `Retry-After` header as sent (an HTTP-date), or `false` for none (a 429 without it); overrides `retryAfterSeconds`. */
  readonly retryAfter?: string | false;
  /** How many matching requests the fault hits before it stops; unlimited when absent. */
  readonly times?: number;
  /** Wait this long before answering (or before processing, when nothing else is set): timeouts. */
  readonly delayMs?: number;
  /** Answer with a truncated JSON body. */
  readonly malformedJson?: boolean;
  /** Destroy the connection without answering. */
  readonly resetConnection?: boolean;
  /**
   * Label the answer with this Content-Type, the body unchanged (JSON sent as `text/html`, or a
   * fault's envelope as a gateway's HTML page would be). Alone, the request is processed as usual.
   */
  readonly contentType?: string;
  /**
   * Send the status line and headers at once, then hold the body back this long: a slow or
   * stalled body, which a client's body timeout catches rather than its headers timeout.
   * Alone, the request is processed as usual.
   */
  readonly bodyDelayMs?: number;
  /**
   * `before` (default): the request never reaches the simulator, so no state changes.
   * `after`: the simulator processes the request (a payment is created) and then the answer is
   * replaced or lost, which is what idempotency keys exist for.
   */
  readonly when?: 'before' | 'after';
}
