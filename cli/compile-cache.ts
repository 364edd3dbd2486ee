import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { lstat, mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CompileFileOptions, CompileResult } from '../compiler/compile-file.js';
import { hasErrors } from '../compiler/diagnostics/index.js';
import { findUp } from '../core/find-up.js';

/**
 * `run` compiles the document on every call, and loading the compiler (YAML, zod, OpenAPI
 * dereferencing, lint) costs more than the execution itself. A result that compiled without
 * errors is kept on disk and reused while nothing it depends on changed, as babel-loader, Jest's
 * transform cache or `eslint --cache` do: the content of every file the compile read, the
 * options, the working directory (diagnostics name files relative to it), the compiler's own
 * code and its installed dependencies. A hit never loads the compiler. A miss, a corrupt entry,
 * a directory other users could write, or any file system error falls back to compiling, so the
 * cache can only cost a compile, never change a result.
 */
export interface CompileCacheOptions {
  /** @default ARAZZO_SFN_CACHE_DIR, else node_modules/.cache/arazzo-sfn under the working directory, else ~/.cache/arazzo-sfn (XDG_CACHE_HOME) */
  readonly dir?: string;
  /**
   * A compile is not stored when one of its files was modified later than this long before the
   * compile started: it may have changed while the compiler read it, and the hash taken now
   * would vouch for a result built from other bytes. Covers file systems with 1 s timestamps.
   * @default 1000
   */
  readonly mtimeMarginMs?: number;
}

const ENTRY_FORMAT = 3;

interface CacheEntry {
  readonly format: number;
  readonly inputs: readonly { readonly path: string; readonly sha256: string }[];
  readonly result: CompileResult;
}

export function defaultCacheDir(): string {
  if (process.env.ARAZZO_SFN_CACHE_DIR) return resolve(process.env.ARAZZO_SFN_CACHE_DIR);
  const modules = resolve('node_modules');
  if (existsSync(modules)) return join(modules, '.cache', 'arazzo-sfn');
  // Per user, never a shared temp directory: an entry is a plan the runner trusts (server URLs included).
  return join(process.env.XDG_CACHE_HOME ? resolve(process.env.XDG_CACHE_HOME) : join(homedir(), '.cache'), 'arazzo-sfn');
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/**
 * Whether a cache directory or entry is this user's alone to write: another user able to plant
 * an entry could point a trusted plan's server URL at their own host.
 */
async function ownedPrivately(path: string): Promise<boolean> {
  const s = await lstat(path);
  if (s.isSymbolicLink()) return false;
  if (typeof process.getuid === 'function' && s.uid !== process.getuid()) return false;
  return (s.mode & 0o022) === 0;
}

// The code that decides what a compile produces. From the sources or tsc's output: the contents of
// the compiler and of the runtime modules it imports (expressions, criteria, plan shapes), and
// npm's record of the installed packages (yaml, zod, the $ref parser... are part of the
// compiler too). In the bundle, where dependencies are inlined: the chunk names, which esbuild
// derives from their contents, and the entry.
declare const __ARAZZO_SFN_BUNDLE__: boolean | undefined;
const HERE = dirname(fileURLToPath(import.meta.url));
const BUNDLED = typeof __ARAZZO_SFN_BUNDLE__ !== 'undefined' && __ARAZZO_SFN_BUNDLE__;

let fingerprint: string | undefined;

// What each package manager writes into node_modules on every install (npm, pnpm, yarn berry, yarn classic).
const INSTALL_RECORDS = ['.package-lock.json', '.modules.yaml', '.yarn-state.yml', '.yarn-integrity'];

/** A hash of the install record of the nearest node_modules; without one the compiler's dependencies are unknown, and nothing is cached. */
function installedPackages(from: string): string {
  const record = findUp(from, INSTALL_RECORDS.map((name) => join('node_modules', name)));
  if (!record) throw new Error('no install record of node_modules found: the compile cache stays off');
  return sha256(readFileSync(record));
}

// Synchronous on purpose: fs.promises.readdir({ recursive }) alone takes ~35 ms for these trees; this walk ~2 ms.
function codeFingerprint(): string {
  const hash = createHash('sha256');
  const walk = (dir: string, contents: boolean) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path, contents);
      else if (/\.[cm]?[jt]s$/.test(entry.name) && !entry.name.endsWith('.d.ts')) {
        hash.update(`${path}\u0000${contents ? sha256(readFileSync(path)) : ''}\n`);
      }
    }
  };
  if (BUNDLED) {
    walk(HERE, false);
    hash.update(sha256(readFileSync(join(HERE, 'main.js'))));
  } else {
    walk(join(HERE, '..', 'compiler'), true);
    walk(join(HERE, '..', 'core'), true);
    walk(join(HERE, '..', 'functions', 'runtime'), true);
    hash.update(`packages\u0000${installedPackages(HERE)}`);
  }
  return hash.digest('hex');
}

async function readEntry(path: string): Promise<CompileResult | undefined> {
  let entry: CacheEntry;
  try {
    if (!(await ownedPrivately(path))) return undefined;
    entry = JSON.parse(await readFile(path, 'utf8')) as CacheEntry;
  } catch {
    return undefined;
  }
  if (entry?.format !== ENTRY_FORMAT || !Array.isArray(entry.inputs) || entry.inputs.length === 0 || !entry.result) return undefined;
  for (const input of entry.inputs) {
    try {
      if (sha256(await readFile(input.path)) !== input.sha256) return undefined;
    } catch {
      return undefined;
    }
  }
  return entry.result;
}

async function writeEntry(dir: string, path: string, result: CompileResult, notModifiedAfter: number): Promise<void> {
  const inputs = [];
  for (const p of result.inputs) {
    const before = await stat(p);
    const content = await readFile(p);
    // Whole milliseconds, as Date.now() counts them: a write in the millisecond the compile started counts as before it.
    if (Math.floor(before.mtimeMs) > notModifiedAfter || (await stat(p)).mtimeMs !== before.mtimeMs) return;
    inputs.push({ path: p, sha256: sha256(content) });
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (!(await ownedPrivately(dir))) return;
  const entry: CacheEntry = { format: ENTRY_FORMAT, inputs, result };
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temp, JSON.stringify(entry), { mode: 0o600, flag: 'wx' });
    // A concurrent reader sees the old entry or the new one, never half of one.
    await rename(temp, path);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
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
  let path: string | undefined;
  try {
    fingerprint ??= codeFingerprint();
    const key = sha256(JSON.stringify([ENTRY_FORMAT, fingerprint, process.cwd(), resolve(file), options]));
    path = join(dir, `${key}.json`);
    if (await ownedPrivately(dir).catch(() => false)) {
      const cached = await readEntry(path);
      if (cached) return { result: cached, hit: true };
    }
  } catch {
    path = undefined;
  }
  const startedAt = Date.now();
  const { compileFile } = await import('../compiler/compile-file.js');
  const result = await compileFile(file, options);
  if (path && !hasErrors(result.diagnostics) && result.inputs.length) {
    // Best effort: a read-only checkout still runs, it just compiles every time.
    await writeEntry(dir, path, result, startedAt - (cache.mtimeMarginMs ?? 1000)).catch(() => undefined);
  }
  return { result, hit: false };
}
