import { createHash } from 'node:crypto';
import { lstat, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { DiagnosticKind, Severity } from '../diagnostics/index.js';
import type { DocumentReader } from './document-reader.js';
import { formatBytes } from './load-limits.js';
import { omitExtensions } from './openapi-extensions.js';
import { displayPathOf } from './parse-yaml-source.js';
import { refsIn } from './read-ref-targets.js';
import { fetchRemote } from './remote-fetch.js';

/**
 * How a compile treats `http(s)://` source descriptions (docs/remote-sources.md):
 * - `locked` (default): the copies the lock file pins, hash-checked; a source not yet locked is fetched and locked;
 * - `update`: every remote source is fetched again and the lock rewritten (`--update-lock`);
 * - `offline`: nothing is fetched; a source that is not locked is an error (`--offline`; `cdk synth` always).
 */
export type RemoteSourceMode = 'locked' | 'update' | 'offline';

export interface RemoteSourceOptions {
  /** @default 'locked' */
  readonly remoteSources?: RemoteSourceMode;
  /** Let a fetch connect to link-local and metadata addresses (169.254.0.0/16, fe80::/10, fd00::/8). @default false */
  readonly allowPrivateFetch?: boolean;
  /** Time one fetch (redirects included) may take. @default 30000 */
  readonly fetchTimeoutMs?: number;
}

/** One fetched file, as the lock file records it. */
export interface LockEntry {
  readonly sha256: string;
  readonly size: number;
  readonly fetchedAt: string;
  /** Where the vendored copy is, relative to the lock file's folder (`/`-separated). */
  readonly path: string;
  /** The URL the answer came from, when redirects led elsewhere. */
  readonly resolvedUrl?: string;
  /** The remote files its `$ref`s (or an Arazzo document's relative sources) reach. */
  readonly refs?: readonly string[];
}

export interface LockFile {
  readonly lockfileVersion: 1;
  /** By URL as written (fragment removed). */
  readonly sources: Record<string, LockEntry>;
}

/** Folder of the vendored copies, beside the document. */
export const VENDOR_DIR = '.arazzo-sources';

/** `flows/pay.arazzo.yml` → `flows/pay.arazzo.lock.json`: one lock per document, beside it. */
export function lockPathOf(documentPath: string): string {
  const name = basename(documentPath).replace(/\.(ya?ml|json)$/i, '');
  return join(dirname(resolve(documentPath)), `${name}.lock.json`);
}

/**
 * The vendored copy of a URL, relative to the document's folder: `.arazzo-sources/<host>[_<port>]/<path>`.
 * The URL's path is kept, so a relative `$ref` between two fetched files leads, on disk, from one
 * vendored copy to the other. A query becomes a suffix of the file name; a path ending in `/` reads
 * `index`. Undefined for a path segment that cannot be a file name.
 */
export function vendoredPathOf(url: URL): string | undefined {
  const host = `${url.hostname.replace(/[[\]]/g, '').replace(/:/g, '_')}${url.port ? `_${url.port}` : ''}`;
  const segments = url.pathname.split('/').slice(1);
  if (!segments.length || segments[segments.length - 1] === '') segments[segments.length ? segments.length - 1 : 0] = 'index';
  const decoded: string[] = [];
  for (const segment of segments) {
    let name: string;
    try {
      name = decodeURIComponent(segment);
    } catch {
      return undefined;
    }
    if (name === '' || name === '.' || name === '..' || /[/\\\0]/.test(name) || name.length > 200) return undefined;
    decoded.push(name);
  }
  if (url.search) decoded[decoded.length - 1] += `@${createHash('sha256').update(url.search).digest('hex').slice(0, 12)}`;
  return [VENDOR_DIR, host, ...decoded].join('/');
}

/** `https://user:pass@host/…` → `https://***@host/…`, wherever a URL appears in `text`. */
export function redactUserinfo(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^/?#\s@]*@/gi, '$1***@');
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const bare = (url: string) => url.replace(/#.*$/, '');

/** A problem or warning about one remote source, reported at its `url` by the loader. */
export interface RemoteNote {
  readonly kind: DiagnosticKind;
  readonly severity: Severity;
  readonly message: string;
}

/**
 * The remote files that a fetched document refers to: its `$ref`s, and an Arazzo document's
 * sources, less the `arazzo` sources whose url is a document's `$self` the compile already has
 * (`known`): those resolve by identity (Arazzo 1.1 § Identity-Based Referencing), not by a fetch.
 */
function remoteRefsOf(bytes: Buffer, base: string, known: (uri: string) => boolean = () => false): { refs: string[]; problems: string[] } {
  let value: unknown;
  try {
    value = parseYaml(bytes.toString('utf8'), { maxAliasCount: 100 });
  } catch {
    // Not parsed here: the loader reads the vendored copy and reports where its YAML breaks.
    return { refs: [], problems: [] };
  }
  const written = refsIn(omitExtensions(value)).map((r) => r.ref);
  const doc = value as { arazzo?: unknown; sourceDescriptions?: { url?: unknown; type?: unknown }[] };
  if (typeof doc?.arazzo === 'string' && Array.isArray(doc.sourceDescriptions)) {
    for (const s of doc.sourceDescriptions) {
      if (typeof s?.url !== 'string') continue;
      if (s.type === 'arazzo' && URL.canParse(s.url, base) && known(bare(new URL(s.url, base).href))) continue;
      written.push(s.url);
    }
  }
  const refs = new Set<string>();
  const problems: string[] = [];
  for (const ref of written) {
    if (ref.startsWith('#')) continue;
    let target: URL;
    try {
      target = new URL(bare(ref), base);
    } catch {
      problems.push(`${base} refers to ${ref}, not a valid URL`);
      continue;
    }
    if (target.protocol !== 'http:' && target.protocol !== 'https:') {
      problems.push(`${base} refers to ${ref}, which is not http(s): a fetched document may refer only to other remote documents`);
      continue;
    }
    target.hash = '';
    refs.add(target.href);
  }
  return { refs: [...refs], problems };
}

/**
 * The remote sources of one Arazzo document: its lock file, the vendored copies beside it, and
 * (unless offline) fetches. Every file a source leads to is registered with the reader
 * (`remoteFiles`), so the loader reads the vendored copy wherever a `$ref` names the URL.
 */
export class RemoteSources {
  private readonly dir: string;
  private readonly lockPath: string;
  private readonly mode: RemoteSourceMode;
  private old?: LockFile;
  private lockProblem?: string;
  private readonly next: Record<string, LockEntry> = {};
  private changed = false;
  private loaded = false;

  constructor(
    private readonly documentPath: string,
    private readonly reader: DocumentReader,
    private readonly options: RemoteSourceOptions = {},
    /** Whether a URI is the `$self` of a document the compile has: such an `arazzo` source inside a fetched document is not fetched. */
    private readonly knownIdentity: (uri: string) => boolean = () => false,
  ) {
    this.dir = dirname(resolve(documentPath));
    this.lockPath = lockPathOf(documentPath);
    this.mode = options.remoteSources ?? 'locked';
  }

  private get command(): string {
    return `arazzo-sfn compile --update-lock ${displayPathOf(this.documentPath)}`;
  }

  private async readLock(): Promise<void> {
    if (this.loaded) return;
    this.loaded = true;
    let text: string;
    try {
      const s = await lstat(this.lockPath);
      if (!s.isFile() || s.size > this.reader.limits.maxFileBytes) {
        this.lockProblem = `${displayPathOf(this.lockPath)} is not a regular file under the size limit`;
        return;
      }
      text = await readFile(this.lockPath, 'utf8');
    } catch {
      return;
    }
    try {
      const lock = JSON.parse(text) as LockFile;
      if (lock?.lockfileVersion !== 1 || !lock.sources || typeof lock.sources !== 'object') throw new Error('shape');
      this.old = lock;
    } catch {
      this.lockProblem = `${displayPathOf(this.lockPath)} is not a lock file this compiler reads (lockfileVersion 1)`;
    }
  }

  /** The local file to load for a remote source `url`, or why there is none. Notes (warnings) may come with a file. */
  async resolve(url: string): Promise<{ file?: string; notes: RemoteNote[] }> {
    const { file, notes } = await this.resolveUnredacted(url);
    // A URL's user:password is never printed (fetchRemote refuses such URLs; the message would quote them).
    return { file, notes: notes.map((n) => ({ ...n, message: redactUserinfo(n.message) })) };
  }

  private async resolveUnredacted(url: string): Promise<{ file?: string; notes: RemoteNote[] }> {
    await this.readLock();
    const notes: RemoteNote[] = [];
    const key = bare(url);
    if (this.lockProblem) return { notes: [{ kind: 'sourceLock', severity: 'error', message: `${this.lockProblem}; fix it or delete it and run \`${this.command}\`` }] };
    if (this.mode !== 'update') {
      const verified = await this.verify(key, new Set());
      if (verified.ok) return { file: verified.file, notes };
      if (verified.mismatch) return { notes: [{ kind: 'sourceLockMismatch', severity: 'error', message: verified.mismatch }] };
      if (this.mode === 'offline') {
        const where = this.old ? `${displayPathOf(this.lockPath)} does not lock ${verified.missing}` : `there is no lock file (${displayPathOf(this.lockPath)})`;
        return { notes: [{ kind: 'sourceLock', severity: 'error', message: `${url} is not fetched when offline, and ${where}; run \`${this.command}\` with network access, then commit the lock file and ${VENDOR_DIR}/` }] };
      }
    }
    const fetched = await this.fetchTree(key, notes);
    return { file: fetched, notes };
  }

  /** Checks the vendored copies of `url` and of everything it reaches against the lock. */
  private async verify(url: string, seen: Set<string>): Promise<{ ok: true; file: string } | { ok: false; missing?: string; mismatch?: string }> {
    const entry = this.old?.sources[url];
    if (!entry || typeof entry.path !== 'string' || typeof entry.sha256 !== 'string') return { ok: false, missing: url };
    const file = resolve(this.dir, entry.path);
    if (!file.startsWith(join(this.dir, VENDOR_DIR) + sep)) return { ok: false, mismatch: `${displayPathOf(this.lockPath)} puts ${url} at ${entry.path}, outside ${VENDOR_DIR}/; run \`${this.command}\`` };
    if (!seen.has(url)) {
      seen.add(url);
      let bytes: Buffer;
      try {
        const s = await lstat(file);
        if (!s.isFile()) return { ok: false, missing: url };
        if (s.size > this.reader.limits.maxFileBytes) return { ok: false, mismatch: `${entry.path} is ${formatBytes(s.size)}, over the limit per file (--max-file-size)` };
        bytes = await readFile(file);
      } catch {
        if (this.mode === 'offline') return { ok: false, mismatch: `the vendored copy of ${url} (${entry.path}) is missing; restore it from version control, or run \`${this.command}\`` };
        return { ok: false, missing: url };
      }
      const actual = sha256(bytes);
      if (actual !== entry.sha256) {
        return {
          ok: false,
          mismatch: `the vendored copy of ${url} (${entry.path}) does not match the lock (sha256 ${actual.slice(0, 12)}…, locked ${entry.sha256.slice(0, 12)}…); restore it from version control, or run \`${this.command}\` to fetch it again and review the change`,
        };
      }
      for (const ref of entry.refs ?? []) {
        const inner = await this.verify(ref, seen);
        if (!inner.ok) return inner;
      }
      this.register(url, entry, file);
    }
    return { ok: true, file };
  }

  private register(url: string, entry: LockEntry, file: string): void {
    this.next[url] = entry;
    this.reader.remoteFiles.set(url, file);
    if (entry.resolvedUrl) this.reader.remoteFiles.set(entry.resolvedUrl, file);
    this.reader.remoteOrigins.set(file, entry.resolvedUrl ?? url);
  }

  /** Fetches `url` and every remote file it refers to, writes the vendored copies, and returns the root's copy. */
  private async fetchTree(root: string, notes: RemoteNote[]): Promise<string | undefined> {
    const queue = [root];
    const seen = new Set<string>(queue);
    let total = 0;
    const timeoutMs = this.options.fetchTimeoutMs ?? 30_000;
    const fail = (message: string, refused = false) => {
      notes.push({ kind: refused ? 'remoteRefused' : 'remoteFetch', severity: 'error', message });
      return undefined;
    };
    const done: { url: string; entry: LockEntry; bytes: Buffer; file: string }[] = [];
    while (queue.length) {
      const url = queue.shift()!;
      const late = this.reader.overtime();
      if (late) return fail(`${url} not fetched: ${late}`);
      const outcome = await fetchRemote(url, { maxFileBytes: this.reader.limits.maxFileBytes, timeoutMs: Math.min(timeoutMs, this.reader.remainingMs()), allowPrivate: this.options.allowPrivateFetch });
      if (outcome.problem !== undefined) return fail(url === root ? `cannot fetch ${url}: ${outcome.problem}` : `cannot fetch ${url} (a $ref of ${root}): ${outcome.problem}`, outcome.refused);
      total += outcome.bytes.length;
      if (total > this.reader.limits.maxTotalBytes) return fail(`the files ${root} leads to total over ${formatBytes(this.reader.limits.maxTotalBytes)} (--max-total-size)`);
      const finalUrl = new URL(outcome.finalUrl);
      const path = vendoredPathOf(finalUrl);
      if (!path) return fail(`${outcome.finalUrl} has a path that cannot be a file name`);
      const { refs, problems } = remoteRefsOf(outcome.bytes, outcome.finalUrl, this.knownIdentity);
      if (problems.length) return fail(problems[0]);
      for (const ref of refs) {
        if (seen.has(ref)) continue;
        seen.add(ref);
        queue.push(ref);
      }
      const entry: LockEntry = {
        sha256: sha256(outcome.bytes),
        size: outcome.bytes.length,
        fetchedAt: new Date().toISOString(),
        path,
        ...(outcome.finalUrl !== url ? { resolvedUrl: outcome.finalUrl } : {}),
        ...(refs.length ? { refs } : {}),
      };
      const locked = this.old?.sources[url];
      if (locked && locked.sha256 !== entry.sha256) {
        notes.push(
          this.mode === 'update'
            ? { kind: 'remoteChanged', severity: 'warning', message: `${url} changed since it was locked (sha256 ${locked.sha256.slice(0, 12)}… → ${entry.sha256.slice(0, 12)}…); the lock and the vendored copy now hold the new version: review the diff before committing` }
            : { kind: 'sourceLockMismatch', severity: 'error', message: `${url} changed since it was locked (sha256 ${locked.sha256.slice(0, 12)}… → ${entry.sha256.slice(0, 12)}…) and its vendored copy is missing; restore ${locked.path} from version control, or run \`${this.command}\` to accept the new version` },
        );
        if (this.mode !== 'update') return undefined;
      }
      done.push({ url, entry, bytes: outcome.bytes, file: resolve(this.dir, path) });
    }
    for (const { url, entry, bytes, file } of done) {
      await mkdir(dirname(file), { recursive: true });
      await writeFile(`${file}.tmp`, bytes);
      await rename(`${file}.tmp`, file);
      this.register(url, entry, file);
    }
    this.changed = true;
    return resolve(this.dir, done[0].entry.path);
  }

  /**
   * Writes the lock when something was fetched: every source the document uses now, and (unless
   * updating) what the old lock held besides. Returns its path, or undefined when unchanged.
   */
  async save(): Promise<string | undefined> {
    if (!this.changed) return undefined;
    const sources = { ...(this.mode === 'update' ? {} : this.old?.sources), ...this.next };
    const sorted = Object.fromEntries(Object.keys(sources).sort().map((k) => [k, sources[k]]));
    const lock: LockFile = { lockfileVersion: 1, sources: sorted };
    await writeFile(`${this.lockPath}.tmp`, `${JSON.stringify(lock, null, 2)}\n`);
    await rename(`${this.lockPath}.tmp`, this.lockPath);
    return this.lockPath;
  }
}
