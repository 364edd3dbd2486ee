import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findUp } from '../../core/find-up.js';

/**
 * The repository root, found by walking up to bench/run.ts: the same code runs from bench/ (tsx)
 * and from dist/bench/ (the npm script), and benchmarks read workflows/ and write bench/results.md
 * in the source tree either way.
 */
export function repoRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  // bench/run.ts exists in the source tree only (dist/ holds run.js), so its folder's parent is the root.
  const marker = findUp(from, join('bench', 'run.ts'));
  if (!marker) throw new Error(`no bench/run.ts above ${from}`);
  return dirname(dirname(marker));
}

/** Built output of a source file (`cli/main.ts` → `<root>/dist/cli/main.js`), for fresh-process runs. */
export function distPath(root: string, sourcePath: string): string {
  return join(root, 'dist', sourcePath.replace(/\.ts$/, '.js'));
}
