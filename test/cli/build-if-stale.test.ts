import { mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUILD_OUTPUT, staleInput } from '../../cli/build-if-stale.js';
import { runNode } from './run-cli.js';

/**
 * A small project of its own with the layout the check reads (sources, package.json, the bundle),
 * whose `npm run build` writes the bundle: the check and the script run for real against it.
 */
let root: string;
const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds));

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'arazzo-sfn-stale-'));
  await mkdir(join(root, 'cli', 'commands'), { recursive: true });
  await mkdir(join(root, 'dist', 'bin'), { recursive: true });
  await writeFile(join(root, 'cli', 'commands', 'run.ts'), 'export {};\n');
  await writeFile(
    join(root, 'package.json'),
    JSON.stringify({ name: 'stale-check', private: true, scripts: { build: `node -e "require('fs').writeFileSync('${BUILD_OUTPUT}', 'built')"` } }),
  );
  await writeFile(join(root, BUILD_OUTPUT), 'old');
  await utimes(join(root, 'cli', 'commands', 'run.ts'), at(10), at(10));
  await utimes(join(root, 'package.json'), at(10), at(10));
  await utimes(join(root, BUILD_OUTPUT), at(20), at(20));
});
afterEach(() => rm(root, { recursive: true, force: true }));

describe('npm start builds only when something changed (cli/build-if-stale.ts)', () => {
  it('fresh when the bundle is newer than every input; stale on a newer source, a newer package.json, or no bundle', async () => {
    expect(staleInput(root)).toBeUndefined();
    await utimes(join(root, 'cli', 'commands', 'run.ts'), at(30), at(30));
    expect(staleInput(root)).toBe(join('cli', 'commands', 'run.ts'));
    await utimes(join(root, 'cli', 'commands', 'run.ts'), at(10), at(10));
    await utimes(join(root, 'package.json'), at(30), at(30));
    expect(staleInput(root)).toBe('package.json');
    await rm(join(root, BUILD_OUTPUT));
    expect(staleInput(root)).toBe(BUILD_OUTPUT);
  });

  it('run as npm start runs it: nothing happens when fresh; one line and a real `npm run build` when stale', async () => {
    const fresh = await runNode(['cli/build-if-stale.ts', root]);
    expect(fresh).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(await readFile(join(root, BUILD_OUTPUT), 'utf8')).toBe('old');

    await utimes(join(root, 'cli', 'commands', 'run.ts'), at(30), at(30));
    const stale = await runNode(['cli/build-if-stale.ts', root]);
    expect(stale.code).toBe(0);
    expect(stale.stderr).toBe(`building (${join('cli', 'commands', 'run.ts')} changed since the last build)\n`);
    expect(await readFile(join(root, BUILD_OUTPUT), 'utf8')).toBe('built');
    expect(staleInput(root)).toBeUndefined();
  }, 30_000);
});
