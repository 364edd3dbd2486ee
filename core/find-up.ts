import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Walks up from `from` (inclusive) to the file-system root and returns the first existing
 * `<dir>/<candidate>` path, trying the candidates in order at each level; `undefined` when none
 * exists. The one root walk of the code base: simulators find their descriptions and the CLI its
 * install record this way, whether they run from the sources or from `dist/`.
 */
export function findUp(from: string, candidates: string | readonly string[]): string | undefined {
  const names = typeof candidates === 'string' ? [candidates] : candidates;
  for (let dir = from; ; dir = dirname(dir)) {
    for (const name of names) {
      const path = join(dir, name);
      if (existsSync(path)) return path;
    }
    if (dirname(dir) === dir) return undefined;
  }
}
