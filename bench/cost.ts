/**
 * The cost of an execution of each seed workflow (compiler/cost): state transitions and Lambda
 * invocations from the emitted ASL, priced at the list prices, beside a hand-written machine for
 * the same calls and the saving of dropping the `Validate inputs` Task.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { compileFileOrThrow } from '../compiler/index.js';
import { DEFAULT_PRICES, estimateCost, type CostReport } from '../compiler/cost/index.js';
import type { Benchmark, BenchContext, BenchReport } from './lib/benchmark.js';

const usd = (x: number) => `$${x.toFixed(4)}`;
const formula = (base: number, loops: readonly number[]) => [String(base), ...loops.map((b) => `${b}·n`)].join(' + ');

export const costBenchmark: Benchmark = {
  name: 'cost',
  title: 'Cost of an execution: state transitions, Lambda invocations, USD per 1,000 executions',
  summary:
    'Every workflows/arazzo/*.arazzo.yml compiled, and its ASL walked (compiler/cost/estimate-cost.ts): states entered on the shortest path to a success ' +
    '(and the longest without a loop turn, when optional steps make it longer), each loop per extra turn (n), Lambda invocations from the Task ' +
    'bindings (a callback step also counts the webhook receiver\'s settling call), priced at the us-east-1 list prices: Step Functions Standard ' +
    `$${DEFAULT_PRICES.stateTransitionsPer1000} per 1,000 transitions, Lambda $${DEFAULT_PRICES.lambdaRequestsPerMillion} per 1M requests and ` +
    `$${DEFAULT_PRICES.lambdaGbSecond} per GB-s on arm64, ${DEFAULT_PRICES.memoryMb} MB, with assumed (not measured) durations of ` +
    `${DEFAULT_PRICES.operationMs} ms per operation call and ${DEFAULT_PRICES.workflowFunctionMs} ms per workflow function call; free tiers excluded. ` +
    'The same counts are checked against real executions on the embedded engine (test/compiler/cost/estimate-cost.test.ts). ' +
    'Hand-written = the same path without what only arazzo-sfn adds (the workflow function\'s Tasks: `Validate inputs`, and around a nested execution its input and outcome; the seeds have only the first); it keeps the end state a Choice needs.',
  async run(ctx: BenchContext): Promise<BenchReport> {
    const dir = join(ctx.root, 'workflows/arazzo');
    const files = (await readdir(dir)).filter((f) => f.endsWith('.arazzo.yml')).sort();
    const reports: CostReport[] = [];
    for (const file of files) {
      ctx.progress(`cost: ${file}`);
      for (const workflow of (await compileFileOrThrow(join(dir, file))).workflows) reports.push(estimateCost(workflow));
    }
    const rows = reports.map((r) => {
      const range = (a: number, b?: number) => (b !== undefined && b !== a ? `${a}–${b}` : String(a));
      const loopT = r.loops.map((l) => l.transitions);
      const loopL = r.loops.map((l) => l.lambdaInvocations);
      const transitions = r.longestPath && r.longestPath.transitions !== r.path.transitions ? `${range(r.path.transitions, r.longestPath.transitions)}${loopT.map((b) => ` + ${b}·n`).join('')}` : formula(r.path.transitions, loopT);
      const lambdas = r.longestPath && r.longestPath.lambdaInvocations !== r.path.lambdaInvocations ? `${range(r.path.lambdaInvocations, r.longestPath.lambdaInvocations)}${loopL.map((b) => ` + ${b}·n`).join('')}` : formula(r.path.lambdaInvocations, loopL);
      const saving = r.per1000.path - r.per1000.handWritten;
      return [
        r.workflowId,
        transitions,
        lambdas,
        r.loops.map((l) => `${l.state}${l.maxTurns !== undefined ? ` (n ≤ ${l.maxTurns - 1})` : ''}`).join(', ') || '–',
        usd(r.per1000.path),
        r.per1000.perLoopTurn.map(usd).join(', ') || '–',
        `${r.handWritten.transitions} T, ${r.handWritten.lambdaInvocations} λ: ${usd(r.per1000.handWritten)}`,
        `${usd(saving)} (${Math.round((100 * saving) / r.per1000.path)}%)`,
      ];
    });
    const share = reports.map((r) => (r.per1000.path - r.per1000.handWritten) / r.per1000.path);
    return {
      notes: [
        `Validate inputs (one transition and one Lambda call per execution) is ${Math.round(100 * Math.min(...share))}–${Math.round(100 * Math.max(...share))}% of these workflows' cost with no loop turned, less as loops turn. ` +
          'Kept, as measured here: it fails an execution before any provider call, listing every problem with the inputs (Arazzo.InvalidInputs, state "Validate inputs.failed"); ' +
          'folding it into the first operation\'s function would give that Task alone a different input (the raw execution input, not $.inputs/$.steps), ' +
          'put the JSON Schema validator into every operation bundle that can come first, and still leave the workflow function in front of a workflow that starts with a workflow step or dependsOn.',
      ],
      tables: [
        {
          title: 'Per execution and per 1,000 executions (n = extra turns of the loop)',
          columns: [
            { header: 'workflow', align: 'left' },
            { header: 'transitions' },
            { header: 'Lambda invocations' },
            { header: 'loop', align: 'left' },
            { header: 'USD / 1k exec (n = 0)' },
            { header: '+ per turn' },
            { header: 'hand-written (n = 0)' },
            { header: 'Validate inputs costs' },
          ],
          rows,
          notes: [
            'A range (7–9) is the shortest and the longest path to a success; USD is for the shortest.',
            'Transitions dominate: a transition costs $0.000025, a 250 ms call at 256 MB on arm64 about $0.0000010 with its request.',
          ],
        },
      ],
    };
  },
};
