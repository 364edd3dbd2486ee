/**
 * Arazzo 1.1 step dependencies compiled to a Parallel state (issue 17): two lookups that need
 * nothing of each other, against a sandbox endpoint that answers in 500 ms, then a join step.
 * Baseline in the same run: the same steps written as a 1.0.1 document, run in the order written.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { compileFileOrThrow, type CompiledWorkflow } from '../compiler/index.js';
import { AesGcmSealer, InMemorySecretsProvider } from '../functions/runtime/secrets/index.js';
import { LocalWorkflow } from '../local/run-workflow.js';
import { startPetstoreSandbox } from '../sandbox/index.js';
import type { BenchContext, BenchReport, Benchmark } from './lib/benchmark.js';
import { summarize, type Summary } from './lib/stats.js';
import { ms, ratio } from './lib/table.js';

/** How long the sandbox holds each lookup before answering (the figure). */
const LOOKUP_DELAY_MS = 500;
/** Each sample takes about a second: far fewer than the in-process default. */
const MAX_SAMPLES = 15;
const WARMUP = 2;
const INPUTS = { seller: 'theUser', buyer: 'theUser', pin: 'secret:petstorePin' };

export const parallelBenchmark: Benchmark = {
  name: 'parallel',
  title: 'Parallel state for independent steps vs the same steps in sequence',
  summary:
    'test/fixtures/parallel/two-lookups-then-login.arazzo.yml (Arazzo 1.1: two getUserByName lookups that need nothing of each other, ' +
    'then a loginUser step that depends on both) run on the embedded engine in this process against the Petstore sandbox (in this process too), ' +
    `whose getUserByName answers after ${LOOKUP_DELAY_MS} ms (a sandbox delay fault); baseline in the same run, samples alternating: ` +
    'the same steps as a 1.0.1 document without dependsOn (two-lookups-then-login.sequential.arazzo.yml), which runs them one after the other. ' +
    'Wall time from run() to the execution\'s end, waits and retry pauses 0 ms. Goal (issue 17): the two lookups take about ' +
    `${LOOKUP_DELAY_MS} ms together, not ${2 * LOOKUP_DELAY_MS} ms.`,

  async run(ctx: BenchContext): Promise<BenchReport> {
    const dir = join(ctx.root, 'test/fixtures/parallel');
    const [parallel] = (await compileFileOrThrow(join(dir, 'two-lookups-then-login.arazzo.yml'))).workflows;
    const [sequential] = (await compileFileOrThrow(join(dir, 'two-lookups-then-login.sequential.arazzo.yml'))).workflows;
    const petstore = await startPetstoreSandbox({ faults: [{ operationId: 'getUserByName', delayMs: LOOKUP_DELAY_MS }] });
    try {
      const runtime = {
        secrets: new InMemorySecretsProvider({ petstorePin: '12345' }),
        sealer: new AesGcmSealer(randomBytes(32)),
        serverUrls: { petstore: petstore.serverUrl },
      };
      const time = async (compiled: CompiledWorkflow) => {
        const started = performance.now();
        const execution = await new LocalWorkflow(compiled).run(INPUTS, { runtime, waitMs: 0, retryIntervalMs: 0, timeoutMs: 30_000 });
        const elapsed = performance.now() - started;
        if (execution.status !== 'SUCCEEDED') throw new Error(`${compiled.plan.workflowId} ended ${execution.status}: ${execution.error ?? ''} ${execution.cause ?? ''}`);
        return elapsed;
      };
      const samples = Math.min(ctx.samples, MAX_SAMPLES);
      ctx.progress(`parallel: warm-up ${WARMUP}, then ${samples} samples of each (about ${Math.round((samples * 3 * LOOKUP_DELAY_MS) / 1000)} s)`);
      for (let i = 0; i < WARMUP; i++) {
        await time(parallel);
        await time(sequential);
      }
      const p: number[] = [];
      const s: number[] = [];
      for (let i = 0; i < samples; i++) {
        p.push(await time(parallel));
        s.push(await time(sequential));
      }
      const [par, seq] = [summarize(p), summarize(s)];
      const row = (name: string, x: Summary, lookups: string) => [name, lookups, ms(x.median), ms(x.p95), ratio(x.median / seq.median), ms(x.median - LOOKUP_DELAY_MS * (lookups === 'in sequence' ? 2 : 1))];
      const saved = seq.median - par.median;
      return {
        tables: [
          {
            title: `Wall time of one execution, ms (each lookup answers after ${LOOKUP_DELAY_MS} ms; ${samples} samples each)`,
            columns: [{ header: 'workflow', align: 'left' }, { header: 'lookups', align: 'left' }, { header: 'median' }, { header: 'p95' }, { header: '× sequential' }, { header: 'beyond the lookups\' wait' }],
            rows: [row('parallel (1.1, dependsOn)', par, 'Parallel state'), row('sequential (1.0.1, baseline)', seq, 'in sequence')],
            notes: ['"beyond the lookups\' wait": the median less the time the sandbox holds the lookups back (500 ms once when they overlap, twice in sequence): the engine, the handlers, the join step and HTTP.'],
          },
        ],
        verdicts: [
          `the Parallel state saves ${ms(saved)} ms of the ${LOOKUP_DELAY_MS} ms a second lookup would wait: ${saved >= 0.8 * LOOKUP_DELAY_MS ? 'the lookups overlap (goal met)' : 'the lookups do NOT overlap as they should (goal missed)'}`,
        ],
      };
    } finally {
      await petstore.close();
    }
  },
};
