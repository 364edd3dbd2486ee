import type { Table } from './table.js';

export interface BenchContext {
  readonly root: string;
  /** In-process runs thrown away before sampling, so the code measured is the optimised code. */
  readonly warmup: number;
  /** In-process samples per measurement (after warm-up). */
  readonly samples: number;
  /** Fresh-process samples per measurement: each costs a whole process start. */
  readonly coldSamples: number;
  /** Progress for the person waiting; goes to stderr so stdout holds only results. */
  progress(message: string): void;
}

export interface BenchReport {
  readonly tables: readonly Table[];
  /** One line per measured subject: the verdict against the goal the benchmark checks. */
  readonly verdicts?: readonly string[];
  readonly notes?: readonly string[];
}

export interface Benchmark {
  /** The name given on the command line (`npm run bench -- <name>`) and the results.md section key. */
  readonly name: string;
  readonly title: string;
  /** One paragraph for results.md: what is measured against which baseline. */
  readonly summary: string;
  run(ctx: BenchContext): Promise<BenchReport>;
}

/**
 * Thrown by a benchmark that cannot run on this machine (a tool it compares against cannot be
 * installed, say): the runner prints the reason, keeps that benchmark's previous results and
 * goes on with the others, since nothing about the code was measured.
 */
export class BenchmarkSkipped extends Error {
  override readonly name = 'BenchmarkSkipped';
}
