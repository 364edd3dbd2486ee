import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compileFile, describeStatus, hasErrors, statusOf, type LoadOptions, type RemoteSourceOptions } from '../../compiler/index.js';
import { DEFAULT_PRICES, estimateCost, formatCostReport, readPricesFile, type CostPrices } from '../../compiler/cost/index.js';
import { ExitCodes, UsageError } from '../cli-error.js';
import { loadFlagsHelp } from '../load-flags.js';
import { printDiagnostics } from '../print-diagnostics.js';
import { severityHelp, severityOptions } from '../severity-option.js';
import { readSigningOption, signingHelp, signingOptionWarnings } from '../signing-option.js';
import { throttleHelp, throttleOptions } from '../throttle-option.js';
import { plain, type Style } from '../style.js';

export const compileHelp = `Usage: arazzo-sfn compile <file.arazzo.yml> [--workflow <id>] [--out <dir>] [--severity <CHECK=level>] [--throttle <off|bounds>] [--prices <file.json>] [--signing <file>]

Compiles each workflow to an Amazon States Language definition (JSONPath) and its plan.
Without --out, prints {"<workflowId>": {"definition": ..., "plan": ...}} as JSON on stdout.
With --out, writes <dir>/<workflowId>.asl.json and <dir>/<workflowId>.plan.json (the folder
is created if needed) and lists each file it wrote on stderr.
Diagnostics go to stderr. Exit 2 on compile errors; with --workflow, only on errors that stop
that workflow (its own, the document's, or those of a workflow it needs): a sibling's errors are
printed and do not stop it.

Each workflow's cost goes to stderr: state transitions and Lambda invocations per execution
(a + b·n, n the extra turns of a loop), and the price per 1,000 executions at the public list
prices of us-east-1 (Step Functions Standard, Lambda arm64 at 256 MB), with the durations it
assumes; --out also writes <dir>/<workflowId>.cost.json. --prices <file.json> overrides any of
region, stateTransitionsPer1000, lambdaRequestsPerMillion, lambdaGbSecond, memoryMb,
operationMs, workflowFunctionMs, source.

${loadFlagsHelp}

Request signing (the signature headers it produces count as supplied):
${signingHelp}

Response checks:
${severityHelp}

Provider throttling:
${throttleHelp}`;

/** The --out folder, created if missing; a file in its place is the user's to fix, not a stack trace. */
async function outputFolder(out: string): Promise<void> {
  const existing = await stat(out).catch(() => undefined);
  if (existing && !existing.isDirectory()) throw new UsageError(`--out ${out} is a file, not a folder: name a folder for the .asl.json and .plan.json files`);
  try {
    await mkdir(out, { recursive: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(
      `--out ${out}: cannot create the folder (${code === 'ENOTDIR' || code === 'EEXIST' ? 'a file stands in its path' : (code ?? 'error')})`,
    );
  }
}

async function write(path: string, value: unknown): Promise<void> {
  try {
    await writeFile(path, JSON.stringify(value, null, 2) + '\n');
  } catch (err) {
    throw new UsageError(`cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

export async function runCompile(
  file: string,
  opts: { workflow?: string; out?: string; severity?: readonly string[]; throttle?: string; prices?: string; signing?: string } & LoadOptions &
    RemoteSourceOptions,
  stdout: NodeJS.WritableStream,
  stderr: NodeJS.WritableStream,
  style: Style = plain,
): Promise<number> {
  let prices: CostPrices = DEFAULT_PRICES;
  if (opts.prices !== undefined) {
    try {
      prices = await readPricesFile(opts.prices);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new UsageError(code ? `--prices ${opts.prices}: ${code}` : `--prices ${opts.prices}: ${(err as Error).message}`);
    }
  }
  const signing = opts.signing !== undefined ? await readSigningOption(opts.signing) : undefined;
  if (signing && !signing.signing) {
    printDiagnostics(signing, stderr, style);
    return ExitCodes.usage;
  }
  const result = await compileFile(file, {
    maxFileBytes: opts.maxFileBytes,
    maxTotalBytes: opts.maxTotalBytes,
    loadTimeoutMs: opts.loadTimeoutMs,
    remoteSources: opts.remoteSources,
    allowPrivateFetch: opts.allowPrivateFetch,
    ...severityOptions(opts.severity),
    ...throttleOptions(opts.throttle),
    ...(signing?.signing ? { signing: signing.signing } : {}),
  });
  printDiagnostics(result, stderr, style);
  if (signing) printDiagnostics({ diagnostics: signingOptionWarnings(signing, result) }, stderr, style);
  if (opts.workflow !== undefined && result.status.length) {
    const status = statusOf(result.status, opts.workflow);
    if (!status)
      throw new UsageError(
        `no workflow "${opts.workflow}" in ${file} (has: ${result.status
          .filter((s) => !s.source)
          .map((s) => s.workflowId)
          .join(', ')})`,
      );
    if (!status.compiled) {
      stderr.write(`${describeStatus(status)}\n`);
      return ExitCodes.usage;
    }
  } else if (hasErrors(result.diagnostics)) return ExitCodes.usage;
  const selected = result.workflows.filter((w) => !opts.workflow || w.plan.workflowId === opts.workflow);
  const costs = new Map(selected.map((w) => [w.plan.workflowId, estimateCost(w, prices)]));
  for (const cost of costs.values()) stderr.write(`${formatCostReport(cost)}\n`);
  if (opts.out) {
    await outputFolder(opts.out);
    for (const w of selected) {
      const asl = join(opts.out, `${w.plan.workflowId}.asl.json`);
      const plan = join(opts.out, `${w.plan.workflowId}.plan.json`);
      await write(asl, w.definition);
      stderr.write(`wrote ${asl} (${Object.keys(w.definition.States).length} states)\n`);
      await write(plan, w.plan);
      stderr.write(`wrote ${plan} (${w.plan.steps.length} steps)\n`);
      const cost = join(opts.out, `${w.plan.workflowId}.cost.json`);
      await write(cost, costs.get(w.plan.workflowId));
      stderr.write(`wrote ${cost}\n`);
    }
  } else {
    stdout.write(JSON.stringify(Object.fromEntries(selected.map((w) => [w.plan.workflowId, { definition: w.definition, plan: w.plan }])), null, 2) + '\n');
  }
  return ExitCodes.ok;
}
