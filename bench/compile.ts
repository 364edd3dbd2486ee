import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { parse } from 'yaml';
import { compileFile, emitAsl, hasErrors, type Diagnostic } from '../compiler/index.js';
import { bindDocument, planDocument } from '../compiler/plan/index.js';
import { lintDocument } from '../compiler/lint/index.js';
import { loadArazzo, type LoadedArazzo } from '../compiler/load/index.js';
import { validateAsl } from '../compiler/validate/validate-asl.js';
import type { BenchContext, BenchReport, Benchmark } from './lib/benchmark.js';
import { probeFresh, timeFresh } from './lib/fresh-process.js';
import { distPath } from './lib/paths.js';
import { summarize, type Summary } from './lib/stats.js';
import { ms, percent, ratio, type Table } from './lib/table.js';
import { timeAsync, timePhases, timeSync } from './lib/timing.js';

/** Issue acceptance: "Compilation of one workflow takes well under 50 ms". */
const GOAL_MS = 50;

/** Where workflows are picked up; the OAI examples count only when present and compiling. */
const SOURCES = [
  { dir: 'workflows/arazzo', pattern: /\.arazzo\.yml$/, required: true },
  { dir: 'test/fixtures/oai-examples', pattern: /\.arazzo\.ya?ml$/, required: false },
] as const;

interface Subject {
  readonly file: string;
  readonly label: string;
  readonly workflows: readonly { id: string; states: number }[];
  /** Every YAML file a compile reads: the Arazzo document and its OpenAPI sources. */
  readonly sources: readonly string[];
}

async function discover(root: string): Promise<{ subjects: Subject[]; skipped: string[] }> {
  const subjects: Subject[] = [];
  const skipped: string[] = [];
  for (const { dir, pattern, required } of SOURCES) {
    const absolute = join(root, dir);
    if (!existsSync(absolute)) {
      if (required) throw new Error(`${dir} not found`);
      continue;
    }
    for (const name of readdirSync(absolute).filter((n) => pattern.test(n)).sort()) {
      const file = join(absolute, name);
      const label = relative(root, file);
      const result = await compileFile(file);
      const errors = result.diagnostics.filter((d) => d.severity === 'error');
      if (errors.length) {
        // A benchmark of a failing compile would time the early exit, not the compiler.
        skipped.push(`${label}: does not compile (${errors.length} error${errors.length > 1 ? 's' : ''}, first: ${errors[0].code} ${errors[0].message})`);
        continue;
      }
      const { loaded } = await loadArazzo(file);
      if (!loaded) throw new Error(`${label} compiles but does not load`);
      subjects.push({
        file,
        label,
        // Workflows of arazzo-typed sources are compiled with the file, so they count as its work.
        workflows: [...result.workflows, ...result.external.map((e) => e.workflow)].map((w) => ({ id: w.plan.workflowId, states: Object.keys(w.definition.States).length })),
        sources: sourcesOf(loaded),
      });
    }
  }
  return { subjects, skipped };
}

/**
 * compileFile's pipeline with a lap per phase. It mirrors compile-file.ts by hand: when that gains
 * a step, add it here, or the phase sum drifts away from the warm compile median.
 */
export async function compilePhased(file: string, lap: (phase: string) => void): Promise<void> {
  const diagnostics: Diagnostic[] = [];
  const { loaded } = await loadArazzo(file);
  lap('load');
  if (!loaded) throw new Error(`${file} no longer loads`);
  const bound = bindDocument(loaded, diagnostics);
  const sources = [...loaded.arazzos.values()].map((other) => bindDocument(other, diagnostics));
  const plans = planDocument(bound, {}, diagnostics);
  for (const other of sources) plans.push(...planDocument(other, {}, diagnostics));
  lap('plan');
  lintDocument(bound, sources, diagnostics);
  lap('lint');
  const emitted = plans.map((plan) => emitAsl(plan, {}));
  lap('emit');
  for (const e of emitted) validateAsl(e.definition, { checkArn: true });
  lap('asl-validator');
  if (hasErrors(diagnostics)) throw new Error(`${file} no longer compiles`);
}

/** Every YAML file a load reads, arazzo-typed sources included, each once. */
function sourcesOf(loaded: LoadedArazzo, into = new Set<string>()): string[] {
  if (into.has(loaded.source.path)) return [...into];
  into.add(loaded.source.path);
  for (const openapi of loaded.openapis.values()) into.add(openapi.source.path);
  for (const other of loaded.arazzos.values()) sourcesOf(other, into);
  return [...into];
}

function verdict(s: Summary): string {
  if (s.p95 <= GOAL_MS / 2) return 'well under';
  if (s.p95 < GOAL_MS) return 'under, not well under';
  return 'OVER';
}

const workflowLabel = (s: Subject) => basename(s.file).replace(/\.arazzo\.ya?ml$/, '');
const states = (s: Subject) => s.workflows.map((w) => String(w.states)).join('+');
/** The goal is per workflow; a file of n workflows compiles n of them, so its times are shared out. */
const perWorkflow = (s: Summary, n: number): Summary => ({ ...s, median: s.median / n, p95: s.p95 / n });
const median = (samples: readonly number[]) => summarize(samples).median;

export const compileBenchmark: Benchmark = {
  name: 'compile',
  title: 'Compile time of one workflow file',
  summary:
    `compileFile (YAML with positions + zod schema + OpenAPI $ref deref + plan + lint + emit + asl-validator) of each ` +
    `workflows/arazzo/*.arazzo.yml (and test/fixtures/oai-examples/*.arazzo.y(a)ml that compile), warm in this ` +
    `process against yaml.parse of the same text, and cold as the CLI (\`node dist/cli/main.js compile <file> --out <tmp>\`) ` +
    `against a fresh \`node -e ''\` and a fresh node that only parses the same files with yaml. Goal: well under ${GOAL_MS} ms warm.`,

  async run(ctx: BenchContext): Promise<BenchReport> {
    const { subjects, skipped } = await discover(ctx.root);
    if (!subjects.length) throw new Error('no workflow compiles: nothing to measure');
    const warm = { warmup: ctx.warmup, samples: ctx.samples };
    const cold = { warmup: 1, samples: ctx.coldSamples };

    const warmRows: string[][] = [];
    const phaseRows: string[][] = [];
    const verdicts: string[] = [];
    let phaseNames: string[] = [];
    const warmSummaries = new Map<Subject, { compile: Summary; dominant: string; share: number }>();
    for (const subject of subjects) {
      ctx.progress(`compile: warm ${subject.label} (${ctx.warmup} warm-up + ${ctx.samples} samples ×2)`);
      const texts = subject.sources.map((f) => readFileSync(f, 'utf8'));
      const compile = summarize(await timeAsync(() => compileFile(subject.file), warm));
      const phases = await timePhases((lap) => compilePhased(subject.file, lap), warm);
      const yamlOne = median(timeSync(() => parse(texts[0]), warm));
      const yamlAll = median(timeSync(() => texts.map((t) => parse(t)), warm));
      const one = perWorkflow(compile, subject.workflows.length);
      warmRows.push([
        workflowLabel(subject),
        String(subject.workflows.length),
        states(subject),
        ms(compile.median),
        ms(compile.p95),
        ms(one.median),
        ms(yamlOne),
        ratio(compile.median / yamlOne),
        `${ms(yamlAll)} (${texts.length})`,
        ratio(compile.median / yamlAll),
        verdict(one),
      ]);

      const phaseMedians = [...phases].map(([name, samples]) => [name, median(samples)] as const);
      phaseNames = phaseMedians.map(([name]) => name);
      const sum = phaseMedians.reduce((s, [, m]) => s + m, 0);
      const [dominant, dominantMs] = phaseMedians.reduce((a, b) => (b[1] > a[1] ? b : a));
      phaseRows.push([workflowLabel(subject), ...phaseMedians.map(([, m]) => `${ms(m)} (${percent(m / sum)})`), ms(sum), dominant]);
      warmSummaries.set(subject, { compile, dominant, share: dominantMs / sum });
    }

    ctx.progress(`compile: cold node -e '' (${cold.samples} processes)`);
    const nodeEmpty = median(timeFresh(process.execPath, ['-e', ''], cold).samples);
    const out = await mkdtemp(join(tmpdir(), 'arazzo-sfn-bench-'));
    const coldRows: string[][] = [];
    const splitRows: string[][] = [];
    try {
      for (const subject of subjects) {
        ctx.progress(`compile: cold ${subject.label} (${cold.samples} processes ×3)`);
        const yamlCold = median(timeFresh(process.execPath, [distPath(ctx.root, 'bench/probes/yaml-cold.ts'), ...subject.sources], cold).samples);
        const cli = summarize(
          timeFresh(process.execPath, [distPath(ctx.root, 'cli/main.ts'), 'compile', subject.file, '--out', out], cold, { cwd: ctx.root }).samples,
        );
        coldRows.push([
          workflowLabel(subject),
          ms(nodeEmpty),
          ms(yamlCold),
          ms(cli.median),
          ms(cli.p95),
          ratio(cli.median / nodeEmpty),
          ratio(cli.median / yamlCold),
          ms(cli.median - nodeEmpty),
        ]);

        const probe = probeFresh<{ bootMs: number; importMs: number; firstMs: number; secondMs: number }>(
          distPath(ctx.root, 'bench/probes/compile-cold.ts'),
          [subject.file],
          cold,
          { cwd: ctx.root },
        );
        const pick = (k: 'bootMs' | 'importMs' | 'firstMs' | 'secondMs') => median(probe.reports.map((r) => r[k]));
        splitRows.push([workflowLabel(subject), ms(pick('bootMs')), ms(pick('importMs')), ms(pick('firstMs')), ms(pick('secondMs')), ms(median(probe.samples))]);

        const w = warmSummaries.get(subject)!;
        const n = subject.workflows.length;
        const one = perWorkflow(w.compile, n);
        verdicts.push(
          `${workflowLabel(subject)}: warm median ${ms(w.compile.median)} ms, p95 ${ms(w.compile.p95)} ms` +
            (n > 1 ? ` for ${n} workflows (p95 ${ms(one.p95)} ms each)` : '') +
            ` → ${verdict(one)} the ${GOAL_MS} ms goal ` +
            `(${w.dominant} ${percent(w.share)} of the phases); cold CLI ${ms(cli.median)} ms, ${ms(cli.median - nodeEmpty)} ms above a bare node start`,
        );
      }
    } finally {
      await rm(out, { recursive: true, force: true });
    }

    const tables: Table[] = [
      {
        title: `Warm compile, in process (median of ${ctx.samples} after ${ctx.warmup} warm-up, ms)`,
        columns: [
          { header: 'file', align: 'left' },
          { header: 'wf' },
          { header: 'states' },
          { header: 'compile' },
          { header: 'p95' },
          { header: 'per wf' },
          { header: 'yaml.parse(arazzo)' },
          { header: '×' },
          { header: 'yaml.parse(all files)' },
          { header: '×' },
          { header: `vs ${GOAL_MS} ms goal`, align: 'left' },
        ],
        rows: warmRows,
        notes: [
          '× = compile median / baseline median, both measured in this run. Baselines parse text already in memory; compile reads the files.',
          `"all files" = the Arazzo document and the OpenAPI descriptions it references (count in brackets).`,
          'wf = workflows compiled from the file (arazzo-typed sources included), states = states of each; per wf = compile median / wf.',
          `Verdict on p95 / wf: well under = ≤ ${GOAL_MS / 2} ms (half the goal), under = < ${GOAL_MS} ms, OVER otherwise.`,
        ],
      },
      {
        title: 'Warm compile by phase (median ms, share of their sum)',
        columns: [{ header: 'file', align: 'left' }, ...phaseNames.map((header) => ({ header })), { header: 'sum' }, { header: 'dominant', align: 'left' }],
        rows: phaseRows,
        notes: [
          'load = read + YAML with positions + zod schema + OpenAPI (and arazzo-typed source) parse and $ref deref; lint = lintDocument; asl-validator = validateAsl of each emitted definition.',
        ],
      },
      {
        title: `Cold compile, fresh process per run (median of ${ctx.coldSamples}, ms)`,
        columns: [
          { header: 'file', align: 'left' },
          { header: "node -e ''" },
          { header: 'node + yaml.parse' },
          { header: 'CLI compile' },
          { header: 'p95' },
          { header: "× node -e ''" },
          { header: '× node + yaml' },
          { header: "− node -e ''" },
        ],
        rows: coldRows,
        notes: [
          "CLI compile = `node dist/cli/main.js compile <file> --out <tmp>`, spawn to exit. node + yaml.parse = a fresh node that imports yaml and parses all files the compile reads.",
        ],
      },
      {
        title: `Where a cold compile goes (fresh process, median of ${ctx.coldSamples}, ms)`,
        columns: [
          { header: 'file', align: 'left' },
          { header: 'node boot' },
          { header: 'import compiler' },
          { header: '1st compileFile' },
          { header: '2nd compileFile' },
          { header: 'process total' },
        ],
        rows: splitRows,
        notes: ['node boot = performance.now() at the probe\'s first line; the 1st compileFile pays lazy requires (asl-validator) and unoptimised code.'],
      },
    ];
    return { tables, verdicts, notes: skipped.map((s) => `skipped ${s}`) };
  },
};
