import { writeFile } from 'node:fs/promises';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient, type HistoryEvent } from '@aws-sdk/client-sfn';
import { compileFile, hasErrors, type CompiledWorkflow } from '../../compiler/index.js';
import { computeOverlay, renderGraphPage, type ExecutionInfo, type HistoryEventLike } from '../../local/graph/index.js';
import { awsClientOptions } from '../aws-endpoint.js';
import { ExitCodes, readUserJsonFile, UsageError } from '../cli-error.js';
import { printDiagnostics } from '../print-diagnostics.js';

export const graphHelp = `Usage: arazzo-sfn graph <file.arazzo.yml> [options]

Draws a workflow's state machine as a self-contained HTML page (inline SVG, no
scripts): states named after the steps, Choice rules and Catch clauses on the
edges. Given an execution, it highlights the path taken and each state's status
(succeeded, failed with its error, caught, in progress, not entered) and how many
times each state was entered, like the console's graph view.

Options:
  --workflow <id>        workflow to draw (default: the one the execution ran,
                         else the first in the file)
  --history <file.json>  the execution's history: what \`aws stepfunctions
                         get-execution-history\` prints, or \`arazzo-sfn run --json\`
  --execution <arn>      read the history with GetExecutionHistory instead
  --endpoint-url <url>   Step Functions endpoint for --execution (e.g. a local one);
                         default: the region's AWS endpoint
  --region <region>      region for --execution (default: the ARN's)
  --out <file.html>      write the page there (default: stdout)

Exit 0 when the page was written, 2 on usage or compile errors.`;

export interface GraphCommandOptions {
  readonly workflow?: string;
  readonly history?: string;
  readonly execution?: string;
  readonly endpointUrl?: string;
  readonly region?: string;
  readonly out?: string;
}

/** An execution as the page needs it: its events and what DescribeExecution adds. */
export interface LoadedExecution {
  readonly history: readonly HistoryEventLike[];
  readonly execution: ExecutionInfo;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const stateMachineNameOf = (arn: string | undefined) => {
  // arn:aws:states:<region>:<account>:(stateMachine|execution|express):<stateMachine>[:<execution>]
  const parts = arn?.split(':') ?? [];
  return parts.length >= 7 && /^(stateMachine|execution|express)$/.test(parts[5]) ? parts[6] : undefined;
};

function eventsOf(value: unknown, where: string): HistoryEventLike[] {
  if (!Array.isArray(value) || !value.every((e) => isObject(e) && typeof e.type === 'string')) {
    throw new UsageError(`${where}: expected a list of history events (objects with a "type")`);
  }
  return value as HistoryEventLike[];
}

function executionInfoOf(run: Record<string, unknown>): ExecutionInfo {
  const pick = (key: string) => (typeof run[key] === 'string' ? { [key]: run[key] as string } : {});
  return { ...pick('executionArn'), ...pick('stateMachineArn'), ...pick('name'), ...pick('status'), ...pick('startDate'), ...pick('stopDate'), ...pick('error'), ...pick('cause') };
}

/** `run --json` nests child executions; `--workflow` may name one of them. */
function findRun(run: Record<string, unknown>, workflowId: string | undefined): Record<string, unknown> {
  if (!workflowId || stateMachineNameOf(run.stateMachineArn as string | undefined) === workflowId) return run;
  const queue = [...(Array.isArray(run.nestedExecutions) ? run.nestedExecutions : [])];
  while (queue.length) {
    const child = queue.shift();
    if (!isObject(child)) continue;
    if (stateMachineNameOf(child.stateMachineArn as string | undefined) === workflowId) return child;
    if (Array.isArray(child.nestedExecutions)) queue.push(...child.nestedExecutions);
  }
  return run;
}

/**
 * Reads `--history`: `{"events": [...]}` (aws stepfunctions get-execution-history), the
 * `arazzo-sfn run --json` object (`history` plus DescribeExecution fields), or a bare list.
 */
export async function readHistoryFile(file: string, workflowId?: string): Promise<LoadedExecution> {
  const parsed = await readUserJsonFile('--history', file);
  if (Array.isArray(parsed)) return { history: eventsOf(parsed, file), execution: {} };
  if (isObject(parsed) && Array.isArray(parsed.events)) return { history: eventsOf(parsed.events, file), execution: {} };
  if (isObject(parsed) && Array.isArray(parsed.history)) {
    const run = findRun(parsed, workflowId);
    return { history: eventsOf(run.history, file), execution: executionInfoOf(run) };
  }
  throw new UsageError(`${file}: neither {"events": [...]} (get-execution-history) nor {"history": [...]} (arazzo-sfn run --json)`);
}

export interface FetchExecutionOptions {
  readonly endpointUrl?: string;
  readonly region?: string;
  /** A client to use instead of one built from the options (tests, callers with their own configuration). */
  readonly client?: Pick<SFNClient, 'send'>;
  /** Where DescribeExecution's failure is reported (the page is drawn without it). */
  readonly warn?: (message: string) => void;
}

const MAX_PAGES = 100;

/** Reads an execution's whole history (every page) and DescribeExecution from any Step Functions endpoint. */
export async function fetchExecution(executionArn: string, options: FetchExecutionOptions = {}): Promise<LoadedExecution> {
  if (!/^arn:[^:]+:states:[^:]*:[^:]*:execution:[^:]+:[^:]+$/.test(executionArn)) {
    throw new UsageError(`--execution expects an execution ARN (arn:aws:states:<region>:<account>:execution:<stateMachine>:<name>), got "${executionArn}"`);
  }
  const { endpoint, client: clientOptions } = awsClientOptions(options.endpointUrl);
  const region = options.region ?? (executionArn.split(':')[3] || process.env.AWS_REGION || 'us-east-1');
  const ownClient = options.client ? undefined : new SFNClient({ region, ...clientOptions });
  const client = options.client ?? ownClient!;
  const where = endpoint ? ` from ${endpoint.origin}` : '';
  try {
    const history: HistoryEvent[] = [];
    let nextToken: string | undefined;
    const seen = new Set<string>();
    for (let page = 0; ; page++) {
      let result;
      try {
        result = await client.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, ...(nextToken ? { nextToken } : {}) }));
      } catch (err) {
        const e = err as Error;
        throw new UsageError(`cannot read the history of ${executionArn}${where}: ${e.name}: ${e.message}`);
      }
      history.push(...(result.events ?? []));
      nextToken = result.nextToken;
      if (!nextToken) break;
      // A paging bug on the endpoint must not loop forever.
      if (seen.has(nextToken) || page + 1 >= MAX_PAGES) throw new UsageError(`the history of ${executionArn}${where} does not end (page ${page + 1}, token repeated or too many pages)`);
      seen.add(nextToken);
    }
    let execution: ExecutionInfo = { executionArn };
    try {
      const described = await client.send(new DescribeExecutionCommand({ executionArn }));
      execution = {
        executionArn,
        ...(described.stateMachineArn ? { stateMachineArn: described.stateMachineArn } : {}),
        ...(described.name ? { name: described.name } : {}),
        ...(described.status ? { status: described.status } : {}),
        ...(described.startDate ? { startDate: described.startDate } : {}),
        ...(described.stopDate ? { stopDate: described.stopDate } : {}),
        ...(described.error ? { error: described.error } : {}),
        ...(described.cause ? { cause: described.cause } : {}),
      };
    } catch (err) {
      const e = err as Error;
      options.warn?.(`DescribeExecution failed (${e.name}); the summary comes from the history alone`);
    }
    return { history, execution };
  } finally {
    ownClient?.destroy();
  }
}

/** The workflow the execution ran: named by the user, by the state machine in its ARN, or by the states it entered. */
export function chooseWorkflow(workflows: readonly CompiledWorkflow[], loaded: LoadedExecution | undefined, requested: string | undefined, file: string): CompiledWorkflow {
  const has = () => workflows.map((w) => w.plan.workflowId).join(', ');
  if (requested) {
    const found = workflows.find((w) => w.plan.workflowId === requested);
    if (!found) throw new UsageError(`no workflow "${requested}" in ${file} (has: ${has()})`);
    return found;
  }
  if (!workflows.length) throw new UsageError(`${file} has no workflow`);
  if (!loaded) return workflows[0];
  const named = stateMachineNameOf(loaded.execution.stateMachineArn) ?? stateMachineNameOf(loaded.execution.executionArn);
  const byName = workflows.find((w) => w.plan.workflowId === named);
  if (byName) return byName;
  const entered = computeOverlay(loaded.history).entered;
  let best = workflows[0];
  let bestScore = -1;
  for (const w of workflows) {
    const score = entered.filter((name) => Object.hasOwn(w.definition.States, name)).length;
    if (score > bestScore) [best, bestScore] = [w, score];
  }
  return best;
}

export async function runGraph(
  file: string,
  opts: GraphCommandOptions,
  stdout: NodeJS.WritableStream,
  stderr: NodeJS.WritableStream,
  deps: { readonly client?: Pick<SFNClient, 'send'> } = {},
): Promise<number> {
  if (opts.history && opts.execution) throw new UsageError('give either --history or --execution, not both');
  if (!opts.execution && (opts.endpointUrl || opts.region)) throw new UsageError('--endpoint-url and --region go with --execution');
  const result = await compileFile(file);
  if (hasErrors(result.diagnostics)) {
    printDiagnostics(result, stderr);
    return ExitCodes.usage;
  }
  const loaded = opts.history
    ? await readHistoryFile(opts.history, opts.workflow)
    : opts.execution
      ? await fetchExecution(opts.execution, {
          ...(opts.endpointUrl ? { endpointUrl: opts.endpointUrl } : {}),
          ...(opts.region ? { region: opts.region } : {}),
          ...(deps.client ? { client: deps.client } : {}),
          warn: (m) => stderr.write(`arazzo-sfn graph: ${m}\n`),
        })
      : undefined;
  const workflow = chooseWorkflow(result.workflows, loaded, opts.workflow, file);
  const html = renderGraphPage({
    definition: workflow.definition,
    workflowId: workflow.plan.workflowId,
    ...(loaded ? { history: loaded.history, execution: loaded.execution } : {}),
  });

  const states = Object.keys(workflow.definition.States).length;
  let note = `workflow ${workflow.plan.workflowId}, ${states} states`;
  if (loaded) {
    const overlay = computeOverlay(loaded.history, loaded.execution);
    const foreign = overlay.entered.filter((name) => !Object.hasOwn(workflow.definition.States, name));
    note += `, ${overlay.entered.length - foreign.length} entered, execution ${overlay.summary.status}`;
    if (foreign.length) stderr.write(`arazzo-sfn graph: the history enters states ${workflow.plan.workflowId} does not have (${foreign.map((n) => JSON.stringify(n)).join(', ')}): another workflow? (--workflow)\n`);
  }
  if (opts.out) {
    await writeFile(opts.out, html);
    stderr.write(`wrote ${opts.out} (${note})\n`);
  } else {
    stdout.write(html);
  }
  return ExitCodes.ok;
}
