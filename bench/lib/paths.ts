import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The repository root, found by walking up to package.json: the same code runs from bench/ (tsx)
 * and from dist/bench/ (the npm script), and benchmarks read workflows/ and write bench/results.md
 * in the source tree either way.
 */
export function repoRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'bench'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${from}`);
    dir = parent;
  }
}

/** Built output of a source file (`cli/main.ts` → `<root>/dist/cli/main.js`), for fresh-process runs. */
export function distPath(root: string, sourcePath: string): string {
  return join(root, 'dist', sourcePath.replace(/\.ts$/, '.js'));
}
