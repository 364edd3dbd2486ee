import { randomBytes } from 'node:crypto';
import type { CompileResult, CompiledWorkflow } from '../../../compiler/index.js';
import { AesGcmSealer, InMemorySecretsProvider } from '../../../functions/runtime/secrets/index.js';
import type { TokenCache } from '../../../functions/runtime/auth/index.js';
import { LocalWorkflow, type ExecutionStatus, type LocalExecution, type LocalRunOptions } from '../../../local/run-workflow.js';
import { LocalWorkflowSet } from '../../../local/workflow-set.js';
import type { LoopbackServer, RecordedRequest } from './loopback-server.js';

export interface ConstructRun {
  readonly status: ExecutionStatus;
  readonly output?: unknown;
  /** The Fail state's error name, e.g. `Arazzo.StepFailed`. */
  readonly error?: string;
  readonly cause?: string;
  /** Names of the states entered, in order (`Validate inputs`, `<stepId>`, `<stepId>.route`, …). */
  readonly statesEntered: readonly string[];
  /** The requests the server received during this run only. */
  readonly requests: readonly RecordedRequest[];
  readonly execution: LocalExecution;
}

export interface RunWorkflowOptions {
  /** Secrets the in-memory provider holds (`secret:<name>` inputs resolve against them). */
  readonly secrets?: Readonly<Record<string, string>>;
  /** The runtime's token cache (x-security oauth2/openIdConnect), to share across runs or drive its clock. */
  readonly tokenCache?: TokenCache;
}

/**
 * Runs a compiled workflow on the embedded engine with every source description served by
 * `server`, waits and Task retry pauses shortened to 1 ms.
 */
export async function runWorkflow(
  compiled: CompiledWorkflow,
  input: unknown,
  server: LoopbackServer,
  options: RunWorkflowOptions = {},
): Promise<ConstructRun> {
  const before = server.requests.length;
  const execution = await new LocalWorkflow(compiled).run(input, runOptions(compiled.plan.sources, server, options));
  return {
    status: execution.status,
    ...(execution.output !== undefined ? { output: execution.output } : {}),
    ...(execution.error !== undefined ? { error: execution.error } : {}),
    ...(execution.cause !== undefined ? { cause: execution.cause } : {}),
    statesEntered: execution.history.filter((e) => e.stateEnteredEventDetails).map((e) => e.stateEnteredEventDetails!.name!),
    requests: server.requests.slice(before),
    execution,
  };
}

/** The engine's options for a run against `server`: every source served by it, pauses shortened to 1 ms. */
function runOptions(sources: readonly { readonly name: string }[], server: LoopbackServer, options: RunWorkflowOptions): LocalRunOptions {
  return {
    runtime: {
      secrets: new InMemorySecretsProvider({ ...options.secrets }),
      sealer: new AesGcmSealer(randomBytes(32)),
      serverUrls: Object.fromEntries(sources.map((s) => [s.name, server.url])),
      ...(options.tokenCache ? { tokenCache: options.tokenCache } : {}),
    },
    waitMs: 1,
    retryIntervalMs: 1,
    timeoutMs: 20_000,
  };
}

/** Runs one workflow of a compiled document as `runWorkflow` does, with the others available to it (nested executions, dependsOn). */
export function runInWorkflowSet(result: CompileResult, workflowId: string, input: unknown, server: LoopbackServer, options: RunWorkflowOptions = {}): Promise<LocalExecution> {
  const sources = result.workflows.flatMap((w) => w.plan.sources);
  return new LocalWorkflowSet(result).run(workflowId, input, runOptions(sources, server, options));
}
