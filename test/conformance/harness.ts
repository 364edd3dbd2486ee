import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileFile, type CompileResult, type Diagnostic } from '../../compiler/index.js';
import { lockPathOf, vendoredPathOf, type LockEntry, type LockFile } from '../../compiler/load/remote-sources.js';
import { AesGcmSealer, InMemorySecretsProvider } from '../../functions/runtime/secrets/index.js';
import { startLocalCallbacks, type LocalCallbacks } from '../../local/local-callbacks.js';
import { LocalWorkflowSet } from '../../local/workflow-set.js';
import { startCafeStandIn, type CafeStandIn } from './cafe-stand-in.js';
import { SCENARIOS, startMessageProviderStandIn, type MessageProviderStandIn } from './message-provider-stand-in.js';
import { startTicTacToeStandIn, TICTACTOE_API_KEY, TICTACTOE_API_KEY_SECRET, type TicTacToeStandIn } from './tictactoe-stand-in.js';
import type { TicTacToeScenarioOverrides } from '../../sandbox/oai-examples/index.js';

/**
 * The public conformance corpus (issue 13 §6): Arazzo documents that others wrote, each pinned to
 * the outcome arazzo-sfn must give it. MANIFEST.json records, per document, where it comes from
 * (repository, path, commit, SPDX licence) and what is expected:
 *
 * - `compiles`: every workflow compiles; `warnings` lists the lint codes it gets (sorted, with repeats);
 * - `partial`: the workflows in `workflows` compile, the others are refused (per-workflow scoping);
 * - `refused`: no workflow compiles; `errors` lists the error codes and `must` names the MUST of
 *   the Arazzo (or OpenAPI) specification that the document breaks.
 *
 * An origin marked `cached` is not committed (DESIGN, corpus licences): its files are fetched into
 * the gitignored `cache/` folder by `npm run conformance:fetch` (fetch-corpus.ts), each checked
 * against the SHA-256 the manifest pins; where the cache does not hold them, its documents are
 * skipped and the table says so.
 *
 * Remote source URLs are not fetched at compile time: a document that names one is compiled from a
 * staged copy whose `url` points at the vendored stand-in listed under `standIns` (the harness
 * rewrites the staged copy only; the committed document stays as its authors wrote it).
 */

export const CONFORMANCE_DIR = dirname(fileURLToPath(import.meta.url));
export const ROOT = join(CONFORMANCE_DIR, '../..');
export const MANIFEST_FILE = join(CONFORMANCE_DIR, 'corpus/MANIFEST.json');

export type Outcome = 'compiles' | 'partial' | 'refused';

export interface Expectation {
  readonly outcome: Outcome;
  /** Workflow ids that compile (document order). */
  readonly workflows: readonly string[];
  /** Error codes, sorted, with repeats. */
  readonly errors: readonly string[];
  /** Lint warning codes, sorted, with repeats. */
  readonly warnings: readonly string[];
}

export interface CorpusDocument {
  /** Path from the repository root. */
  readonly file: string;
  /** Key into `origins`. */
  readonly origin: string;
  /** Path in the origin repository. */
  readonly path: string;
  readonly expected: Expectation & {
    /** For `refused` and `partial`: the MUST the document breaks, in the specification's words. */
    readonly must?: string;
    /** For `refused`: why its sources cannot be read as published (a file it names is not there, a host that serves nothing), when it breaks no MUST. */
    readonly unreadable?: string;
    /** For `refused` and `partial`: the rule of arazzo-sfn (not of the specification) that refuses it, for an extension the specification does not define. */
    readonly policy?: string;
  };
  readonly note?: string;
  /**
   * The document is not the published file but a reconstruction of it (when no whole copy could
   * be had): what was kept verbatim, from where, and what was completed. The file itself opens
   * with a `# RECONSTRUCTION` comment that says which of its lines are which.
   */
  readonly reconstructed?: string;
  /**
   * The document is an example inside a Markdown file (`file`, `path`): the first ```yaml block
   * after the heading of this text. It is compiled from `<file>.<heading-slug>.arazzo.yaml`, staged
   * beside the Markdown file, and its remote sources that have a stand-in are locked to it
   * (a lock file and `.arazzo-sources/` copies, docs/remote-sources.md), since a `$self` base URI
   * would resolve a rewritten relative URL against the document's own host.
   */
  readonly extract?: string;
  /**
   * Edits that make a refused document compile, applied to a staged copy of its folder (never to
   * the document as published): this entry pins the repaired document, and its runs run it. The
   * same document is pinned as published in an entry of its own.
   */
  readonly repairs?: readonly Repair[];
  /** Runs on the embedded engine against a loopback stand-in (`standIn`), every source served by it. */
  readonly runs?: readonly RunCase[];
}

export interface Repair {
  /** File to edit, relative to the document's folder. */
  readonly file: string;
  /** Text that occurs exactly once in it, and what replaces it. */
  readonly find: string;
  readonly replace: string;
  /** The field of the specification the published text breaks. */
  readonly why: string;
}

export interface RunOutcome {
  readonly status: string;
  /** The Fail state's error name, when it failed. */
  readonly error?: string;
  /** The execution's output (the workflow outputs). */
  readonly output?: unknown;
  /** `METHOD /path status` of each request the stand-in answered, in order. */
  readonly calls: readonly string[];
}

export interface RunCase {
  /**
   * The loopback test double that serves every source description: `cafe` (cafe-stand-in.ts),
   * a scenario of message-provider-stand-in.ts, which also sends messages to the local receiver,
   * or `tictactoe` (tictactoe-stand-in.ts: the Tic Tac Toe sandbox, whose game service consumes
   * and publishes on the run's embedded broker; the run's `secret:learn.openapis.org/tictactoe-api-key`
   * holds its api key).
   * @default 'cafe'
   */
  readonly standIn?: 'cafe' | keyof typeof SCENARIOS | 'tictactoe';
  /** For the `tictactoe` stand-in: its game service's scenario during this run (else its defaults). */
  readonly gameScenario?: TicTacToeScenarioOverrides;
  /**
   * Compare `calls` sorted: steps in Parallel branches (Arazzo 1.1 `dependsOn`) reach the stand-in
   * in an order that varies from run to run.
   */
  readonly callsInAnyOrder?: boolean;
  readonly workflowId: string;
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly expected: RunOutcome;
}

export interface Origin {
  readonly repo: string;
  readonly commit: string;
  /** SPDX identifier. */
  readonly license: string;
  /** Licence text (and NOTICE), from the repository root. */
  readonly licenseFiles: readonly string[];
  /** Folder (from the repository root) the origin's files sit in, with their upstream layout. */
  readonly folder: string;
  /**
   * Not committed: upstream path → SHA-256 of each file the documents need, fetched into `folder`
   * (under the gitignored test/conformance/cache/) by fetch-corpus.ts.
   */
  readonly cached?: Readonly<Record<string, string>>;
}

export interface Manifest {
  readonly origins: Readonly<Record<string, Origin>>;
  /** Remote URL → vendored file (from the repository root) compiled in its place. */
  readonly standIns: Readonly<Record<string, { readonly file: string; readonly note: string }>>;
  readonly documents: readonly CorpusDocument[];
}

export interface ConformanceRow {
  readonly document: CorpusDocument;
  /** Why the document was not compiled (its cached origin is not in the cache), when it was not. */
  readonly skipped?: string;
  readonly got: Expectation;
  readonly pass: boolean;
  /** What each of the document's runs gave, in order. */
  readonly runs: readonly RunOutcome[];
  /** Every error, `CODE pointer message`, for reading a failure. */
  readonly details: readonly string[];
}

export async function readManifest(): Promise<Manifest> {
  return JSON.parse(await readFile(MANIFEST_FILE, 'utf8')) as Manifest;
}

const sorted = (codes: readonly string[]) => [...codes].sort();

/** What a compile gave, in the terms a document's expectation is written in. */
export function outcomeOf(result: CompileResult): Expectation {
  const errors = result.diagnostics.filter((d: Diagnostic) => d.severity === 'error').map((d) => d.code);
  const warnings = result.diagnostics.filter((d: Diagnostic) => d.severity === 'warning').map((d) => d.code);
  const own = result.status.filter((s) => s.source === undefined);
  const workflows = own.filter((s) => s.compiled).map((s) => s.workflowId);
  const outcome: Outcome = errors.length === 0 ? 'compiles' : workflows.length > 0 ? 'partial' : 'refused';
  return { outcome, workflows, errors: sorted(errors), warnings: sorted(warnings) };
}

const same = (a: Expectation, b: Expectation) =>
  a.outcome === b.outcome &&
  JSON.stringify(a.workflows) === JSON.stringify(b.workflows) &&
  JSON.stringify(a.errors) === JSON.stringify(b.errors) &&
  JSON.stringify(a.warnings) === JSON.stringify(b.warnings);

async function filesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/**
 * Why a cached origin cannot be compiled from the cache (a file missing, or not the pinned bytes),
 * or undefined when every file it pins is there.
 */
export async function cacheGap(origin: Origin): Promise<string | undefined> {
  for (const [path, digest] of Object.entries(origin.cached ?? {})) {
    const file = join(ROOT, origin.folder, path);
    if (!existsSync(file)) return `not in the cache (${path}); npm run conformance:fetch fetches it`;
    if (sha256(await readFile(file)) !== digest) return `${path} in the cache is not the pinned file (SHA-256 differs)`;
  }
  return undefined;
}

/**
 * Copies each origin's folder into a temporary directory, with every remote URL that has a
 * stand-in replaced (in YAML and JSON documents) by the stand-in's path relative to the file.
 */
async function stage(manifest: Manifest): Promise<{ root: string; close: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'arazzo-sfn-conformance-'));
  const folders = [...new Set(Object.values(manifest.origins).map((o) => o.folder))].filter((f) => existsSync(join(ROOT, f)));
  const standInFolders = Object.values(manifest.standIns)
    .map((s) => dirname(s.file))
    .filter((f) => existsSync(join(ROOT, f)));
  for (const folder of [...folders, ...standInFolders]) await cp(join(ROOT, folder), join(root, folder), { recursive: true, force: true });
  const urls = Object.entries(manifest.standIns);
  for (const folder of folders) {
    for (const file of await filesUnder(join(root, folder))) {
      if (!/\.(ya?ml|json)$/.test(file)) continue;
      const text = await readFile(file, 'utf8');
      let changed = text;
      for (const [url, standIn] of urls) {
        const target = relative(dirname(file), join(root, standIn.file)).split(sep).join('/');
        changed = changed.replaceAll(url, target.startsWith('.') ? target : `./${target}`);
      }
      if (changed !== text) await writeFile(file, changed);
    }
  }
  return { root, close: () => rm(root, { recursive: true, force: true }) };
}

const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/** Writes the first ```yaml block after the heading `heading` of a Markdown file beside it; returns its path, or why not. */
async function extractExample(markdown: string, heading: string): Promise<{ file: string } | { error: string }> {
  const lines = (await readFile(markdown, 'utf8')).split('\n');
  const at = lines.findIndex((l) => /^#+\s/.test(l) && l.replace(/^#+\s+/, '').trim() === heading);
  const open = lines.findIndex((l, i) => i > at && /^```ya?ml\s*$/.test(l));
  const close = lines.findIndex((l, i) => i > open && /^```\s*$/.test(l));
  if (at < 0 || open < 0 || close < 0) return { error: `no yaml block after the heading "${heading}" in ${basename(markdown)}` };
  const file = `${markdown}.${slug(heading)}.arazzo.yaml`;
  await writeFile(file, lines.slice(open + 1, close).join('\n') + '\n');
  return { file };
}

/** Locks every remote URL of the document that has a stand-in to a vendored copy of the stand-in, beside it. */
async function lockStandIns(file: string, standIns: Manifest['standIns'], root: string): Promise<void> {
  const text = await readFile(file, 'utf8');
  const sources: Record<string, LockEntry> = {};
  for (const [url, standIn] of Object.entries(standIns)) {
    const vendored = text.includes(url) ? vendoredPathOf(new URL(url)) : undefined;
    if (!vendored) continue;
    const bytes = await readFile(join(root, standIn.file));
    await mkdir(dirname(join(dirname(file), vendored)), { recursive: true });
    await writeFile(join(dirname(file), vendored), bytes);
    sources[url] = { sha256: sha256(bytes), size: bytes.length, fetchedAt: new Date(0).toISOString(), path: vendored };
  }
  await writeFile(lockPathOf(file), JSON.stringify({ lockfileVersion: 1, sources } satisfies LockFile));
}

/**
 * Copies the folder of a document into a sibling folder (so its relative URLs still resolve) and
 * applies its repairs there; returns the repaired document's path, or the reason a repair did not apply.
 */
async function repair(file: string, repairs: readonly Repair[], n: number): Promise<{ file: string } | { error: string }> {
  const folder = `${dirname(file)}~repaired-${n}`;
  await cp(dirname(file), folder, { recursive: true });
  for (const r of repairs) {
    const target = join(folder, r.file);
    const text = await readFile(target, 'utf8');
    const count = text.split(r.find).length - 1;
    if (count !== 1) return { error: `repair of ${r.file} does not apply: its text occurs ${count} times` };
    await writeFile(
      target,
      text.replace(r.find, () => r.replace),
    );
  }
  return { file: join(folder, basename(file)) };
}

interface RunTarget {
  readonly standIn: CafeStandIn;
  /** The local receiver, for runs whose receive steps wait for the stand-in's messages. */
  readonly receiver?: LocalCallbacks;
  /** The receiver's, when there is one: the run and the receiver share them as a deployment does. */
  readonly sealer: AesGcmSealer;
  readonly secrets: InMemorySecretsProvider;
}

/** The file to compile for a document: extracted from its Markdown file, repaired, its stand-ins locked, as the entry says. */
async function prepare(document: CorpusDocument, root: string, manifest: Manifest, n: number): Promise<{ file: string } | { error: string }> {
  let prepared: { file: string } | { error: string } = { file: join(root, document.file) };
  if (document.extract) prepared = await extractExample(prepared.file, document.extract);
  if (document.repairs && 'file' in prepared) prepared = await repair(prepared.file, document.repairs, n);
  if (document.extract && 'file' in prepared) await lockStandIns(prepared.file, manifest.standIns, root);
  return prepared;
}

/** The loopback test doubles runs use, started on first use. */
class StandIns {
  private cafe?: Promise<CafeStandIn>;
  private receiver?: Promise<LocalCallbacks>;
  private readonly providers = new Map<string, Promise<MessageProviderStandIn>>();
  private tictactoe?: Promise<TicTacToeStandIn>;
  readonly secrets = new InMemorySecretsProvider();
  readonly sealer = new AesGcmSealer();

  async forRun(run: RunCase): Promise<RunTarget> {
    if (run.standIn === 'tictactoe') {
      this.receiver ??= startLocalCallbacks({ sealer: this.sealer, secrets: this.secrets });
      const receiver = await this.receiver;
      this.secrets.set(TICTACTOE_API_KEY_SECRET, TICTACTOE_API_KEY);
      this.tictactoe ??= startTicTacToeStandIn(receiver.broker);
      const standIn = await this.tictactoe;
      standIn.useScenario(run.gameScenario);
      return { standIn, receiver, sealer: this.sealer, secrets: this.secrets };
    }
    if (run.standIn && run.standIn !== 'cafe') {
      const scenario = SCENARIOS[run.standIn];
      this.receiver ??= startLocalCallbacks({ sealer: this.sealer, secrets: this.secrets });
      if (!this.providers.has(run.standIn)) this.providers.set(run.standIn, startMessageProviderStandIn(scenario));
      const [receiver, standIn] = await Promise.all([this.receiver, this.providers.get(run.standIn)!]);
      standIn.messageUrl = receiver.messageUrl(scenario.source, scenario.channel);
      return { standIn, receiver, sealer: this.sealer, secrets: this.secrets };
    }
    this.cafe ??= startCafeStandIn();
    return { standIn: await this.cafe, sealer: new AesGcmSealer(), secrets: new InMemorySecretsProvider() };
  }

  async close(): Promise<void> {
    await (await this.cafe)?.close();
    for (const provider of this.providers.values()) await (await provider).close();
    await (await this.tictactoe)?.close();
    await (await this.receiver)?.close();
  }
}

/** Compiles every corpus document (from a staged copy) and compares it with its pinned outcome. */
export async function runConformance(manifest?: Manifest): Promise<ConformanceRow[]> {
  const m = manifest ?? (await readManifest());
  const staged = await stage(m);
  const standIns = new StandIns();
  try {
    const rows: ConformanceRow[] = [];
    const gaps = new Map<string, string | undefined>();
    for (const [name, origin] of Object.entries(m.origins)) gaps.set(name, origin.cached ? await cacheGap(origin) : undefined);
    for (const document of m.documents) {
      const skipped = gaps.get(document.origin);
      if (skipped) {
        rows.push({ document, skipped, got: document.expected, pass: true, runs: [], details: [] });
        continue;
      }
      const prepared = await prepare(document, staged.root, m, rows.length);
      if ('error' in prepared) {
        rows.push({ document, got: { outcome: 'refused', workflows: [], errors: [], warnings: [] }, pass: false, runs: [], details: [prepared.error] });
        continue;
      }
      const { file } = prepared;
      // Offline: the corpus never reaches the internet; a remote URL without a stand-in has no lock (ASFN1027).
      const result = await compileFile(file, { validateAsl: true, remoteSources: 'offline' });
      const got = outcomeOf(result);
      const details = result.diagnostics
        .filter((d) => d.severity === 'error')
        .map((d) => `${d.code} ${d.pointer} ${d.message.replaceAll(staged.root + sep, '')}`);
      const runs: RunOutcome[] = [];
      for (const run of document.runs ?? []) runs.push(await runCase(result, run, await standIns.forRun(run)));
      const runsPass = (document.runs ?? []).every((r, i) => JSON.stringify(r.expected) === JSON.stringify(runs[i]));
      rows.push({ document, got, pass: same(document.expected, got) && runsPass, runs, details });
    }
    return rows;
  } finally {
    await standIns.close();
    await staged.close();
  }
}

/** `ASFN1009×3,ASFN1011`: sorted codes, repeats counted. */
const countCodes = (codes: readonly string[]) =>
  [...new Set(codes)]
    .map((c) => {
      const n = codes.filter((x) => x === c).length;
      return n > 1 ? `${c}×${n}` : c;
    })
    .join(',');

/**
 * Runs one case on the embedded engine, every source description served by the stand-in, waits
 * shortened to 1 ms; receive steps wait on the local receiver (the same receiver code as on AWS).
 */
async function runCase(result: CompileResult, run: RunCase, { standIn, receiver, sealer, secrets }: RunTarget): Promise<RunOutcome> {
  const set = new LocalWorkflowSet(result);
  const serverUrls = Object.fromEntries(set.all.flatMap((w) => w.plan.sources.map((s) => [s.name, standIn.url])));
  const before = standIn.log.length;
  const execution = await set.run(run.workflowId, run.inputs, {
    // Send steps publish on the receiver's embedded broker, where a stand-in's consumer takes them.
    runtime: { secrets, sealer, serverUrls, ...(receiver ? { messages: receiver.broker } : {}) },
    waitMs: 1,
    retryIntervalMs: 1,
    timeoutMs: 60_000,
    ...(receiver ? { callbacks: { local: receiver } } : {}),
  });
  return {
    status: execution.status,
    ...(execution.error ? { error: execution.error } : {}),
    ...(execution.output !== undefined ? { output: execution.output } : {}),
    calls: run.callsInAnyOrder ? standIn.log.slice(before).sort() : standIn.log.slice(before),
  };
}

const describe = (e: Expectation) => {
  const parts: string[] = [e.outcome];
  if (e.outcome !== 'compiles') parts.push(countCodes(e.errors));
  if (e.outcome === 'partial') parts.push(`(${e.workflows.length} compile)`);
  if (e.warnings.length) parts.push(`warn ${countCodes(e.warnings)}`);
  return parts.join(' ');
};

/** The table `npm run conformance` prints: document, expected, got; then the totals. */
export function formatTable(rows: readonly ConformanceRow[]): string {
  const lines = rows.map((r) => [
    r.skipped ? 'skip' : r.pass ? 'ok  ' : 'FAIL',
    r.document.file.replace(/^test\/(conformance\/(corpus|cache)|fixtures)\//, '') +
      (r.document.extract ? ` § ${r.document.extract}` : '') +
      (r.document.repairs ? ' (repaired)' : ''),
    describe(r.document.expected),
    r.skipped ? 'skipped' : describe(r.got),
  ]);
  const widths = [4, ...[1, 2, 3].map((i) => Math.max(...lines.map((l) => l[i].length), 8))];
  const header = ['', 'document', 'expected', 'got'];
  const fmt = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  const compiled = rows.filter((r) => !r.skipped);
  const count = (o: Outcome) => compiled.filter((r) => r.got.outcome === o).length;
  const failed = rows.filter((r) => !r.pass);
  const skipped = rows.filter((r) => r.skipped);
  const skippedOrigins = [...new Set(skipped.map((r) => `${r.document.origin}: ${r.skipped}`))];
  const cases = compiled.flatMap((r) => (r.document.runs ?? []).map((c, i) => JSON.stringify(c.expected) === JSON.stringify(r.runs[i])));
  return [
    fmt(header),
    ...lines.map(fmt),
    '',
    `${compiled.length} documents: ${count('compiles')} compile, ${count('partial')} compile in part, ${count('refused')} refused; ${compiled.length - failed.length} as pinned, ${failed.length} differ; ${cases.length} runs on the engine, ${cases.filter(Boolean).length} with their expected outputs`,
    ...(skipped.length ? [`${skipped.length} documents skipped: ${skippedOrigins.join('; ')}`] : []),
    ...failed.flatMap((r) => [
      `  ${r.document.file}: expected ${JSON.stringify(r.document.expected)}`,
      `    got ${JSON.stringify(r.got)}`,
      ...(r.runs.length ? [`    runs ${JSON.stringify(r.runs)}`] : []),
      ...r.details.map((d) => `    ${d}`),
    ]),
  ].join('\n');
}
