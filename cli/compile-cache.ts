import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CompileFileOptions, CompileResult } from '../infra/compiler/compile-file.js';
import { hasErrors } from '../infra/compiler/diagnostics/index.js';

/**
 * `run` compiles the document on every call, and loading the compiler (YAML, zod, OpenAPI
 * dereferencing, lint) costs more than the execution itself. A result that compiled without
 * errors is kept on disk and reused while nothing it depends on changed, as babel-loader, Jest's
 * transform cache or `eslint --cache` do: the content of every file the compile read, the
 * options, the working directory (diagnostics name files relative to it) and the compiler's own
 * code. A hit never loads the compiler. A miss, a corrupt entry or an unwritable directory
 * falls back to compiling, so the cache can only cost a compile, never change a result.
 */
export interface CompileCacheOptions {
  /** @default ARAZZO_SFN_CACHE_DIR, else node_modules/.cache/arazzo-sfn under the working directory, else the temp directory */
  readonly dir?: string;
}

const ENTRY_FORMAT = 1;

interface CacheEntry {
  readonly format: number;
  readonly inputs: readonly { readonly path: string; readonly sha256: string }[];
  readonly result: CompileResult;
}

export function defaultCacheDir(): string {
  if (process.env.ARAZZO_SFN_CACHE_DIR) return resolve(process.env.ARAZZO_SFN_CACHE_DIR);
  const modules = resolve('node_modules');
  if (existsSync(modules)) return join(modules, '.cache', 'arazzo-sfn');
  return join(tmpdir(), `arazzo-sfn-cache-${userInfo().uid}`);
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

// The code that decides what a compile produces: the compiler and the runtime modules it imports
// (expressions, criteria, plan shapes), or, in the bundled CLI, the bundle's own chunks. Size and
// mtime of each file, as make does.
declare const __ARAZZO_SFN_BUNDLE__: boolean | undefined;
const HERE = dirname(fileURLToPath(import.meta.url));
const CODE_DIRS = typeof __ARAZZO_SFN_BUNDLE__ !== 'undefined' && __ARAZZO_SFN_BUNDLE__ ? [HERE] : [join(HERE, '..', 'infra', 'compiler'), join(HERE, '..', 'functions', 'runtime')];

let fingerprint: string | undefined;

// Synchronous on purpose: fs.promises.readdir({ recursive }) takes ~35 ms for these two trees, the walk ~1 ms.
function codeFingerprint(): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.[cm]?[jt]s$/.test(entry.name) && !entry.name.endsWith('.d.ts')) {
        const s = statSync(path);
        hash.update(`${path}\u0000${s.size}\u0000${s.mtimeMs}\n`);
      }
    }
  };
  for (const dir of CODE_DIRS) walk(dir);
  return hash.digest('hex');
}

async function readEntry(path: string): Promise<CompileResult | undefined> {
  let entry: CacheEntry;
  try {
    entry = JSON.parse(await readFile(path, 'utf8')) as CacheEntry;
  } catch {
    return undefined;
  }
  if (entry?.format !== ENTRY_FORMAT || !Array.isArray(entry.inputs) || !entry.result) return undefined;
  for (const input of entry.inputs) {
    try {
      if (sha256(await readFile(input.path)) !== input.sha256) return undefined;
    } catch {
      return undefined;
    }
  }
  return entry.result;
}

async function writeEntry(path: string, result: CompileResult): Promise<void> {
  const inputs = await Promise.all(result.inputs.map(async (p) => ({ path: p, sha256: sha256(await readFile(p)) })));
  const entry: CacheEntry = { format: ENTRY_FORMAT, inputs, result };
  const temp = `${path}.${process.pid}.tmp`;
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(temp, JSON.stringify(entry));
  // A concurrent reader sees the old entry or the new one, never half of one.
  await rename(temp, path);
}

/**
 * `compileFile(file, options)`, answered from the cache when the files it read last time are
 * unchanged. `hit` says which way it went (the CLI does not print it; tests and benchmarks do).
 */
export async function compileFileCached(
  file: string,
  options: CompileFileOptions,
  cache: CompileCacheOptions = {},
): Promise<{ readonly result: CompileResult; readonly hit: boolean }> {
  const dir = cache.dir ?? defaultCacheDir();
  const key = sha256(JSON.stringify([ENTRY_FORMAT, (fingerprint ??= codeFingerprint()), process.cwd(), resolve(file), options]));
  const path = join(dir, `${key}.json`);
  const cached = await readEntry(path);
  if (cached) return { result: cached, hit: true };
  const { compileFile } = await import('../infra/compiler/compile-file.js');
  const result = await compileFile(file, options);
  if (!hasErrors(result.diagnostics) && result.inputs.length) {
    // Best effort: a read-only checkout still runs, it just compiles every time.
    await writeEntry(path, result).catch(() => undefined);
  }
  return { result, hit: false };
}
