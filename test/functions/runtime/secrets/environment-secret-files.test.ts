import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../../../core/errors.js';
import { EnvironmentSecretsProvider, MAX_SECRET_FILE_BYTES } from '../../../../functions/runtime/secrets/index.js';

const dir = mkdtempSync(join(tmpdir(), 'arazzo-secret-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('EnvironmentSecretsProvider: ARAZZO_SECRET_<NAME>_FILE', () => {
  it('reads a PEM from the file the _FILE variable names when the variable itself is unset; the variable wins when set', async () => {
    const file = join(dir, 'client.key');
    const pem = '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ3+not-a-real-key\n-----END PRIVATE KEY-----\n';
    writeFileSync(file, pem);
    expect(await new EnvironmentSecretsProvider({ ARAZZO_SECRET_TPP_KEY_FILE: file }).getSecret('tpp-key')).toBe(pem);
    expect(await new EnvironmentSecretsProvider({ ARAZZO_SECRET_TPP_KEY: 'inline', ARAZZO_SECRET_TPP_KEY_FILE: file }).getSecret('tpp-key')).toBe('inline');
  });

  it('refuses a missing file, a directory and a file over the limit by name, never quoting content', async () => {
    const big = join(dir, 'big.pem');
    writeFileSync(big, 'S3CRET'.repeat(Math.ceil((MAX_SECRET_FILE_BYTES + 1) / 6)));
    const folder = join(dir, 'folder');
    mkdirSync(folder);
    const cases: [string, RegExp][] = [
      [join(dir, 'absent.pem'), /secret "k" \(ARAZZO_SECRET_K_FILE=.*absent\.pem\) cannot be read: ENOENT/],
      [folder, /is not a regular file/],
      [big, /bytes, over the 262144-byte limit/],
    ];
    for (const [file, message] of cases) {
      const error = await new EnvironmentSecretsProvider({ ARAZZO_SECRET_K_FILE: file }).getSecret('k').catch((e: Error) => e);
      expect((error as Error & { code?: string }).name).toBe(ErrorCodes.Secret);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain('S3CRET');
    }
    await expect(new EnvironmentSecretsProvider({}).getSecret('k')).rejects.toThrow(/ARAZZO_SECRET_K, or ARAZZO_SECRET_K_FILE naming a file/);
  });
});
