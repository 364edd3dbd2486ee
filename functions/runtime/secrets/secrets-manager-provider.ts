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
}

/**
 * Credentials from AWS Secrets Manager. Each value is fetched once and kept for the container's
 * life: a warm Lambda then sends its request without a Secrets Manager round trip. A failed
 * fetch is not kept, so the next invocation tries again. A rotated secret is seen by new
 * containers; a running one keeps the value it read.
 */
export class SecretsManagerProvider implements SecretsProvider {
  private readonly cache = new Map<string, Promise<string>>();
  private client: Promise<SecretsManagerClient> | undefined;

  constructor(private readonly options: SecretsManagerProviderOptions) {}

  getSecret(name: string): Promise<string> {
    let value = this.cache.get(name);
    if (!value) {
      value = this.fetch(name);
      this.cache.set(name, value);
      value.catch(() => this.cache.delete(name));
    }
    return value;
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
