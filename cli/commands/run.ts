import { LocalBroker } from '../../local/local-broker.js';
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import type { CompileResult, CompiledWorkflow } from '../../compiler/compile-file.js';
import { hasErrors } from '../../compiler/diagnostics/index.js';
import { localStateMachineArnFor } from '../../compiler/emit/emit-asl.js';
import { describeStatus, statusOf, type WorkflowStatus } from '../../compiler/workflow-status.js';
import { isWorkflowStep, type WorkflowPlan } from '../../core/plan.js';
import type { StepLogEntry } from '../../functions/runtime/handle-step.js';
import { AesGcmSealer, ChainedSecretsProvider, EnvironmentSecretsProvider, InMemorySecretsProvider } from '../../functions/runtime/secrets/index.js';
import { ClientCertificateAgents, TlsAlertAgent } from '../../functions/runtime/http/index.js';
import { startLocalCallbacks } from '../../local/local-callbacks.js';
import { receiveStepUrls } from '../../local/receive-step-urls.js';
import { moveCredentialsToSecrets, parseInputPairs } from '../../local/prepare-inputs.js';
import type { LocalExecution } from '../../local/run-workflow.js';
import { LocalWorkflowSet } from '../../local/workflow-set.js';
import type { SandboxSet } from '../../sandbox/index.js';
import { ExitCodes, readUserJsonFile, UsageError } from '../cli-error.js';
import type { RemoteSourceOptions } from '../../compiler/load/remote-sources.js';
import { compileFileCached } from '../compile-cache.js';
import { remoteFlagsHelp } from '../load-flags.js';
import { junitReport, type ReportedRun } from '../junit-report.js';
import { parseServerOption, redactUserinfo } from '../parse-server-option.js';
import { printDiagnostics } from '../print-diagnostics.js';
import { executionToJson, formatExecution, formatStepLog, type StepOfState } from '../print-execution.js';
import { severityHelp, severityOptions } from '../severity-option.js';
import { readSigningOption, signingHelp, signingOptionWarnings } from '../signing-option.js';
import { throttleHelp, throttleOptions } from '../throttle-option.js';
import { checkPersonalMatched, personalHelp, personalOption } from '../personal-option.js';
import { plain, statusColour, type Style } from '../style.js';

export const runHelp = `Usage: arazzo-sfn run <file.arazzo.yml> [options]

Compiles the document and runs its workflows on the embedded Step Functions engine, with
the operation handlers in-process, against real servers or the embedded sandbox. Without
--workflow, every workflow of the file runs, dependencies (dependsOn) first, followed by a
summary table; a workflow that does not compile is reported and the others still run.

Options:
  --workflow <id>        run this workflow only
  --input <name=value>   a workflow input (repeatable); credential inputs go to the
                         local secrets provider and the execution sees "secret:<name>"
  --inputs <file.json>   workflow inputs as a JSON object (--input entries override)
${personalHelp}
  --server <name=url>    server URL of a source description (repeatable)
${signingHelp}
  --sandbox              serve every source the simulators know from the embedded sandbox,
                         with the demo credentials in the local secrets provider, so
                         --inputs workflows/examples/<id>.inputs.json runs as in "demo"
  --wait-ms <n>          pause n ms in every Wait state instead of the real delay
  --retry-ms <n>         pause n ms between Task retries instead of the real backoff
  --json                 print the execution as JSON: DescribeExecution's fields, its history,
                         success, outputs, each step's outputs, failure {name, cause}
  --junit <file.xml>     also write a JUnit XML report (a test suite per workflow, a test
                         case per step)
${severityHelp}
${throttleHelp}
  --verbose              print each execution's history
  --no-cache             compile even if an unchanged compile is cached (the cache lives in
                         node_modules/.cache/arazzo-sfn, or ARAZZO_SFN_CACHE_DIR)
${remoteFlagsHelp}

Credentials can also be referenced: --input accessToken=secret:<name> reads
<name> from the environment variable ARAZZO_SECRET_<NAME>, or from the file that
ARAZZO_SECRET_<NAME>_FILE names (PEM certificates and keys for mutualTLS, docs/mtls.md).
Exit 0 when every execution succeeded, 1 when one failed, 2 on usage or compile errors.`;

export interface RunCommandOptions {
  readonly workflow?: string;
  /** How remote source descriptions are fetched and locked (--offline, --update-lock, --allow-private-fetch). */
  readonly remote?: RemoteSourceOptions;
  readonly input?: readonly string[];
  readonly inputs?: string;
  /** `--personal` entries: `[<workflowId>:]<input path or $steps.<id>.outputs.<name>>`. */
  readonly personal?: readonly string[];
  readonly server?: readonly string[];
  /** `--signing <file>`: request signing per source description name (JSON or YAML). */
  readonly signing?: string;
  readonly sandbox?: boolean;
  readonly waitMs?: number;
  readonly retryMs?: number;
  readonly json?: boolean;
  readonly junit?: string;
  readonly verbose?: boolean;
  /** `CHECK=severity` entries for the response checks (`--severity`). */
  readonly severity?: readonly string[];
  /** `off`, `on` or the bounds of the throttled Wait (`--throttle`). */
  readonly throttle?: string;
  /** Reuse a cached compile of unchanged files. @default true */
  readonly cache?: boolean;
  /** Colours for stdout (none with --json). @default plain */
  readonly style?: Style;
  /** Colours for stderr. @default plain */
  readonly errStyle?: Style;
}

function sealingKey(): Buffer | undefined {
  const raw = process.env.ARAZZO_SFN_SEAL_KEY;
  if (!raw) return undefined;
  const key = Buffer.from(raw, 'base64');
  if (key.length !== 32) throw new UsageError('ARAZZO_SFN_SEAL_KEY must be 32 bytes, base64-encoded');
  return key;
}

/** The compiled workflows of the document, each after the workflows it depends on. */
function inDependsOnOrder(result: CompileResult): CompiledWorkflow[] {
  const byId = new Map(result.workflows.map((w) => [w.plan.workflowId, w]));
  const ordered: CompiledWorkflow[] = [];
  const visiting = new Set<string>();
  const visit = (w: CompiledWorkflow) => {
    if (ordered.includes(w) || visiting.has(w.plan.workflowId)) return;
    visiting.add(w.plan.workflowId);
    for (const dep of w.plan.dependsOn) if (!dep.source && byId.has(dep.workflowId)) visit(byId.get(dep.workflowId)!);
    ordered.push(w);
  };
  for (const w of result.workflows) visit(w);
  return ordered;
}

async function readInputsFile(path: string): Promise<Record<string, unknown>> {
  const value = await readUserJsonFile('--inputs', path);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UsageError(`--inputs ${path}: expected a JSON object of workflow inputs`);
  return value as Record<string, unknown>;
}

/** With several workflows, each gets the inputs its schema declares when the schema admits no others. */
function inputsFor(plan: WorkflowPlan, all: Record<string, unknown>, several: boolean): Record<string, unknown> {
  const schema = plan.inputsSchema as { properties?: Record<string, unknown>; additionalProperties?: unknown } | undefined;
  if (!several || !schema?.properties || schema.additionalProperties !== false) return all;
  return Object.fromEntries(Object.entries(all).filter(([k]) => k in schema.properties!));
}

/** `--server` pairs, checked before anything starts: a typo is exit 2 at once, never a sandbox left open. */
function serverOverrides(pairs: readonly string[], sources: readonly string[]): Record<string, string> {
  const urls: Record<string, string> = {};
  for (const pair of pairs) {
    const { name, url } = parseServerOption(pair);
    if (!sources.includes(name)) throw new UsageError(`--server ${name}: no source description "${name}" (has: ${sources.join(', ')})`);
    urls[name] = url;
  }
  return urls;
}

function summaryTable(runs: readonly ReportedRun[], notCompiled: readonly WorkflowStatus[], style: Style): string {
  const width = Math.max(8, ...runs.map((r) => r.workflowId.length), ...notCompiled.map((s) => s.workflowId.length));
  const lines = [`${'WORKFLOW'.padEnd(width)}  STATUS     ${'TIME'.padStart(8)}  CALLS  ERROR`];
  for (const r of runs) {
    const ms = r.execution.stopDate.getTime() - r.execution.startDate.getTime();
    lines.push(
      `${r.workflowId.padEnd(width)}  ${statusColour(style, r.execution.status.padEnd(9))}  ${`${ms} ms`.padStart(8)}  ${String(r.calls.length).padStart(5)}  ${r.execution.error ?? ''}`,
    );
  }
  for (const s of notCompiled)
    lines.push(`${s.workflowId.padEnd(width)}  ${style.red('NOT RUN  ')}  ${''.padStart(8)}  ${''.padStart(5)}  does not compile (${s.reason ?? 'errors'})`);
  const ok = runs.filter((r) => r.execution.status === 'SUCCEEDED').length;
  lines.push(`${ok} of ${runs.length + notCompiled.length} workflows succeeded`);
  return lines.join('\n');
}

export async function runRun(file: string, opts: RunCommandOptions, stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): Promise<number> {
  const style = opts.json ? plain : (opts.style ?? plain);
  // The emitted ASL is the compiler's, checked by its tests: a run does not pay asl-validator's start-up again.
  // --sandbox: the PIS simulator verifies request signatures, so the run signs as the demo does (a key made for the run).
  const demo = opts.sandbox ? await import('../demo-sandboxes.js') : undefined;
  // A bad --signing file stops the run before anything compiles or starts: its errors are at file:line:col.
  const signingFile = opts.signing !== undefined ? await readSigningOption(opts.signing) : undefined;
  if (signingFile && !signingFile.signing) {
    printDiagnostics(signingFile, stderr, opts.errStyle);
    return ExitCodes.usage;
  }
  // The file's declarations win over the demo's, per source.
  const declared = { ...demo?.DEMO_SIGNING, ...signingFile?.signing };
  const signing = Object.keys(declared).length ? { signing: declared } : {};
  // --sandbox runs the seeds as the demo does: their personal data declared by the demo's configuration.
  const personalData = personalOption(opts.personal ?? [], demo?.DEMO_PERSONAL_DATA);
  const compileOptions = {
    validateAsl: false,
    ...severityOptions(opts.severity),
    ...throttleOptions(opts.throttle),
    ...opts.remote,
    ...signing,
    ...(personalData ? { personalData } : {}),
    // --sandbox verifies seed 003's callbacks as the demo does (the simulator signs them).
    ...(demo ? { webhookVerification: demo.DEMO_WEBHOOK_VERIFICATION } : {}),
  };
  const result =
    // --update-lock fetches: a cached compile would skip it.
    opts.cache === false || opts.remote?.remoteSources === 'update'
      ? await (await import('../../compiler/compile-file.js')).compileFile(file, compileOptions)
      : (await compileFileCached(file, compileOptions)).result;
  // Errors are scoped per workflow: a sibling's errors are printed and do not stop the others.
  const own = result.status.filter((s) => !s.source);
  let selected: CompiledWorkflow[];
  let notCompiled: WorkflowStatus[] = [];
  if (opts.workflow !== undefined) {
    const status = statusOf(result.status, opts.workflow);
    if (!status && own.length) throw new UsageError(`no workflow "${opts.workflow}" in ${file} (has: ${own.map((s) => s.workflowId).join(', ')})`);
    if (!status?.compiled) {
      printDiagnostics(result, stderr, opts.errStyle);
      if (status) stderr.write(`${describeStatus(status)}\n`);
      return ExitCodes.usage;
    }
    selected = result.workflows.filter((w) => w.plan.workflowId === status.workflowId);
    if (hasErrors(result.diagnostics)) {
      printDiagnostics(result, stderr, opts.errStyle);
      stderr.write(
        `${file}: other workflows of the document do not compile (${own
          .filter((s) => !s.compiled)
          .map((s) => s.workflowId)
          .join(', ')}); running "${status.workflowId}"\n`,
      );
    }
  } else {
    notCompiled = own.filter((s) => !s.compiled);
    selected = inDependsOnOrder(result).filter((w) => own.some((s) => s.compiled && s.workflowId === w.plan.workflowId));
    if (hasErrors(result.diagnostics)) {
      printDiagnostics(result, stderr, opts.errStyle);
      if (!selected.length) {
        for (const s of notCompiled) stderr.write(`${describeStatus(s)}\n`);
        return ExitCodes.usage;
      }
      // As with --workflow: the valid ones run, the others are reported (and listed in the summary).
      stderr.write(
        `${file}: other workflows of the document do not compile (${notCompiled.map((s) => s.workflowId).join(', ')}); running ${selected.map((w) => `"${w.plan.workflowId}"`).join(', ')}\n`,
      );
    }
  }
  checkPersonalMatched(personalData, result.workflows.map((w) => w.plan.personalInputs), file);
  if (signingFile) printDiagnostics({ diagnostics: signingOptionWarnings(signingFile, result) }, stderr, opts.errStyle);
  const warnings = result.diagnostics.filter((d) => d.severity === 'warning').length;
  if (warnings && !opts.json && !hasErrors(result.diagnostics))
    stderr.write(`${file}: ${warnings} lint warning${warnings === 1 ? '' : 's'} (arazzo-sfn validate ${file} lists them)\n`);
  const several = selected.length > 1;

  // Everything the user typed is checked before a server or a sandbox starts.
  const fileInputs = opts.inputs ? await readInputsFile(opts.inputs) : {};
  const set = new LocalWorkflowSet(result);
  // Nested workflows call their own sources: the run maps every source of every workflow it may start.
  const sources = [...new Set(set.all.flatMap((w) => w.plan.sources.map((s) => s.name)))];
  const overrides = serverOverrides(opts.server ?? [], sources);
  const localSecrets = new InMemorySecretsProvider();
  const prepared = selected.map((compiled) => {
    const plan = compiled.plan;
    let inputs: Record<string, unknown>;
    try {
      inputs = inputsFor(plan, { ...fileInputs, ...parseInputPairs(opts.input ?? [], plan.inputsSchema as never) }, several);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const executionName = randomUUID();
    return { compiled, executionName, input: moveCredentialsToSecrets(plan, inputs, localSecrets, executionName) };
  });

  // Where a Task's state machine comes from, to name the step its Task state runs.
  const tasksByArn = new Map<string, CompiledWorkflow['tasks']>([
    ...result.workflows.map((w) => [localStateMachineArnFor(w.plan.workflowId), w.tasks] as const),
    ...result.external.map((e) => [localStateMachineArnFor(e.workflow.plan.workflowId, e.source), e.workflow.tasks] as const),
  ]);
  const stepOf: StepOfState = (arn, state) => {
    const binding = tasksByArn.get(arn)?.[state];
    return binding && 'stepId' in binding ? binding.stepId : undefined;
  };

  const sealer = new AesGcmSealer(sealingKey());
  const secretProviders = [localSecrets, new EnvironmentSecretsProvider()];
  let sandboxes: SandboxSet | undefined;
  let callbacks: Awaited<ReturnType<typeof startLocalCallbacks>> | undefined;
  // Remembers TLS alerts, so a server that refuses the connection's client certificate fails the step by name.
  const dispatcher = new TlsAlertAgent({ connectTimeoutMs: 5_000, keepAliveTimeoutMs: 10_000 });
  const clientCertificates = new ClientCertificateAgents();
  const serverUrls: Record<string, string> = {};
  const runs: ReportedRun[] = [];
  // Whatever happens from here on (a failed start, an interrupted run), every server started closes.
  try {
    if (opts.sandbox) {
      // Loaded only for --sandbox: the simulators are no part of a run against real providers.
      const { startDemoSandboxes } = await import('../demo-sandboxes.js');
      const demo = await startDemoSandboxes();
      sandboxes = demo.sandboxes;
      secretProviders.push(new InMemorySecretsProvider(demo.secrets));
      for (const w of set.all) Object.assign(serverUrls, sandboxes.serverUrlsFor(w.plan));
      const unserved = [...new Set(set.all.flatMap((w) => sandboxes!.unservedSources(w.plan)))].filter((s) => !overrides[s]);
      if (unserved.length) {
        const where = unserved.map((s) => `${s} → ${set.all.flatMap((w) => w.plan.sources).find((x) => x.name === s)?.serverUrl ?? '(no server)'}`);
        stderr.write(
          `arazzo-sfn: --sandbox does not simulate ${unserved.length === 1 ? 'source' : 'sources'} ${where.join(', ')}: ${unserved.length === 1 ? 'it is' : 'they are'} called at ${unserved.length === 1 ? 'its' : 'their'} own server (--server <name>=<url> points elsewhere)\n`,
        );
      }
    }
    Object.assign(serverUrls, overrides);
    const secrets = new ChainedSecretsProvider(secretProviders);
    // Callback and receive steps need a receiver the provider can reach: on loopback, for the sandbox or a local provider
    // (it holds the embedded broker too, so a message published on SQS, SNS or EventBridge reaches a receive step).
    if (set.all.some((w) => w.plan.steps.some((s) => !isWorkflowStep(s) && (s.callback || s.receive)))) {
      callbacks = await startLocalCallbacks({ sealer, secrets });
      if (sandboxes) {
        const { pointDemoWebhooks } = await import('../demo-sandboxes.js');
        pointDemoWebhooks(sandboxes, callbacks);
        // The simulators that answer over a broker (the Tic Tac Toe game service) listen on the run's embedded broker.
        sandboxes.serveMessages(callbacks.broker);
      }
    }

    for (const { compiled, executionName, input } of prepared) {
      const plan = compiled.plan;
      const calls: StepLogEntry[] = [];
      if (!opts.json) {
        stdout.write(`${several ? '\n' : ''}running ${style.bold(plan.workflowId)} (execution ${executionName})\n`);
        for (const s of plan.sources) stdout.write(`  source ${s.name}: ${redactUserinfo(serverUrls[s.name] ?? s.serverUrl ?? '(no server)')}\n`);
        if (callbacks) stdout.write(`  callbacks: ${callbacks.baseUrl}/callbacks?id=<id>\n`);
        // Where a message for a receive step may be POSTed from outside the run (on a broker channel, it is published on its queue, topic or bus).
        for (const r of callbacks ? receiveStepUrls(plan, callbacks) : []) {
          stdout.write(`  messages for ${r.stepId}: ${r.url}${r.publishedOn ? ` (published on ${r.publishedOn})` : ''}\n`);
        }
      }
      const execution: LocalExecution = await set.run(plan.workflowId, input, {
        executionName,
        runtime: {
          secrets,
          sealer,
          dispatcher,
          // Send steps on SQS, SNS or EventBridge publish to the embedded broker (Arazzo 1.1).
          messages: callbacks?.broker ?? new LocalBroker(),
          clientCertificates,
          serverUrls,
          log: (entry) => {
            calls.push(entry);
            if (!opts.json) stdout.write(formatStepLog(entry, { style, ...(opts.waitMs !== undefined ? { waitMs: opts.waitMs } : {}) }) + '\n');
          },
        },
        ...(opts.waitMs !== undefined ? { waitMs: opts.waitMs } : {}),
        ...(opts.retryMs !== undefined ? { retryIntervalMs: opts.retryMs } : {}),
        ...(callbacks ? { callbacks: { local: callbacks } } : {}),
      });
      runs.push({ workflowId: plan.workflowId, execution, calls });
      if (!opts.json) stdout.write(formatExecution(execution, { history: opts.verbose ?? false, style }) + '\n');
    }
  } finally {
    await dispatcher.close();
    await clientCertificates.close();
    await sandboxes?.close();
    await callbacks?.close();
  }

  const success = runs.every((r) => r.execution.status === 'SUCCEEDED');
  if (opts.json) {
    const json = several
      ? {
          success,
          executions: runs.map((r) => executionToJson(r.execution, stepOf)),
          ...(notCompiled.length ? { notCompiled: notCompiled.map((s) => ({ workflowId: s.workflowId, reason: describeStatus(s) })) } : {}),
        }
      : executionToJson(runs[0].execution, stepOf);
    stdout.write(JSON.stringify(json, null, 2) + '\n');
  } else if (several) {
    stdout.write(`\n${summaryTable(runs, notCompiled, style)}\n`);
  }
  if (opts.junit) {
    try {
      await writeFile(opts.junit, junitReport(file, runs));
    } catch (err) {
      throw new UsageError(`cannot write --junit ${opts.junit}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    if (!opts.json) stderr.write(`wrote ${opts.junit} (JUnit XML, ${runs.length} test suite${runs.length === 1 ? '' : 's'})\n`);
  }
  // Siblings that do not compile were reported; the exit code is the runs' (issue 13 §1: a valid workflow's run succeeds).
  return success ? ExitCodes.ok : ExitCodes.executionFailed;
}
