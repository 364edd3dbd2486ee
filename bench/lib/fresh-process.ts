import { spawnSync } from 'node:child_process';
import type { SampleOptions } from './timing.js';

export interface FreshRun {
  /** Spawn to exit, as a user at a shell waits for it. */
  readonly ms: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface FreshOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** Runs a command to completion in a new process; a non-zero exit is an error (a broken benchmark, not a slow one). */
export function runFresh(command: string, args: readonly string[], options: FreshOptions = {}): FreshRun {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd: options.cwd, env: options.env ?? process.env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(`${[command, ...args].join(' ')} exited ${result.status ?? result.signal}:\n${result.stderr.trim()}`);
  }
  return { ms, stdout: result.stdout, stderr: result.stderr };
}

/**
 * Cold-start timing: each sample is a new process, so module loading, V8 compilation and lazy
 * initialisation are paid every time. Warm-up runs only warm the OS file cache.
 */
export function timeFresh(command: string, args: readonly string[], { warmup, samples }: SampleOptions, options: FreshOptions = {}): { samples: number[]; runs: FreshRun[] } {
  for (let i = 0; i < warmup; i++) runFresh(command, args, options);
  const runs: FreshRun[] = [];
  for (let i = 0; i < samples; i++) runs.push(runFresh(command, args, options));
  return { samples: runs.map((r) => r.ms), runs };
}

/** Runs a probe script that reports its own in-process timings as one JSON object on stdout's last line. */
export function probeFresh<T>(script: string, args: readonly string[], opts: SampleOptions, options: FreshOptions = {}): { samples: number[]; reports: T[] } {
  const { samples, runs } = timeFresh(process.execPath, [script, ...args], opts, options);
  const reports = runs.map((r) => JSON.parse(r.stdout.trim().split('\n').pop() ?? 'null') as T);
  return { samples, reports };
}
