import { join, relative } from 'node:path';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { Dispatcher } from 'undici';
import { compileFile, formatDiagnostic, hasErrors, type CompileResult, type CompiledWorkflow, type Diagnostic } from '../../../compiler/index.js';
import { AesGcmSealer, InMemorySecretsProvider, isSealed } from '../../../functions/runtime/secrets/index.js';
import type { StepLogEntry } from '../../../functions/runtime/handle-step.js';
import type { LocalExecution } from '../../../local/run-workflow.js';
import { LocalWorkflowSet } from '../../../local/workflow-set.js';
import type { RequestLogEntry } from '../../../sandbox/http/index.js';
import type { ExampleSandbox } from '../../../sandbox/oai-examples/index.js';
import { ROOT } from './seed-harness.js';

export const OAI_EXAMPLES_DIR = join(ROOT, 'test/fixtures/oai-examples');
export const oaiExample = (file: string) => join(OAI_EXAMPLES_DIR, file);

const compiled = new Map<string, Promise<CompileResult>>();

/** Compiles an example once per test file; never throws for problems in the document. */
export function compileExample(file: string): Promise<CompileResult> {
  let found = compiled.get(file);
  if (!found) {
    // Offline: a test never reaches the internet; a remote source reads only its locked copy (docs/remote-sources.md).
    found = compileFile(oaiExample(file), { remoteSources: 'offline' });
    compiled.set(file, found);
  }
  return found;
}

/** Messages name files as the compiler displays them (relative to the working directory): keep the file name only. */
const withoutFolder = (text: string) => text.replaceAll(`${OAI_EXAMPLES_DIR}/`, '').replaceAll(`${relative(process.cwd(), OAI_EXAMPLES_DIR)}/`, '');

/** `CODE message` of each error, for exact comparison. */
export function errorsOf(result: CompileResult): string[] {
  return result.diagnostics.filter((d) => d.severity === 'error').map((d) => withoutFolder(`${d.code} ${d.message}`));
}

export function describeDiagnostics(diagnostics: readonly Diagnostic[]): string {
  return diagnostics.map((d) => withoutFolder(formatDiagnostic(d))).join('\n');
}

/** The compiled workflows of an example, failing with its diagnostics when it does not compile. */
export async function compiledExample(file: string): Promise<CompileResult> {
  const result = await compileExample(file);
  if (hasErrors(result.diagnostics)) throw new Error(`${file} does not compile:\n${describeDiagnostics(result.diagnostics)}`);
  return result;
}

const sets = new Map<string, Promise<LocalWorkflowSet>>();

async function workflowSet(file: string): Promise<LocalWorkflowSet> {
  let found = sets.get(file);
  if (!found) {
    found = compiledExample(file).then((result) => new LocalWorkflowSet(result));
    sets.set(file, found);
  }
  return found;
}

export interface ExampleRun {
  readonly execution: LocalExecution;
  /** Names of the states the execution entered, in order. */
  readonly statesEntered: readonly string[];
  /** The requests of this run as the sandbox logged them: [method, operationId, status]. */
  readonly calls: readonly (readonly [string, string | undefined, number])[];
  readonly requests: readonly RequestLogEntry[];
  /** The runtime's log lines: step, request line, status, outcome. */
  readonly steps: readonly StepLogEntry[];
}

export const statesEnteredIn = (history: readonly HistoryEvent[]) =>
  history.filter((e) => e.stateEnteredEventDetails).map((e) => e.stateEnteredEventDetails!.name!);

export interface OaiRunner {
  readonly secrets: InMemorySecretsProvider;
  readonly sealer: AesGcmSealer;
  /**
   * Runs workflow `workflowId` of example `file` on the embedded engine against `sandbox` (every
   * source description of the document served by it), with 1 ms waits and retry intervals.
   */
  run(file: string, workflowId: string, input: Record<string, unknown>, sandbox: ExampleSandbox<unknown, unknown, unknown>, options?: { readonly dispatcher?: Dispatcher }): Promise<ExampleRun>;
  /** Opens a sealed workflow output (a credential) with the run's sealer. */
  unseal(file: string, value: unknown): Promise<unknown>;
}

export function createOaiRunner(): OaiRunner {
  const secrets = new InMemorySecretsProvider();
  const sealer = new AesGcmSealer();

  async function run(file: string, workflowId: string, input: Record<string, unknown>, sandbox: ExampleSandbox<unknown, unknown, unknown>, options: { readonly dispatcher?: Dispatcher } = {}): Promise<ExampleRun> {
    const set = await workflowSet(file);
    const serverUrls = Object.fromEntries(set.all.flatMap((w) => w.plan.sources.map((s) => [s.name, sandbox.serverUrl])));
    const steps: StepLogEntry[] = [];
    const logBefore = sandbox.requestLog.length;
    const requestsBefore = sandbox.stats.requests;
    const execution = await set.run(workflowId, input, {
      runtime: { secrets, sealer, serverUrls, log: (entry) => steps.push(entry), ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}) },
      waitMs: 1,
      retryIntervalMs: 1,
      timeoutMs: 60_000,
    });
    const requests = sandbox.requestLog.slice(logBefore);
    if (requests.length !== sandbox.stats.requests - requestsBefore) throw new Error('the sandbox request log overflowed during the run');
    return {
      execution,
      statesEntered: statesEnteredIn(execution.history),
      calls: requests.map((r) => [r.method, r.operationId, r.status] as const),
      requests,
      steps,
    };
  }

  async function unseal(file: string, value: unknown): Promise<unknown> {
    if (!isSealed(value)) throw new Error(`not a sealed value: ${typeof value}`);
    const [workflow] = (await compiledExample(file)).workflows as CompiledWorkflow[];
    return JSON.parse(await sealer.unseal(value, workflow.plan.steps[0].sealContext));
  }

  return { secrets, sealer, run, unseal };
}
