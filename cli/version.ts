import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The bundle has the version written in at build time (cli/bundle-cli.ts); from the sources, it
// is read from the package.json above this module.
declare const __ARAZZO_SFN_VERSION__: string | undefined;

export function cliVersion(): string {
  if (typeof __ARAZZO_SFN_VERSION__ !== 'undefined') return __ARAZZO_SFN_VERSION__;
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'arazzo-sfn' && pkg.version) return pkg.version;
    } catch {
      // not here: one folder up
    }
    if (dirname(dir) === dir) return 'unknown';
  }
}
