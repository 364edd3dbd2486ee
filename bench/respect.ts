import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Agent } from 'undici';
import { BenchmarkSkipped, type BenchContext, type BenchReport, type Benchmark } from './lib/benchmark.js';
import { probeFresh } from './lib/fresh-process.js';
import { distPath } from './lib/paths.js';
import { measureNodeScript, rssMethod, type MeasuredRun } from './lib/process-usage.js';
import { runSeed000Raw } from './lib/raw-calls.js';
import { mintFintectureToken, startSandboxProcess } from './lib/sandbox-process.js';
import { summarize } from './lib/stats.js';
import { ms, percent, ratio, type Table } from './lib/table.js';

/** Issue acceptance: arazzo-sfn's whole-process run takes at most a quarter of Respect's wall time. */
const GOAL = 0.25;
const RESPECT_DIR = 'bench/respect';
const FIXTURE = 'bench/fixtures/customer-verification-poll.jsonpath.arazzo.yml';
const PUBLISHED_SEED = 'workflows/arazzo/customer-verification-poll.arazzo.yml';
const SOURCE = 'customersApi';
/**
 * `pending0`: the verification is settled at the first read, so neither runner loops. Respect has
 * no pause for a `goto` loop, and it fails the poll step on a `pending` answer anyway (the step's
 * `matchScore` output, `$response.body#/match_score`, reaches nothing until the verification
 * settles), so equal loop counts cannot be compared with this document.
 */
const EMAIL = 'jane.doe+pending0+verified@example.com';
const EXPECTED_STEPS = ['createCustomer', 'startVerification', 'pollVerification'];
const SANDBOX_WARM_MS = 2000;

/**
 * Respect checks every response against its OpenAPI schema and, unlike the schema itself, closes
 * every object (its Ajv runs with `defaultUnevaluatedProperties: false`). The sandbox's
 * verification answers carry `customer_id` and `created_at`, which the Customers description does
 * not list, so that check would fail the run: it is kept (the work is done) but only warns.
 */
const RESPECT_FLAGS = ['--severity', 'SCHEMA_CHECK=warn'];
/** No telemetry call home (and no stall without network) and no update notice in the timed runs. */
const RESPECT_ENV = { REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' };

interface RespectInstall {
  readonly bin: string;
  readonly version: string;
  readonly engines: string;
  readonly installedNow: boolean;
}

const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8'));

/** `>=a.b.c <x.y.z || ...` against a version: enough for an engines field, no semver dependency. */
function satisfies(version: string, range: string): boolean {
  const parse = (v: string) => v.replace(/^v/, '').split('.').map(Number);
  const cmp = (a: number[], b: number[]) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
  const v = parse(version);
  return range.split('||').some((part) =>
    part.trim().split(/\s+/).every((c) => {
      const m = /^(>=|<=|>|<|=)?v?(\d+\.\d+\.\d+)$/.exec(c);
      if (!m) return false;
      const d = cmp(v, parse(m[2]));
      return { '>=': d >= 0, '<=': d <= 0, '>': d > 0, '<': d < 0, '=': d === 0 }[m[1] ?? '='] as boolean;
    }),
  );
}

/** npm's error code and the line that says what failed, without the stack and the log-file notice. */
function npmErrorSummary(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.replace(/^npm (?:error|ERR!)\s*/, '').trim())
    .filter((l) => l && !l.startsWith('at '));
  const code = lines.find((l) => /^code \S+$/.test(l));
  const detail = lines.find((l) => /request to|reason:|not found|404|403|EAI_AGAIN|ENOTFOUND/i.test(l)) ?? lines.find((l) => !/^(code|syscall|errno) /.test(l));
  return [code, detail].filter(Boolean).join(': ') || 'no message';
}

/**
 * Respect lives in its own package (bench/respect) so the project's install stays lean: it is
 * installed from its lockfile on first use. Without the npm registry the benchmark is skipped,
 * with the command to run once online, rather than failing the run.
 */
function ensureRespect(ctx: BenchContext): RespectInstall {
  const dir = join(ctx.root, RESPECT_DIR);
  const pinned: string = readJson(join(dir, 'package.json')).dependencies['@redocly/cli'];
  const manifest = join(dir, 'node_modules/@redocly/cli/package.json');
  const installed = () => (existsSync(manifest) ? (readJson(manifest).version as string) : undefined);
  let installedNow = false;
  if (installed() !== pinned) {
    ctx.progress(`respect: installing @redocly/cli ${pinned} into ${RESPECT_DIR} (npm ci, first use only)`);
    // Under `npm run`, npm_execpath is the npm that runs us; called through the pinned Node 22.
    const npmCli = process.env.npm_execpath;
    const [command, prefix] = npmCli && /\.c?js$/.test(npmCli) ? [process.execPath, [npmCli]] : ['npm', []];
    const result = spawnSync(command, [...prefix, 'ci', '--prefix', dir, '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: ctx.root,
      encoding: 'utf8',
      timeout: 300_000,
    });
    const reason = result.error
      ? result.error.message
      : result.status !== 0
        ? `exit ${result.status ?? result.signal}: ${npmErrorSummary(result.stderr)}`
        : installed() !== pinned
          ? `it installed ${installed() ?? 'nothing'} instead of ${pinned}`
          : undefined;
    if (reason) {
      throw new BenchmarkSkipped(
        `respect: Redocly Respect (@redocly/cli ${pinned}) is not installed and "npm ci --prefix ${RESPECT_DIR}" failed (${reason}). ` +
          `It needs the npm registry once; run that command when online, then "npm run bench -- respect".`,
      );
    }
    installedNow = true;
  }
  const pkg = readJson(manifest);
  const engines: string = pkg.engines?.node ?? '*';
  if (engines !== '*' && !satisfies(process.versions.node, engines)) {
    throw new BenchmarkSkipped(`respect: @redocly/cli ${pkg.version} needs Node ${engines}, this is ${process.version}`);
  }
  return { bin: join(dir, 'node_modules/@redocly/cli', pkg.bin.redocly), version: pkg.version, engines, installedNow };
}

const workflowInputs = (token: string) => ({
  accessToken: token,
  firstName: 'Jane',
  lastName: 'Doe',
  email: EMAIL,
  providerId: 'cmcifrpp',
  expectedName: 'Jane Doe',
});
const inputFlags = (inputs: Record<string, string>) => Object.entries(inputs).flatMap(([k, v]) => ['--input', `${k}=${v}`]);

/** Steps Respect ran (from its --json-output), with the check it failed, if any. */
function respectSteps(jsonFile: string): { steps: string[]; failed: string[] } {
  const report = readJson(jsonFile) as {
    files: Record<string, { executedWorkflows: { executedSteps: { stepId: string; status?: string; checks?: { name: string; passed: boolean; severity?: string }[] }[] }[] }>;
  };
  const steps = Object.values(report.files).flatMap((f) => f.executedWorkflows.flatMap((w) => w.executedSteps));
  return {
    steps: steps.map((s) => s.stepId),
    failed: steps.flatMap((s) => (s.checks ?? []).filter((c) => !c.passed && c.severity === 'error').map((c) => `${s.stepId}: ${c.name}`)),
  };
}

/** Task states arazzo-sfn entered for operation steps (from `run --json`), in order. */
function arazzoSteps(stdout: string): { status: string; steps: string[] } {
  const execution = JSON.parse(stdout) as { status: string; history: { type: string; stateEnteredEventDetails?: { name: string } }[] };
  return {
    status: execution.status,
    steps: execution.history.filter((e) => e.type === 'TaskStateEntered' && e.stateEnteredEventDetails?.name !== 'Validate inputs').map((e) => e.stateEnteredEventDetails!.name),
  };
}

const sameSteps = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((s, i) => s === b[i]);

interface Runner {
  readonly label: string;
  readonly script: string;
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
}

export const respectBenchmark: Benchmark = {
  name: 'respect',
  title: 'Whole-process run vs Redocly Respect',
  summary:
    `The same Arazzo file (${FIXTURE}: seed 000 with its criteria in RFC 9535 JSONPath, see the notes) run against the same ` +
    'sandbox, in a process of its own, by `node dist/bin/main.js run` (the bundled CLI `npm run build` makes) and by Redocly Respect (`redocly respect`, the most used ' +
    'Arazzo runner, installed in bench/respect): wall time spawn to exit and peak RSS, runs interleaved, medians. Floors in the ' +
    "same run: a bare `node -e ''` and a Node script making the same three calls with undici. " +
    `Goal: arazzo-sfn ≤ ${GOAL}× Respect's wall time.`,

  async run(ctx: BenchContext): Promise<BenchReport> {
    const respect = ensureRespect(ctx);
    const fixture = join(ctx.root, FIXTURE);
    const sandbox = await startSandboxProcess(ctx.root);
    const scratch = mkdtempSync(join(tmpdir(), 'arazzo-sfn-bench-respect-'));
    try {
      const url = sandbox.urls.fintecture;
      const token = await mintFintectureToken(url, 'customer');
      const inputs = workflowInputs(token);
      const cli = join(ctx.root, 'dist', 'bin', 'main.js');
      // The compile cache of this benchmark only: the check run below fills it, as a user's first run does.
      const cacheEnv = { ...process.env, ARAZZO_SFN_CACHE_DIR: join(scratch, 'compile-cache') };
      const respectEnv = { ...process.env, ...RESPECT_ENV };
      const respectArgs = (file: string) => ['respect', file, '--server', `${SOURCE}=${url}`, ...inputFlags(inputs), ...RESPECT_FLAGS];
      const arazzoArgs = ['run', fixture, '--server', `${SOURCE}=${url}`, ...inputFlags(inputs)];

      // Both runners must do the same work before their times mean anything: same calls, same route.
      ctx.progress('respect: checking that both runners route the fixture the same way');
      const respectJson = join(scratch, 'respect.json');
      const respectCheck = spawnSync(process.execPath, [respect.bin, ...respectArgs(fixture), '--json-output', respectJson], { cwd: ctx.root, env: respectEnv, encoding: 'utf8' });
      if (respectCheck.status !== 0 || !existsSync(respectJson)) throw new Error(`Respect failed on ${FIXTURE} (exit ${respectCheck.status}):\n${respectCheck.stdout.slice(-2000)}`);
      const byRespect = respectSteps(respectJson);
      const arazzoCheck = spawnSync(process.execPath, [cli, ...arazzoArgs, '--json'], { cwd: ctx.root, env: cacheEnv, encoding: 'utf8' });
      if (arazzoCheck.status !== 0) throw new Error(`arazzo-sfn failed on ${FIXTURE} (exit ${arazzoCheck.status}):\n${arazzoCheck.stderr}`);
      const byArazzo = arazzoSteps(arazzoCheck.stdout);
      for (const [who, steps] of [['Respect', byRespect.steps], ['arazzo-sfn', byArazzo.steps]] as const) {
        if (!sameSteps(steps, EXPECTED_STEPS)) throw new Error(`${who} ran ${steps.join(' → ')} on ${FIXTURE}; expected ${EXPECTED_STEPS.join(' → ')}`);
      }

      ctx.progress('respect: running the published seed 000 through Respect once, to see how it routes');
      const publishedJson = join(scratch, 'published.json');
      // Its exit status is not the point: the route it took, from its JSON report, is.
      spawnSync(process.execPath, [respect.bin, ...respectArgs(join(ctx.root, PUBLISHED_SEED)), '--json-output', publishedJson], { cwd: ctx.root, env: respectEnv, encoding: 'utf8' });
      const publishedSteps = existsSync(publishedJson) ? respectSteps(publishedJson).steps : [];

      const runners: Runner[] = [
        { label: "node -e '' (floor: a bare process)", script: '-e', args: [''] },
        { label: 'undici script, same 3 calls (floor)', script: distPath(ctx.root, 'bench/probes/raw-seed000.ts'), args: [url, token, EMAIL] },
        { label: 'arazzo-sfn run (compile cached)', script: cli, args: arazzoArgs, env: cacheEnv },
        { label: 'arazzo-sfn run --no-cache (compiles every run)', script: cli, args: [...arazzoArgs, '--no-cache'], env: cacheEnv },
        { label: `Respect ${respect.version}`, script: respect.bin, args: respectArgs(fixture), env: respectEnv },
      ];
      const runs = new Map<Runner, MeasuredRun[]>(runners.map((r) => [r, []]));
      const measure = (r: Runner) => {
        const run = measureNodeScript(ctx.root, r.script, r.args, { cwd: ctx.root, env: r.env });
        if (run.status !== 0) throw new Error(`${r.label} exited ${run.status}:\n${(run.stderr || run.stdout).slice(-2000)}`);
        return run;
      };
      // The sandbox process is new: until V8 has optimised its validators and handlers (thousands
      // of requests), its answers take several times longer, and the first runs would pay for it.
      ctx.progress(`respect: warming the sandbox (${SANDBOX_WARM_MS} ms of the same calls)`);
      const warmer = new Agent();
      const until = performance.now() + SANDBOX_WARM_MS;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (performance.now() < until) await runSeed000Raw(url, { ...inputs, accessToken: token }, warmer);
        }),
      );
      await warmer.close();

      // One unrecorded run each warms the file cache; then the runners take turns, so a busy
      // moment of the machine is shared out instead of landing on one of them.
      for (const r of runners) measure(r);
      for (let i = 0; i < ctx.coldSamples; i++) {
        ctx.progress(`respect: round ${i + 1} of ${ctx.coldSamples} (${runners.length} processes)`);
        for (const r of runners) runs.get(r)!.push(measure(r));
      }

      const stats = new Map(runners.map((r) => [r, { wall: summarize(runs.get(r)!.map((x) => x.ms)), rss: summarize(runs.get(r)!.map((x) => x.maxRssMiB)) }]));
      const [, floor, arazzo, uncached, redocly] = runners;
      const base = stats.get(redocly)!;
      const rows = runners.map((r) => {
        const s = stats.get(r)!;
        return [r.label, ms(s.wall.median), ms(s.wall.p95), s.rss.median.toFixed(0), ratio(s.wall.median / base.wall.median), ratio(s.rss.median / base.rss.median)];
      });

      ctx.progress(`respect: where a cold arazzo-sfn run goes (${ctx.coldSamples} processes)`);
      const probe = probeFresh<Record<string, number>>(
        distPath(ctx.root, 'bench/probes/run-cold.ts'),
        [fixture, SOURCE, url, JSON.stringify(inputs)],
        { warmup: 1, samples: ctx.coldSamples },
        { cwd: ctx.root },
      );
      const phases = Object.keys(probe.reports[0]).filter((k) => k !== 'bootMs');
      const pick = (k: string) => summarize(probe.reports.map((r) => r[k])).median;
      const total = summarize(probe.samples).median;
      const phaseCells = phases.map((k) => `${ms(pick(k))} (${percent(pick(k) / total)})`);
      const accounted = pick('bootMs') + phases.reduce((s, k) => s + pick(k), 0);

      const a = stats.get(arazzo)!;
      const u = stats.get(uncached)!;
      const f = stats.get(floor)!;
      const wallRatio = a.wall.median / base.wall.median;
      const floorRatio = f.wall.median / base.wall.median;
      const verdict =
        `arazzo-sfn run: median ${ms(a.wall.median)} ms vs Respect ${ms(base.wall.median)} ms → ${wallRatio.toFixed(2)}× ` +
        `(goal ≤ ${GOAL}×: ${wallRatio <= GOAL ? 'met' : 'MISSED'}${wallRatio > GOAL && floorRatio > GOAL ? `; below reach on this machine, where a bare undici script making the same calls takes ${floorRatio.toFixed(2)}× Respect` : ''}); ` +
        `${(a.wall.median / f.wall.median).toFixed(2)}× that undici floor; --no-cache ${ms(u.wall.median)} ms (${(u.wall.median / base.wall.median).toFixed(2)}× Respect); ` +
        `peak RSS ${a.rss.median.toFixed(0)} MiB vs ${base.rss.median.toFixed(0)} MiB (${(a.rss.median / base.rss.median).toFixed(2)}×)`;
      const compileMs = ['load', 'plan', 'lint', 'emit', 'asl-validator'].reduce((s, k) => s + (pick(k) || 0), 0);

      const tables: Table[] = [
        {
          title: `Whole process, spawn to exit (median of ${ctx.coldSamples} interleaved runs each)`,
          columns: [{ header: 'runner', align: 'left' }, { header: 'wall ms' }, { header: 'p95' }, { header: 'peak RSS MiB' }, { header: '× Respect wall' }, { header: '× Respect RSS' }],
          rows,
          notes: [
            `Peak RSS by ${rssMethod() === 'GNU time' ? "GNU time's %M (the measured process's own peak)" : 'bench/probes/max-rss.js (process.resourceUsage().maxRSS of the process running the script)'}.`,
            `Each run: ${EXPECTED_STEPS.join(' → ')} against the sandbox process (${relative(ctx.root, distPath(ctx.root, 'bench/probes/sandbox-server.ts'))}); both runners checked to take that route before timing.`,
          ],
        },
        {
          title: `Where a cold arazzo-sfn run goes (bench/probes/run-cold.js, median of ${ctx.coldSamples}, ms and share of the process)`,
          columns: [{ header: 'node boot' }, ...phases.map((header) => ({ header })), { header: 'process total' }],
          rows: [[`${ms(pick('bootMs'))} (${percent(pick('bootMs') / total)})`, ...phaseCells, ms(total)]],
          notes: [
            "The probe loads the unbundled modules (dist/, as tsc emits them), so its import laps are upper bounds for the bundled CLI. import … = loading them layer by layer (each what it adds to the ones before): the compiler (a cached run skips it); the engine (local/workflow-set: aws-local-stepfunctions and the runtime); the provider simulators (sandbox/index, which only --sandbox loads); the command modules. load … asl-validator = compileFile's phases on their first call; bind engine = the engine's state machine, secrets, sealer, HTTP agent; execute = the execution against the sandbox; print = formatting its report.",
            `Phases account for ${ms(accounted)} of ${ms(total)} ms; the rest is process start before node's clock and exit.`,
          ],
        },
      ];
      const misrouted = publishedSteps.includes('reportFailure');
      const notes = [
        `Respect: @redocly/cli ${respect.version} (engines: node ${respect.engines}; this is ${process.version}), ${respect.installedNow ? 'installed in this run' : 'already installed'} from ${RESPECT_DIR}/package-lock.json by \`npm ci --prefix ${RESPECT_DIR}\`, run as \`node ${relative(ctx.root, respect.bin)} respect <file> --server ${SOURCE}=<sandbox> --input <name>=<value>… ${RESPECT_FLAGS.join(' ')}\` with ${Object.entries(RESPECT_ENV).map(([k, v]) => `${k}=${v}`).join(', ')}.`,
        `arazzo-sfn: \`node dist/bin/main.js run <file> --server ${SOURCE}=<sandbox> --input <name>=<value>…\` (with \`--no-cache\` in its second row), the compile cache in a directory of this run's own; the access token is minted from the sandbox (client_credentials, scope customer) once per benchmark run and passed to both as an input.`,
        misrouted
          ? `As published, Respect misroutes seed 000: for a verified customer it ran ${publishedSteps.join(' → ')}. Its criteria (\`$.status == "verified"\`, …) are not RFC 9535 JSONPath; Respect's parser rejects them and counts each as false, so no onSuccess action matches and the run falls through to reportFailure. arazzo-sfn evaluates that form as meant (warning ASFN2001) and ends after pollVerification.`
          : `The published seed 000 ran ${publishedSteps.join(' → ') || '(no steps: Respect failed)'} in Respect ${respect.version}.`,
        `The fixture differs from seed 000 only where the two runners disagree (its header says why): RFC 9535 filters that test the status both as \`@.status\` (Respect applies a query to [context]; arazzo-sfn now reads a root filter over an object both ways) and \`$.status\` (the root-relative form both accept); no \`failedStatus\` output (Respect fails a workflow whose output names a step that did not run).`,
        'Scenario pending0+verified: no poll loop, so no waits in either runner. Respect cannot run the polling path of this document: it fails the poll step on the first `pending` answer, whose body has no `match_score` for the step\'s matchScore output.',
        "Respect's schema check (SCHEMA_CHECK) is downgraded to a warning: Respect closes every response schema (unevaluatedProperties false by default) and the sandbox's verification answers carry `customer_id` and `created_at`, which workflows/openapi/fintecture-customers-api-openapi.yml does not declare. The check still runs.",
        `Work that differs: Respect checks each response's status code, content type and schema; arazzo-sfn compiles the document on its first run (the probe's phases: ${ms(compileMs)} ms cold for load, plan, lint, ASL emit and asl-validator) and reuses that compile while the document, its OpenAPI descriptions and the compiler are unchanged; the --no-cache row compiles every run (without asl-validator, as run does).`,
      ];
      return { tables, verdicts: [verdict], notes };
    } finally {
      rmSync(scratch, { recursive: true, force: true });
      await sandbox.close();
    }
  },
};
