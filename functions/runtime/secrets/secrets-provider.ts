import { open } from 'node:fs/promises';
import { secretError } from '../../../core/errors.js';

/**
 * Where credentials come from. On AWS: Secrets Manager (cached for 5 minutes, re-read on a 401/403);
 * locally: an in-memory, file or environment provider with the same interface.
 */
export interface SecretsProvider {
  /** The secret's string value; throws `Arazzo.Secret` when it cannot be read. */
  getSecret(name: string): Promise<string>;
  /**
   * For a provider that caches: read these secrets again now, because the provider refused a
   * request that sent them (401/403). Resolves true when any value changed, and the step sends
   * its request once more.
   */
  refresh?(names: readonly string[]): Promise<boolean>;
}

export const SECRET_REFERENCE_PREFIX = 'secret:';

/**
 * A credential input in the execution input is a reference, `secret:<name>` or
 * `secret:<name>#<jsonKey>` (for a JSON secret holding several values), never the value.
 */
export interface SecretReference {
  readonly name: string;
  readonly jsonKey?: string;
}

export function parseSecretReference(value: unknown): SecretReference | undefined {
  if (typeof value !== 'string' || !value.startsWith(SECRET_REFERENCE_PREFIX)) return undefined;
  const body = value.slice(SECRET_REFERENCE_PREFIX.length);
  const hash = body.lastIndexOf('#');
  const name = hash >= 0 ? body.slice(0, hash) : body;
  if (!name) return undefined;
  return hash >= 0 ? { name, jsonKey: body.slice(hash + 1) } : { name };
}

export function formatSecretReference(ref: SecretReference): string {
  return `${SECRET_REFERENCE_PREFIX}${ref.name}${ref.jsonKey ? `#${ref.jsonKey}` : ''}`;
}

export async function resolveSecretReference(provider: SecretsProvider, ref: SecretReference): Promise<string> {
  const raw = await provider.getSecret(ref.name);
  if (ref.jsonKey === undefined) return raw;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw secretError(`secret "${ref.name}" is not JSON, so it has no key "${ref.jsonKey}"`);
  }
  const value = (parsed as Record<string, unknown>)?.[ref.jsonKey];
  if (typeof value !== 'string') throw secretError(`secret "${ref.name}" has no string key "${ref.jsonKey}"`);
  return value;
}

/** In-memory provider: the local runner puts `--input accessToken=...` values here. */
export class InMemorySecretsProvider implements SecretsProvider {
  private readonly values = new Map<string, string>();
  constructor(initial: Record<string, string> = {}) {
    for (const [k, v] of Object.entries(initial)) this.values.set(k, v);
  }
  set(name: string, value: string): void {
    this.values.set(name, value);
  }
  async getSecret(name: string): Promise<string> {
    const value = this.values.get(name);
    if (value === undefined) throw secretError(`secret "${name}" is not defined in the local secrets provider`);
    return value;
  }
}

/** A secret file larger than this is not a credential, a key or a certificate chain. */
export const MAX_SECRET_FILE_BYTES = 256 * 1024;

/**
 * Environment provider: secret `a/b-c` is read from `ARAZZO_SECRET_A_B_C`, so CI systems can
 * pass credentials the usual way; or, when that is unset, from the file that
 * `ARAZZO_SECRET_A_B_C_FILE` names (the `_FILE` convention of container secrets), for PEM
 * certificates and keys. A file is read on each use (a renewed certificate is picked up), must be
 * a regular file of at most 256 KiB, and errors name the variable and the path, never the content.
 */
export class EnvironmentSecretsProvider implements SecretsProvider {
  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}
  static variableFor(name: string): string {
    return `ARAZZO_SECRET_${name.replace(/[^A-Za-z0-9]/g, '_').toUpperCase()}`;
  }
  async getSecret(name: string): Promise<string> {
    const variable = EnvironmentSecretsProvider.variableFor(name);
    const value = this.env[variable];
    if (value !== undefined) return value;
    const file = this.env[`${variable}_FILE`];
    if (file === undefined || file === '') throw secretError(`secret "${name}" is not set (environment variable ${variable}, or ${variable}_FILE naming a file)`);
    return readSecretFile(name, `${variable}_FILE`, file);
  }
}

async function readSecretFile(name: string, variable: string, file: string): Promise<string> {
  const where = `secret "${name}" (${variable}=${file})`;
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    throw secretError(`${where} cannot be read: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw secretError(`${where} is not a regular file`);
    if (stat.size > MAX_SECRET_FILE_BYTES) throw secretError(`${where} is ${stat.size} bytes, over the ${MAX_SECRET_FILE_BYTES}-byte limit`);
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

/** Tries each provider in turn. */
export class ChainedSecretsProvider implements SecretsProvider {
  constructor(private readonly providers: readonly SecretsProvider[]) {}
  async getSecret(name: string): Promise<string> {
    let last: unknown;
    for (const p of this.providers) {
      try {
        return await p.getSecret(name);
      } catch (err) {
        last = err;
      }
    }
    throw last ?? secretError(`secret "${name}" not found`);
  }
}
