/**
 * The hostile-input suite's harness: every hostile case runs in a child process of its own on the
 * pinned Node 22, with a V8 heap limit (`--max-old-space-size`), a resident-memory kill limit and a
 * wall-time kill limit. A case that hangs or balloons is killed and reported as such, so it fails
 * its test instead of taking the test runner down with it.
 *
 * The limits are generous kill limits (DESIGN: "never tight timings"): they catch a hang or an
 * unbounded allocation, not a slow machine. Measured figures belong in the bench.
 *
 * Typical use (see test/hostile/documents.test.ts):
 *
 *   const cli = await buildCli();                        // once per test file (beforeAll)
 *   const r = await runCliBounded(cli, ['validate', file], { timeoutMs: 20_000, maxOldSpaceMb: 256 });
 *   expectCleanRefusal(r, { error: /ASFN1003/, secrets: ['s3cr3t'] });
 *   await cli.remove();                                  // afterAll
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { bundleCli } from '../../../cli/bundle-cli.js';

/** The checkout's root. */
export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** The pinned Node 22 (the `node@22` devDependency), whatever Node runs the test runner. */
export const PINNED_NODE = existsSync(join(ROOT, 'node_modules', '.bin', 'node')) ? join(ROOT, 'node_modules', '.bin', 'node') : process.execPath;

export interface Bounds {
  /** Wall-time kill limit: the child (and its process group) gets SIGKILL after this long. */
  readonly timeoutMs: number;
  /** V8 heap limit passed as `--max-old-space-size` (MiB): past it V8 aborts the child. */
  readonly maxOldSpaceMb: number;
  /**
   * Resident-memory kill limit (MiB), sampled from /proc every 50 ms: catches memory outside the
   * V8 heap (Buffers, native allocations) that `--max-old-space-size` does not bound.
   * @default maxOldSpaceMb + 512
   */
  readonly maxRssMb?: number;
}

export interface BoundedRunOptions extends Bounds {
  /** What follows `node <flags>`: the script and its arguments. */
  readonly args: readonly string[];
  /** Extra Node flags (placed before the script). */
  readonly nodeFlags?: readonly string[];
  /** @default ROOT */
  readonly cwd?: string;
  /** Added to the test runner's environment. */
  readonly env?: NodeJS.ProcessEnv;
  /** Written to the child's stdin, then closed; without it stdin is /dev/null. */
  readonly stdin?: string;
  /**
   * Output kept per stream (bytes); the rest is counted, not stored, so a child that floods its
   * output cannot exhaust the test runner's memory.
   * @default 1 MiB
   */
  readonly maxOutputBytes?: number;
}

export interface BoundedRun {
  /** Exit code, or null when a signal ended the child. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Bytes written per stream, including any not kept. */
  readonly stdoutBytes: number;
  readonly stderrBytes: number;
  /** Wall time from spawn to exit. */
  readonly elapsedMs: number;
  /** Why the harness killed the child, or false when it ended by itself. */
  readonly killed: false | 'timeout' | 'memory';
  /** Peak resident memory seen (VmHWM), MiB; undefined where /proc is not available. */
  readonly peakRssMb?: number;
}

const live = new Set<number>();
// A child must not outlive the test runner (a FIFO read that never returns, say).
process.once('exit', () => {
  for (const pid of live) killGroup(pid);
});

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

/** Peak resident set (VmHWM) of a live process in MiB, or undefined. */
function peakRssOf(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /^VmHWM:\s+(\d+) kB$/m.exec(status);
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Runs `node <flags> <args>` on the pinned Node 22 under the given kill limits. Never rejects for the child's behaviour. */
export function runBounded(options: BoundedRunOptions): Promise<BoundedRun> {
  const maxOutput = options.maxOutputBytes ?? 1024 * 1024;
  const maxRssMb = options.maxRssMb ?? options.maxOldSpaceMb + 512;
  const started = performance.now();
  const child = spawn(PINNED_NODE, [`--max-old-space-size=${options.maxOldSpaceMb}`, ...(options.nodeFlags ?? []), ...options.args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, ...options.env },
    stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    // Its own process group, so a kill reaches whatever it started.
    detached: true,
  });
  const pid = child.pid!;
  live.add(pid);
  if (options.stdin !== undefined) child.stdin!.end(options.stdin);

  const collect = (stream: NodeJS.ReadableStream) => {
    const kept: Buffer[] = [];
    let keptBytes = 0;
    const state = { total: 0, text: () => Buffer.concat(kept).toString('utf8') };
    stream.on('data', (chunk: Buffer) => {
      state.total += chunk.length;
      if (keptBytes < maxOutput) {
        const part = chunk.subarray(0, maxOutput - keptBytes);
        kept.push(part);
        keptBytes += part.length;
      }
    });
    return state;
  };
  const out = collect(child.stdout!);
  const err = collect(child.stderr!);

  let killed: BoundedRun['killed'] = false;
  let peakRssMb: number | undefined;
  const kill = (why: 'timeout' | 'memory') => {
    if (killed) return;
    killed = why;
    killGroup(pid);
  };
  const timer = setTimeout(() => kill('timeout'), options.timeoutMs);
  const sampler = setInterval(() => {
    const rss = peakRssOf(pid);
    if (rss === undefined) return;
    peakRssMb = Math.max(peakRssMb ?? 0, rss);
    if (rss > maxRssMb) kill('memory');
  }, 50);

  return new Promise((resolve, reject) => {
    child.on('error', (e) => {
      clearTimeout(timer);
      clearInterval(sampler);
      live.delete(pid);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearInterval(sampler);
      live.delete(pid);
      resolve({
        code,
        signal,
        stdout: out.text(),
        stderr: err.text(),
        stdoutBytes: out.total,
        stderrBytes: err.total,
        elapsedMs: performance.now() - started,
        killed,
        ...(peakRssMb === undefined ? {} : { peakRssMb }),
      });
    });
  });
}

/** The CLI as users run it: the esbuild bundle that `npm run build` writes to dist/bin. */
export interface BuiltCli {
  /** Path of the bundle's entry (`main.js`). */
  readonly main: string;
  /** Deletes the bundle. */
  remove(): Promise<void>;
}

/**
 * Bundles the CLI from the sources (as `npm run build` does for dist/bin), into a folder of its
 * own under node_modules/.cache so the bundle's remaining requires resolve from the checkout's
 * node_modules, and so the test never runs a stale dist/. About 3 s; call once per test file.
 */
export async function buildCli(): Promise<BuiltCli> {
  const outdir = join(ROOT, 'node_modules', '.cache', `arazzo-sfn-hostile-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  await bundleCli(outdir);
  return { main: join(outdir, 'main.js'), remove: () => rm(outdir, { recursive: true, force: true }) };
}

/** `node <cli> <args>` under the bounds; `env` adds to the environment (e.g. ARAZZO_SFN_CACHE_DIR). */
export function runCliBounded(cli: BuiltCli, args: readonly string[], bounds: Bounds & { readonly cwd?: string; readonly env?: NodeJS.ProcessEnv; readonly stdin?: string }): Promise<BoundedRun> {
  return runBounded({ ...bounds, args: [cli.main, ...args] });
}

/** A line of a V8 stack trace (`    at fn (file:1:2)`), or Node's own crash banner. */
const STACK_LINE = /^\s+at\s.+(:\d+:\d+\)?|\(native\)|<anonymous>\)?)$/m;
const CRASH_BANNER = /FATAL ERROR|internal error|node:internal|Uncaught|^\S+Error: /m;

export function hasStackTrace(text: string): boolean {
  return STACK_LINE.test(text) || CRASH_BANNER.test(text);
}

export interface CleanRefusal {
  /** What the one error line must match: a code (`ASFN1003`), a name (`Arazzo.InvalidInputs`), or a pattern. */
  readonly error: string | RegExp;
  /** Strings that must appear nowhere in the output (file contents, credentials). */
  readonly secrets?: readonly string[];
  /** @default 2 (usage or compile error) */
  readonly exitCode?: number;
}

/**
 * The shape every hostile case must have: it ended by itself within its bounds, with a non-zero
 * exit, a named error on one line, no stack trace, and none of `secrets` in its output.
 */
export function expectCleanRefusal(run: BoundedRun, expected: CleanRefusal): void {
  const output = `${run.stdout}\n${run.stderr}`;
  expect(run.killed, `killed (${run.killed}) after ${Math.round(run.elapsedMs)} ms, peak ${run.peakRssMb?.toFixed(0)} MiB\n${output.slice(0, 2000)}`).toBe(false);
  expect(run.code, output.slice(0, 2000)).toBe(expected.exitCode ?? 2);
  expect(hasStackTrace(output), output.slice(0, 2000)).toBe(false);
  const lines = output.split('\n');
  const matches = lines.filter((l) => (typeof expected.error === 'string' ? l.includes(expected.error) : expected.error.test(l)));
  expect(matches.length, `no line names ${expected.error}:\n${output.slice(0, 2000)}`).toBeGreaterThan(0);
  for (const secret of expected.secrets ?? []) expect(output.includes(secret), `output quotes ${JSON.stringify(secret)}:\n${output.slice(0, 2000)}`).toBe(false);
}
