// `npm start` runs this file directly with Node's type stripping (no build needed to run it):
// it builds only when a source is newer than the CLI bundle, so an unchanged checkout starts
// at once. It imports only Node's built-ins for that reason.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What `npm run build` reads: the TypeScript sources, the build's configuration and the installed packages the bundle inlines. */
export const BUILD_INPUTS = {
  folders: ['core', 'compiler', 'infra', 'functions', 'local', 'sandbox', 'cli', 'bench'],
  files: ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'node_modules/.package-lock.json'],
} as const;

/** The bundle's entry, written last by the build. */
export const BUILD_OUTPUT = 'dist/bin/main.js';

/** The first build input newer than the bundle (or the bundle itself when it is missing); undefined when the bundle is fresh. */
export function staleInput(root: string): string | undefined {
  let built: number;
  try {
    built = statSync(join(root, BUILD_OUTPUT)).mtimeMs;
  } catch {
    return BUILD_OUTPUT;
  }
  const newer = (path: string) => {
    try {
      return statSync(path).mtimeMs > built;
    } catch {
      return false;
    }
  };
  for (const file of BUILD_INPUTS.files) if (newer(join(root, file))) return file;
  const walk = (dir: string): string | undefined => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return undefined;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      const found = entry.isDirectory() ? walk(path) : /\.[cm]?ts$/.test(entry.name) && newer(path) ? path : undefined;
      if (found) return found;
    }
    return undefined;
  };
  for (const folder of BUILD_INPUTS.folders) {
    const found = walk(join(root, folder));
    if (found) return relative(root, found);
  }
  return undefined;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..');
  const stale = staleInput(root);
  if (stale) {
    process.stderr.write(`building (${stale} ${stale === BUILD_OUTPUT ? 'is missing' : 'changed since the last build'})\n`);
    const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
    process.exitCode = build.status ?? 1;
  }
}
