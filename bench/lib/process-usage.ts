import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { distPath } from './paths.js';

export interface MeasuredRun {
  /** Spawn to exit. */
  readonly ms: number;
  /** Peak resident set size of the measured process, MiB. */
  readonly maxRssMiB: number;
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface MeasureOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** How peak RSS is read: GNU time's `%M` of the process itself, or the wrapper probe's own process.resourceUsage(). */
export type RssMethod = 'GNU time' | 'wrapper probe';

const GNU_TIME = '/usr/bin/time';
let method: RssMethod | undefined;

/** GNU time when it is there and speaks `-f`/`-o` (BusyBox and BSD `time` do not all), else the wrapper. */
export function rssMethod(): RssMethod {
  if (method) return method;
  method = 'wrapper probe';
  if (existsSync(GNU_TIME)) {
    const dir = mkdtempSync(join(tmpdir(), 'arazzo-sfn-bench-time-'));
    try {
      const out = join(dir, 'rss');
      const probe = spawnSync(GNU_TIME, ['-f', '%M', '-o', out, process.execPath, '-e', ''], { encoding: 'utf8' });
      if (probe.status === 0 && /^\d+\s*$/.test(readFileSync(out, 'utf8').trim().split('\n').pop() ?? '')) method = 'GNU time';
    } catch {
      // Unusable: the wrapper measures instead.
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return method;
}

/**
 * Runs a Node script in a fresh process and reports its wall time and peak RSS. Both runners the
 * benchmarks compare are Node scripts, so one measuring method serves both and the ratio is fair.
 * A non-zero exit is returned, not thrown: callers decide whether the run did the work.
 */
export function measureNodeScript(root: string, script: string, args: readonly string[], options: MeasureOptions = {}): MeasuredRun {
  const dir = mkdtempSync(join(tmpdir(), 'arazzo-sfn-bench-rss-'));
  const rssFile = join(dir, 'rss');
  try {
    const viaTime = rssMethod() === 'GNU time';
    const [command, commandArgs, env] = viaTime
      ? [GNU_TIME, ['-f', '%M', '-o', rssFile, process.execPath, script, ...args], options.env ?? process.env]
      : [process.execPath, [distPath(root, 'bench/probes/max-rss.ts'), script, ...args], { ...(options.env ?? process.env), ARAZZO_SFN_BENCH_RSS_FILE: rssFile }];
    const start = process.hrtime.bigint();
    const result = spawnSync(command, commandArgs, { cwd: options.cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (result.error) throw result.error;
    // GNU time writes "Command exited with non-zero status N" before the number when the child fails.
    const kib = Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop());
    return { ms, maxRssMiB: kib / 1024, status: result.status, stdout: result.stdout, stderr: result.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
