import { createHash } from 'node:crypto';

/** What a token endpoint granted, as the cache keeps it. */
export interface CachedToken {
  readonly accessToken: string;
  /** Epoch ms after which the token is not used again (its `expires_in` minus the skew). */
  readonly usableUntil: number;
}

export interface TokenCacheOptions {
  /** The clock, epoch ms. @default Date.now */
  readonly now?: () => number;
  /** Seconds before `expires_in` runs out at which a token is renewed. @default 30 */
  readonly skewSeconds?: number;
  /** Lifetime assumed when a token answer has no `expires_in` (RFC 6749 makes it optional). @default 60 */
  readonly defaultLifetimeSeconds?: number;
  /** How long an OpenID Connect discovery document is kept, in seconds. @default 3600 */
  readonly discoveryLifetimeSeconds?: number;
  /** Entries kept at most; the oldest go first. @default 256 */
  readonly maxEntries?: number;
}

/**
 * Access tokens minted for `x-security` oauth2/openIdConnect schemes, and the discovery
 * documents of openIdConnect schemes, kept until they expire. One cache serves a runtime (a
 * warm Lambda container, a local run), never the process: each `StepRuntime` owns one.
 *
 * Keys are SHA-256 digests of the token URL, the client, the user, the secrets and the scope,
 * so two credentials never share a token and no credential is a map key in plain text.
 * Concurrent requests for the same key share one token request.
 */
export class TokenCache {
  readonly now: () => number;
  private readonly skewMs: number;
  private readonly defaultLifetimeMs: number;
  private readonly discoveryLifetimeMs: number;
  private readonly maxEntries: number;
  private readonly tokens = new Map<string, CachedToken>();
  private readonly pending = new Map<string, Promise<CachedToken>>();
  private readonly discovered = new Map<string, { readonly value: unknown; readonly until: number }>();

  constructor(options: TokenCacheOptions = {}) {
    this.now = options.now ?? Date.now;
    this.skewMs = (options.skewSeconds ?? 30) * 1000;
    this.defaultLifetimeMs = (options.defaultLifetimeSeconds ?? 60) * 1000;
    this.discoveryLifetimeMs = (options.discoveryLifetimeSeconds ?? 3600) * 1000;
    this.maxEntries = options.maxEntries ?? 256;
  }

  /** The cache key of a token request: a digest, never the credentials themselves. */
  static keyOf(parts: readonly (string | undefined)[]): string {
    return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
  }

  /**
   * The cached token of `key` while it is usable (`cached`), else the one `mint` obtains (stored
   * until its lifetime, minus the skew, runs out; a short-lived token is kept for half its life).
   */
  async token(
    key: string,
    mint: () => Promise<{ accessToken: string; expiresInSeconds?: number }>,
  ): Promise<{ readonly accessToken: string; readonly cached: boolean }> {
    const cached = this.tokens.get(key);
    if (cached && cached.usableUntil > this.now()) return { accessToken: cached.accessToken, cached: true };
    if (cached) this.tokens.delete(key);
    let inFlight = this.pending.get(key);
    if (!inFlight) {
      inFlight = (async () => {
        const minted = await mint();
        const lifetimeMs = minted.expiresInSeconds !== undefined ? minted.expiresInSeconds * 1000 : this.defaultLifetimeMs;
        const usable = lifetimeMs > 2 * this.skewMs ? lifetimeMs - this.skewMs : lifetimeMs / 2;
        const entry = { accessToken: minted.accessToken, usableUntil: this.now() + usable };
        this.bound(this.tokens);
        this.tokens.set(key, entry);
        return entry;
      })().finally(() => this.pending.delete(key));
      this.pending.set(key, inFlight);
    }
    return { accessToken: (await inFlight).accessToken, cached: false };
  }

  /** Forgets the token of `key` (the provider refused it before its time: revoked, or the server restarted). */
  evict(key: string): void {
    this.tokens.delete(key);
  }

  /** A discovery document by URL, fetched by `load` when absent or older than its lifetime. */
  async discovery<T>(url: string, load: () => Promise<T>): Promise<T> {
    const cached = this.discovered.get(url);
    if (cached && cached.until > this.now()) return cached.value as T;
    const value = await load();
    this.bound(this.discovered);
    this.discovered.set(url, { value, until: this.now() + this.discoveryLifetimeMs });
    return value;
  }

  /** Forgets every token and discovery document. */
  clear(): void {
    this.tokens.clear();
    this.discovered.clear();
  }

  private bound(map: Map<string, unknown>): void {
    while (map.size >= this.maxEntries) map.delete(map.keys().next().value!);
  }
}
