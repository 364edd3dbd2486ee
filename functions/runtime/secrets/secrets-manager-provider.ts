import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { secretError } from '../../../core/errors.js';
import type { SecretsProvider } from './secrets-provider.js';

export interface SecretsManagerProviderOptions {
  /**
   * The secrets this function may read: reference name (the `<name>` of `secret:<name>`) →
   * Secrets Manager secret id (ARN). The CDK construct sets exactly the ones its steps send, so a
   * reference to any other secret fails here, before IAM would refuse it.
   */
  readonly secretIds: Readonly<Record<string, string>>;
  /** @default a client for the Lambda's region, created on first use */
  readonly client?: SecretsManagerClient;
  /**
   * How long a value read is used before it is read again, in milliseconds.
   * @default SECRET_TTL_MS (300 s, the default `SECRETS_MANAGER_TTL` of the AWS Parameters and Secrets Lambda Extension)
   */
  readonly ttlMs?: number;
  /** The clock, in milliseconds (tests pass a fake one). @default Date.now */
  readonly now?: () => number;
}

/** A secret value is read again after this long: a rotated credential reaches warm containers within 5 minutes. */
export const SECRET_TTL_MS = 300_000;

interface CachedSecret {
  readonly value: Promise<string>;
  readonly readAt: number;
}

/**
 * Credentials from AWS Secrets Manager. A value is kept for `ttlMs` (5 minutes): a warm Lambda
 * sends its requests without a Secrets Manager round trip, and a rotated secret reaches it
 * within the TTL, or at once when the provider refuses the old one (`refresh`, called on a
 * 401/403). A failed read is not kept, so the next invocation tries again; when a re-read after
 * the TTL fails, the value read before is used until the next attempt.
 */
export class SecretsManagerProvider implements SecretsProvider {
  private readonly cache = new Map<string, CachedSecret>();
  private client: Promise<SecretsManagerClient> | undefined;
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(private readonly options: SecretsManagerProviderOptions) {
    this.ttlMs = options.ttlMs ?? SECRET_TTL_MS;
    this.now = options.now ?? Date.now;
  }

  getSecret(name: string): Promise<string> {
    const cached = this.cache.get(name);
    if (cached && this.now() - cached.readAt < this.ttlMs) return cached.value;
    return this.read(name, cached);
  }

  /**
   * Reads these secrets again now, whatever their age (the provider refused a request that sent
   * them): true when any value changed, so that a request worth repeating is repeated once.
   */
  async refresh(names: readonly string[]): Promise<boolean> {
    let changed = false;
    for (const name of new Set(names)) {
      const cached = this.cache.get(name);
      const before = await cached?.value.catch(() => undefined);
      const after = await this.read(name, cached).catch(() => undefined);
      if (after !== undefined && after !== before) changed = true;
    }
    return changed;
  }

  private read(name: string, previous: CachedSecret | undefined): Promise<string> {
    const fetched = this.fetch(name);
    const entry: CachedSecret = {
      readAt: this.now(),
      // A re-read that fails falls back on the value read before (kept with its old age, so the next call tries again).
      value: previous ? fetched.catch(() => previous.value) : fetched,
    };
    this.cache.set(name, entry);
    fetched.catch(() => {
      if (this.cache.get(name) !== entry) return;
      if (previous) this.cache.set(name, previous);
      else this.cache.delete(name);
    });
    return entry.value;
  }

  private async fetch(name: string): Promise<string> {
    const secretId = Object.hasOwn(this.options.secretIds, name) ? this.options.secretIds[name] : undefined;
    if (!secretId) {
      const known = Object.keys(this.options.secretIds);
      throw secretError(`secret "${name}" is not one this function may read (${known.length ? `it reads ${known.map((k) => `"${k}"`).join(', ')}` : 'it reads none'})`);
    }
    // The SDK is loaded on the first secret read: a function that never reads one does not pay for it at cold start.
    const { GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
    const client = await this.clientOnce();
    let answer;
    try {
      answer = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    } catch (err) {
      // The SDK error's name says what went wrong (AccessDeniedException, ResourceNotFoundException); its message may quote the id only.
      throw secretError(`secret "${name}" could not be read from Secrets Manager: ${(err as Error).name}`, { cause: err });
    }
    if (typeof answer.SecretString !== 'string') throw secretError(`secret "${name}" holds binary data; a credential must be a string`);
    return answer.SecretString;
  }

  private clientOnce(): Promise<SecretsManagerClient> {
    this.client ??= this.options.client
      ? Promise.resolve(this.options.client)
      : import('@aws-sdk/client-secrets-manager').then(({ SecretsManagerClient }) => new SecretsManagerClient({}));
    return this.client;
  }
}
