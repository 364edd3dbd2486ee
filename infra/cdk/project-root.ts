import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The directory holding package-lock.json above this module, whether it runs from the sources or
 * from dist/: where the bundles' sources and node_modules are, and the seed workflows.
 */
export function projectRoot(): string {
  let dir = import.meta.dirname;
  while (!existsSync(join(dir, 'package-lock.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`arazzo-sfn: no package-lock.json above ${import.meta.dirname}`);
    dir = parent;
  }
  return dir;
}
