/** What a simulator answers; the server turns it into bytes. */
export interface SandboxResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** Serialised as JSON unless `text` is given. */
  readonly body?: unknown;
  /** A raw body (HTML page, deliberately broken JSON); sent with `contentType`. */
  readonly text?: string;
  readonly contentType?: string;
}

export function jsonResponse(status: number, body: unknown, headers?: Record<string, string>): SandboxResponse {
  return { status, body, headers };
}
