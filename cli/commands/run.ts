import { readFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { Agent } from 'undici';
import { hasErrors } from '../../compiler/diagnostics/index.js';
import { describeStatus, statusOf } from '../../compiler/workflow-status.js';
import { AesGcmSealer, ChainedSecretsProvider, EnvironmentSecretsProvider, InMemorySecretsProvider } from '../../functions/runtime/secrets/index.js';
import { LocalWorkflowSet } from '../../local/workflow-set.js';
import { moveCredentialsToSecrets, parseInputPairs } from '../../local/prepare-inputs.js';
import type { SandboxSet } from '../../sandbox/index.js';
import { ExitCodes, UsageError } from '../cli-error.js';
import { parseServerOption, redactUserinfo } from '../parse-server-option.js';
import { executionToJson, formatExecution, formatStepLog } from '../print-execution.js';
import { compileFileCached } from '../compile-cache.js';
import { printDiagnostics } from '../print-diagnostics.js';
import { severityHelp, severityOptions } from '../severity-option.js';
import { isWorkflowStep } from '../../core/plan.js';
import { startLocalCallbacks } from '../../local/local-callbacks.js';

export const runHelp = `Usage: arazzo-sfn run <file.arazzo.yml> [options]

Compiles the workflow and runs it on the embedded Step Functions engine, with the
operation handlers in-process, against real servers or the embedded sandbox.

Options:
  --workflow <id>        workflow to run (default: the first in the file)
  --input <name=value>   a workflow input (repeatable); credential inputs go to the
                         local secrets provider and the execution sees "secret:<name>"
  --inputs <file.json>   workflow inputs as a JSON object (--input entries override)
  --server <name=url>    server URL of a source description (repeatable)
  --sandbox              serve every source the simulators know from the embedded sandbox
  --wait-ms <n>          pause n ms in every Wait state instead of the real delay
  --retry-ms <n>         pause n ms between Task retries instead of the real backoff
  --json                 print the execution and its history as JSON
${severityHelp}
  --verbose              print the execution history
  --no-cache             compile even if an unchanged compile is cached (the cache lives in
                         node_modules/.cache/arazzo-sfn, or ARAZZO_SFN_CACHE_DIR)

Credentials can also be referenced: --input accessToken=secret:<name> reads
<name> from the environment variable ARAZZO_SECRET_<NAME>.
Exit 0 when the execution succeeded, 1 when it failed, 2 on usage or compile errors.`;

export interface RunCommandOptions {
  readonly workflow?: string;
  readonly input?: readonly string[];
  readonly inputs?: string;
  readonly server?: readonly string[];
  readonly sandbox?: boolean;
  readonly waitMs?: number;
  readonly retryMs?: number;
  readonly json?: boolean;
  readonly verbose?: boolean;
  /** `CHECK=severity` entries for the response checks (`--severity`). */
  readonly severity?: readonly string[];
  /** Reuse a cached compile of unchanged files. @default true */
  readonly cache?: boolean;
}

function sealingKey(): Buffer | undefined {
  const raw = process.env.ARAZZO_SFN_SEAL_KEY;
  if (!raw) return undefined;
  const key = Buffer.from(raw, 'base64');
  if (key.length !== 32) throw new UsageError('ARAZZO_SFN_SEAL_KEY must be 32 bytes, base64-encoded');
  return key;
}

export async function runRun(file: string, opts: RunCommandOptions, stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): Promise<number> {
  // The emitted ASL is the compiler's, checked by its tests: a run does not pay asl-validator's start-up again.
  const compileOptions = { validateAsl: false, ...severityOptions(opts.severity) };
  const result =
    opts.cache === false
      ? await (await import('../../compiler/compile-file.js')).compileFile(file, compileOptions)
      : (await compileFileCached(file, compileOptions)).result;
  // Errors are scoped per workflow: a sibling's errors are printed and do not stop this one.
  const status = statusOf(result.status, opts.workflow);
  if (!status && result.status.length) throw new UsageError(`no workflow "${opts.workflow}" in ${file} (has: ${result.status.filter((s) => !s.source).map((s) => s.workflowId).join(', ')})`);
  if (!status?.compiled) {
    printDiagnostics(result, stderr);
    if (status) stderr.write(`${describeStatus(status)}\n`);
    return ExitCodes.usage;
  }
  if (hasErrors(result.diagnostics)) {
    printDiagnostics(result, stderr);
    stderr.write(`${file}: other workflows of the document do not compile (${result.status.filter((s) => !s.compiled).map((s) => s.workflowId).join(', ')}); running "${status.workflowId}"\n`);
  }
  const warnings = result.diagnostics.filter((d) => d.severity === 'warning').length;
  if (warnings && !opts.json && !hasErrors(result.diagnostics)) stderr.write(`${file}: ${warnings} lint warning${warnings === 1 ? '' : 's'} (arazzo-sfn validate ${file} lists them)\n`);
  const compiled = result.workflows.find((w) => w.plan.workflowId === status.workflowId)!;
  const plan = compiled.plan;

  let inputs: Record<string, unknown> = {};
  if (opts.inputs) {
    try {
      inputs = JSON.parse(await readFile(opts.inputs, 'utf8'));
    } catch (err) {
      // A JSON syntax error's message quotes the file, which may hold credentials: name the file only.
      const reason = err instanceof SyntaxError ? 'not valid JSON' : ((err as NodeJS.ErrnoException).code ?? 'unreadable');
      throw new UsageError(`cannot read --inputs ${opts.inputs}: ${reason}`);
    }
  }
  try {
    inputs = { ...inputs, ...parseInputPairs(opts.input ?? [], plan.inputsSchema as never) };
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const executionName = randomUUID();
  const localSecrets = new InMemorySecretsProvider();
  const executionInput = moveCredentialsToSecrets(plan, inputs, localSecrets, executionName);

  const serverUrls: Record<string, string> = {};
  let sandboxes: SandboxSet | undefined;
  const set = new LocalWorkflowSet(result);
  // Nested workflows call their own sources: the run maps every source of every workflow it may start.
  const sources = [...new Set(set.all.flatMap((w) => w.plan.sources.map((s) => s.name)))];
  if (opts.sandbox) {
    // Loaded only for --sandbox: nine simulators are no part of a run against real providers.
    const { startSandboxes } = await import('../../sandbox/index.js');
    sandboxes = await startSandboxes();
    for (const w of set.all) Object.assign(serverUrls, sandboxes.serverUrlsFor(w.plan));
  }
  for (const pair of opts.server ?? []) {
    const { name, url } = parseServerOption(pair);
    if (!sources.includes(name)) throw new UsageError(`--server ${name}: no source description "${name}" (has: ${sources.join(', ')})`);
    serverUrls[name] = url;
  }

  const dispatcher = new Agent({ connect: { timeout: 5_000 }, keepAliveTimeout: 10_000 });
  const secrets = new ChainedSecretsProvider([localSecrets, new EnvironmentSecretsProvider()]);
  const sealer = new AesGcmSealer(sealingKey());
  // Callback steps need a webhook receiver the provider can reach: on loopback, for the sandbox or a local provider.
  const callbacks = set.all.some((w) => w.plan.steps.some((s) => !isWorkflowStep(s) && s.callback)) ? await startLocalCallbacks({ sealer, secrets }) : undefined;
  try {
    if (!opts.json) {
      stdout.write(`running ${plan.workflowId} (execution ${executionName})\n`);
      for (const s of plan.sources) stdout.write(`  source ${s.name}: ${redactUserinfo(serverUrls[s.name] ?? s.serverUrl ?? '(no server)')}\n`);
      if (callbacks) stdout.write(`  callbacks: ${callbacks.baseUrl}/callbacks?id=<id>\n`);
    }
    const execution = await set.run(plan.workflowId, executionInput, {
      executionName,
      runtime: {
        secrets,
        sealer,
        dispatcher,
        serverUrls,
        log: opts.json ? undefined : (entry) => stdout.write(formatStepLog(entry) + '\n'),
      },
      ...(opts.waitMs !== undefined ? { waitMs: opts.waitMs } : {}),
      ...(opts.retryMs !== undefined ? { retryIntervalMs: opts.retryMs } : {}),
      ...(callbacks ? { callbacks: { local: callbacks } } : {}),
    });
    if (opts.json) stdout.write(JSON.stringify(executionToJson(execution), null, 2) + '\n');
    else stdout.write(formatExecution(execution, { history: opts.verbose ?? false }) + '\n');
    return execution.status === 'SUCCEEDED' ? ExitCodes.ok : ExitCodes.executionFailed;
  } finally {
    await dispatcher.close();
    await sandboxes?.close();
    await callbacks?.close();
  }
}
