import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TlsAlertAgent } from '../../functions/runtime/http/tls-alert-agent.js';
import { compileFile, hasErrors, type CompiledWorkflow } from '../../compiler/index.js';
import { AesGcmSealer, InMemorySecretsProvider } from '../../functions/runtime/secrets/index.js';
import { startLocalCallbacks } from '../../local/local-callbacks.js';
import { LocalWorkflowSet } from '../../local/workflow-set.js';
import { DEMO_PERSONAL_DATA, DEMO_SIGNING, DEMO_WEBHOOK_VERIFICATION, MBANQ_DEMO_TENANT, pointDemoWebhooks, startDemoSandboxes } from '../demo-sandboxes.js';
import { sealPersonalInputs } from '../../functions/runtime/personal/seal-personal-inputs.js';
import { ExitCodes, UsageError } from '../cli-error.js';
import { formatExecution, formatStepLog } from '../print-execution.js';
import { printDiagnostics } from '../print-diagnostics.js';
import { plain, type Style } from '../style.js';

export const demoHelp = `Usage: arazzo-sfn demo [--dir workflows] [--wait-ms 200] [--warnings] [--verbose]

The main job: compiles every workflows/arazzo/*.arazzo.yml, starts the provider sandbox
on 127.0.0.1, runs each workflow with its example inputs (workflows/examples/<id>.inputs.json)
on the embedded Step Functions engine, and prints each execution's calls, status and
outputs; --verbose adds its history (the shape of GetExecutionHistory).
Demo credentials are created for this run and kept in the local secrets provider: the
executions only carry "secret:" references. Seed 001's payment calls are signed (draft-cavage
rsa-sha256) with a key made for this run, and the PIS simulator verifies them. Waits are shortened (--wait-ms) so the polls
finish in seconds; "arazzo-sfn run" waits for real by default.
Exit 0 when every execution succeeded.`;

export interface DemoOptions {
  readonly dir?: string;
  readonly waitMs?: number;
  readonly warnings?: boolean;
  /** Print each execution's history. @default false */
  readonly verbose?: boolean;
  readonly style?: Style;
}

export async function runDemo(opts: DemoOptions, out: NodeJS.WritableStream): Promise<number> {
  const dir = opts.dir ?? 'workflows';
  const style = opts.style ?? plain;
  const arazzoDir = join(dir, 'arazzo');
  let files: string[];
  try {
    files = (await readdir(arazzoDir))
      .filter((f) => /\.arazzo\.ya?ml$/.test(f))
      .sort()
      .map((f) => join(arazzoDir, f));
  } catch {
    throw new UsageError(`no ${arazzoDir} folder here: run the demo from the repository root`);
  }

  out.write(`arazzo-sfn demo: compile ${files.length} workflow file(s), run them on the embedded Step Functions engine against the embedded sandbox\n\n`);
  const workflows: { compiled: CompiledWorkflow; set: LocalWorkflowSet }[] = [];
  for (const file of files) {
    const started = performance.now();
    const result = await compileFile(file, { signing: DEMO_SIGNING, personalData: DEMO_PERSONAL_DATA, webhookVerification: DEMO_WEBHOOK_VERIFICATION });
    const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
    if (opts.warnings || errors) printDiagnostics(result, out, style);
    for (const w of result.workflows) {
      out.write(
        `compiled ${file} → ${w.plan.workflowId}: ${Object.keys(w.definition.States).length} states, ${Object.keys(w.tasks).length} Task states (${Math.round(performance.now() - started)} ms, ${result.diagnostics.length - errors} lint warnings)\n`,
      );
    }
    if (hasErrors(result.diagnostics)) return ExitCodes.usage;
    const set = new LocalWorkflowSet(result);
    workflows.push(...result.workflows.map((compiled) => ({ compiled, set })));
  }

  const demo = await startDemoSandboxes();
  const { sandboxes } = demo;
  const secrets = new InMemorySecretsProvider(demo.secrets);
  // One sealer for the run: the webhook receiver opens what the callback step's handler sealed.
  const sealer = new AesGcmSealer();
  const callbacks = await startLocalCallbacks({ sealer, secrets });
  const fintectureWebhookUrl = pointDemoWebhooks(sandboxes, callbacks);
  const dispatcher = new TlsAlertAgent({ connectTimeoutMs: 5_000 });
  const waitMs = opts.waitMs ?? 200;
  let failed = 0;
  try {
    out.write(`\nsandbox: Fintecture (Customers, OAuth, PIS; signed payment webhooks to ${fintectureWebhookUrl}) at ${sandboxes.fintecture.url}\n`);
    out.write(`sandbox: Mbanq Cloud (tenant ${MBANQ_DEMO_TENANT}) at ${sandboxes.mbanq.url}\n`);
    out.write(`sandbox: connectFi (KYC callbacks to ${callbacks.baseUrl}/callbacks?id=<id>, or as messages to ${callbacks.baseUrl}/messages/<source>/<channel>) at ${sandboxes.connectfi.url}\n`);
    out.write(`waits shortened to ${waitMs} ms for the demo (--wait-ms); credentials live in the local secrets provider\n`);

    for (const { compiled, set } of workflows) {
      const id = compiled.plan.workflowId;
      const inputsFile = join(dir, 'examples', `${id}.inputs.json`);
      let input: unknown;
      try {
        input = withLocalReceiver(JSON.parse(await readFile(inputsFile, 'utf8')), callbacks.baseUrl);
      } catch (err) {
        throw new UsageError(`cannot read the example inputs ${inputsFile}: ${(err as Error).message}`);
      }
      // Sealed before it is printed: the personal inputs the demo declares (DEMO_PERSONAL_DATA) never show.
      input = await sealPersonalInputs(compiled.plan, input, sealer);
      out.write(`\n${style.bold(`━━━ ${id} ━━━`)}\ninput: ${JSON.stringify(input)}\n`);
      const unserved = sandboxes.unservedSources(compiled.plan);
      if (unserved.length) throw new UsageError(`${id}: the sandbox has no simulator for source(s) ${unserved.join(', ')}`);
      const execution = await set.run(id, input, {
        runtime: {
          secrets,
          sealer,
          dispatcher,
          // Send steps on SQS, SNS or EventBridge publish to the embedded broker (Arazzo 1.1).
          messages: callbacks.broker,
          serverUrls: sandboxes.serverUrlsFor(compiled.plan),
          log: (entry) => out.write(formatStepLog(entry, { style, waitMs }) + '\n'),
        },
        waitMs,
        retryIntervalMs: 100,
        callbacks: { local: callbacks },
      });
      out.write(formatExecution(execution, { history: opts.verbose ?? false, style }) + '\n');
      if (execution.status !== 'SUCCEEDED') failed++;
    }
  } finally {
    await dispatcher.close();
    await sandboxes.close();
    await callbacks.close();
  }
  out.write(`\n${workflows.length - failed} of ${workflows.length} executions succeeded\n`);
  return failed ? ExitCodes.executionFailed : ExitCodes.ok;
}

/**
 * Example inputs name the local receiver as `{localReceiver}` (its port is chosen per run): an
 * AsyncAPI receive step's provider is handed `{localReceiver}/messages/<source>/<channel>`. On AWS
 * the same input is the stack's WebhookUrl output followed by that path.
 */
function withLocalReceiver(input: unknown, baseUrl: string): unknown {
  if (!input || typeof input !== 'object' || Array.isArray(input)) return input;
  return Object.fromEntries(Object.entries(input).map(([k, v]) => [k, typeof v === 'string' && v.startsWith('{localReceiver}') ? `${baseUrl}${v.slice('{localReceiver}'.length)}` : v]));
}
