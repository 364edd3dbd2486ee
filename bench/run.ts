/**
 * Benchmark entry: `npm run bench` runs every benchmark, `npm run bench -- compile` the named ones.
 * Results go to stdout and into bench/results.md (one section per benchmark, replaced on re-run).
 */
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { bundleBenchmark } from './bundle.js';
import { compileBenchmark } from './compile.js';
import { costBenchmark } from './cost.js';
import { parallelBenchmark } from './parallel.js';
import { respectBenchmark } from './respect.js';
import { signingBenchmark } from './signing.js';
import { throughputBenchmark } from './throughput.js';
import { BenchmarkSkipped, type BenchContext, type BenchReport, type Benchmark } from './lib/benchmark.js';
import { describeMachine, formatMachine } from './lib/machine.js';
import { repoRoot } from './lib/paths.js';
import { writeSection } from './lib/results.js';
import { renderMarkdown, renderText } from './lib/table.js';

/** Every benchmark, in the order `npm run bench` runs them; new ones register here. */
const BENCHMARKS: readonly Benchmark[] = [compileBenchmark, bundleBenchmark, respectBenchmark, throughputBenchmark, signingBenchmark, costBenchmark, parallelBenchmark];

const usage = `Usage: npm run bench -- [<benchmark>...] [--samples N] [--warmup N] [--cold-samples N] [--no-write]

Benchmarks: ${BENCHMARKS.map((b) => `${b.name} (${b.title})`).join(', ')}
Without names, runs them all. Results are printed and written to bench/results.md unless --no-write.`;

function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new Error(`--${name} expects a positive whole number, got "${value}"`);
  return Number(value);
}

function markdownSection(benchmark: Benchmark, report: BenchReport, machine: string, ctx: BenchContext, loadAtEnd: number): string {
  return [
    `## ${benchmark.name} — ${benchmark.title}`,
    '',
    benchmark.summary,
    '',
    `_${machine} · load ${loadAtEnd.toFixed(1)} at the end of this benchmark · warm-up ${ctx.warmup}, ${ctx.samples} samples, ${ctx.coldSamples} cold samples_`,
    '',
    ...report.tables.flatMap((t) => [renderMarkdown(t), '']),
    ...(report.verdicts?.length ? ['**Verdicts**', '', ...report.verdicts.map((v) => `- ${v}`), ''] : []),
    ...(report.notes?.length ? ['**Notes**', '', ...report.notes.map((n) => `- ${n}`), ''] : []),
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      samples: { type: 'string' },
      warmup: { type: 'string' },
      'cold-samples': { type: 'string' },
      'no-write': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(usage + '\n');
    return 0;
  }
  const unknown = positionals.filter((n) => !BENCHMARKS.some((b) => b.name === n));
  if (unknown.length) {
    process.stderr.write(`unknown benchmark: ${unknown.join(', ')}\n\n${usage}\n`);
    return 2;
  }
  const selected = positionals.length ? BENCHMARKS.filter((b) => positionals.includes(b.name)) : BENCHMARKS;

  const root = repoRoot();
  // Paths in diagnostics and in the CLI runs are relative to the repository, whatever the caller's cwd.
  process.chdir(root);
  const ctx: BenchContext = {
    root,
    warmup: positiveInt('warmup', values.warmup, 20),
    samples: positiveInt('samples', values.samples, 50),
    coldSamples: positiveInt('cold-samples', values['cold-samples'], 10),
    progress: (message) => process.stderr.write(`… ${message}\n`),
  };
  const machine = formatMachine(describeMachine(root));
  process.stdout.write(`${machine}\n`);

  let failed = 0;
  let skipped = 0;
  let written = 0;
  for (const benchmark of selected) {
    process.stdout.write(`\n━━━ ${benchmark.name}: ${benchmark.title} ━━━\n`);
    let report: BenchReport;
    try {
      report = await benchmark.run(ctx);
    } catch (err) {
      if (err instanceof BenchmarkSkipped) {
        skipped++;
        process.stdout.write(`\nskipped: ${err.message}\n(bench/results.md keeps this benchmark's previous section)\n`);
        continue;
      }
      // One broken benchmark should not cost the results of the others.
      failed++;
      process.stderr.write(`${benchmark.name} failed: ${(err as Error).stack ?? err}\n`);
      continue;
    }
    // Other work on the machine moves every number; the load at the end shows whether it came and went.
    const loadAtEnd = loadavg()[0];
    for (const table of report.tables) process.stdout.write(`\n${renderText(table)}\n`);
    if (report.verdicts?.length) process.stdout.write(`\n${report.verdicts.join('\n')}\n`);
    if (report.notes?.length) process.stdout.write(`\n${report.notes.join('\n')}\n`);
    process.stdout.write(`\nload ${loadAtEnd.toFixed(1)} at the end of ${benchmark.name} (${cpus().length} cores)\n`);
    if (!values['no-write']) {
      await writeSection(join(root, 'bench', 'results.md'), benchmark.name, markdownSection(benchmark, report, machine, ctx, loadAtEnd));
      written++;
    }
  }
  if (written) process.stdout.write(`\nwrote ${written} section${written > 1 ? 's' : ''} of ${join('bench', 'results.md')}\n`);
  if (skipped) process.stdout.write(`${skipped} benchmark${skipped > 1 ? 's' : ''} skipped (see above)\n`);
  return failed ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (err: Error) => {
    process.stderr.write(`${err.message}\n\n${usage}\n`);
    process.exitCode = 2;
  },
);
