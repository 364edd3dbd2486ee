import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { build } from 'esbuild';
import { PlanDefines } from '../functions/handlers/environment.js';
import { isWorkflowStep, type StepPlan } from '../core/plan.js';
import { compileFileOrThrow } from '../compiler/index.js';
import { ESM_REQUIRE_BANNER } from '../infra/esm-require-banner.js';
import { handlerEntry } from '../infra/cdk/package-paths.js';
import type { BenchContext, BenchReport, Benchmark } from './lib/benchmark.js';
import { runFresh } from './lib/fresh-process.js';
import { summarize } from './lib/stats.js';
import { ms, percent, ratio, type Table } from './lib/table.js';
import { XML_LIBRARIES, xmlLibrariesFor, xpathVersionsOf } from '../core/criteria/index.js';

/** Issue acceptance: an operation bundle adds at most 20% to undici alone, in size and in cold init. */
const GOAL = 1.2;
const SEEDS = ['workflows/arazzo/customer-verification-poll.arazzo.yml', 'workflows/arazzo/token-then-payment.arazzo.yml'];

/** The options infra/cdk/arazzo-workflow.ts gives NodejsFunction, so the bytes measured are the bytes deployed. */
const bundleOptions = (define: Record<string, string>, external: string[]) => ({
  bundle: true,
  minify: true,
  platform: 'node' as const,
  target: 'node22',
  format: 'esm' as const,
  mainFields: ['module', 'main'],
  banner: { js: ESM_REQUIRE_BANNER },
  external,
  define,
  logLevel: 'warning' as const,
});

// A child that times only the import of one bundle, reported on its last stdout line.
const LOAD_PROBE = "const t0 = performance.now(); await import(process.argv[1]); console.log(performance.now() - t0);";

function coldLoad(file: string, samples: number): number[] {
  runFresh(process.execPath, ['--input-type=module', '-e', LOAD_PROBE, file]);
  return Array.from({ length: samples }, () => Number(runFresh(process.execPath, ['--input-type=module', '-e', LOAD_PROBE, file]).stdout.trim().split('\n').pop()));
}

export const bundleBenchmark: Benchmark = {
  name: 'bundle',
  title: 'Lambda operation bundles: size and cold init vs undici alone',
  summary:
    'Each operation function of the seed workflows is bundled as the CDK construct bundles it (esbuild, minified ESM, AWS SDK external, its step plans compiled in); the baseline is a bundle of undici alone, built the same way in the same run. Cold init is the time a fresh Node process takes to import the bundle (median of the cold samples).',
  async run(ctx: BenchContext): Promise<BenchReport> {
    // Inside node_modules so the bundles resolve the externals (the AWS SDK) as a Lambda would.
    const out = join(ctx.root, 'node_modules/.cache/arazzo-sfn-bench/bundle');
    await rm(out, { recursive: true, force: true });
    await mkdir(out, { recursive: true });

    await writeFile(join(out, 'undici-entry.mjs'), "import * as undici from 'undici';\nexport const handler = async () => Object.keys(undici).length;\n");
    const baselineFile = join(out, 'undici.mjs');
    await build({ ...bundleOptions({}, ['@aws-sdk/*']), entryPoints: [join(out, 'undici-entry.mjs')], outfile: baselineFile, absWorkingDir: ctx.root });
    const baselineSize = (await stat(baselineFile)).size;
    ctx.progress('bundle: cold-loading undici alone');
    const baselineInit = summarize(coldLoad(baselineFile, ctx.coldSamples)).median;

    const rows: string[][] = [['undici alone (baseline)', (baselineSize / 1024).toFixed(0), '1.0×', ms(baselineInit), '1.0×', '']];
    const verdicts: string[] = [];
    for (const seed of SEEDS) {
      const { workflows } = await compileFileOrThrow(join(ctx.root, seed));
      for (const { plan } of workflows) {
        const byKey = new Map<string, StepPlan[]>();
        for (const step of plan.steps) if (!isWorkflowStep(step)) byKey.set(step.operation.key, [...(byKey.get(step.operation.key) ?? []), step]);
        for (const [key, steps] of byKey) {
          const file = join(out, `${key}.mjs`);
          const criteria = steps.flatMap((s) => [...s.successCriteria, ...s.onSuccess.flatMap((a) => a.criteria), ...s.onFailure.flatMap((a) => a.criteria)]);
          const xml = xmlLibrariesFor(steps.flatMap((s) => [...xpathVersionsOf(s)]));
          const usesRegex = criteria.some((c) => c.type === 'regex');
          await build({
            ...bundleOptions({ [PlanDefines.stepPlans]: JSON.stringify(JSON.stringify(steps)) }, ['@aws-sdk/*', ...XML_LIBRARIES.filter((name) => !xml.includes(name)), ...(usesRegex ? [] : ['re2js'])]),
            // The entry the construct bundles: from dist/ (where the bench runs), the one the package ships.
            entryPoints: [handlerEntry('operation')],
            outfile: file,
            absWorkingDir: ctx.root,
          });
          const size = (await stat(file)).size;
          ctx.progress(`bundle: cold-loading ${key}`);
          const init = summarize(coldLoad(file, ctx.coldSamples)).median;
          const sizeRatio = size / baselineSize;
          const initRatio = init / baselineInit;
          const ok = sizeRatio <= GOAL && initRatio <= GOAL;
          rows.push([`${plan.workflowId} · ${key}`, (size / 1024).toFixed(0), ratio(sizeRatio), ms(init), ratio(initRatio), ok ? 'within' : 'OVER']);
          verdicts.push(`${key}: ${(size / 1024).toFixed(0)} KB (+${percent(sizeRatio - 1)} over undici), cold init ${ms(init)} ms (+${percent(initRatio - 1)}) → ${ok ? 'within' : 'over'} the +20% goal`);
        }
      }
    }
    const table: Table = {
      title: 'Operation bundles (minified ESM, as deployed) against undici alone',
      columns: [{ header: 'bundle', align: 'left' }, { header: 'KB' }, { header: '× size' }, { header: 'cold init ms' }, { header: '× init' }, { header: 'goal ≤1.2×', align: 'left' }],
      rows,
      notes: [`bundles in ${relative(ctx.root, out)}; cold init = median of ${ctx.coldSamples} fresh processes importing the bundle`],
    };
    return { tables: [table], verdicts };
  },
};
