import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { StepLogEntry } from '../functions/runtime/handle-step.js';
import { formatHistory, historyToJson } from '../local/history/index.js';
import type { LocalExecution } from '../local/run-workflow.js';
import { plain, statusColour, type Style } from './style.js';

export interface StepLogFormat {
  readonly style?: Style;
  /** The pause every Wait state takes instead of its real delay (`--wait-ms`), when shortened. */
  readonly waitMs?: number;
}

const seconds = (s: number) => `${s} s`;

/** One line per HTTP call a step made: the step, the call, the status, the time and where it routed (and what the wait before the next turn really is). */
export function formatStepLog(e: StepLogEntry, format: StepLogFormat = {}): string {
  const style = format.style ?? plain;
  const code = e.statusCode;
  // A receive step (Arazzo 1.1) makes no HTTP call: it registers its wait for a message.
  const receives = e.method === 'RECEIVE' && !e.error;
  const statusText = code !== undefined ? `→ ${code}` : receives ? '→ wait' : '→ no response';
  const status = receives
    ? style.green(statusText.padEnd(7))
    : code === undefined || code >= 400 ? style.red(statusText.padEnd(7)) : code >= 300 ? style.yellow(statusText.padEnd(7)) : style.green(statusText.padEnd(7));
  const wait =
    e.nextTurnSeconds === undefined
      ? ''
      : format.waitMs !== undefined && format.waitMs !== e.nextTurnSeconds * 1000
        ? ` (wait ${seconds(e.nextTurnSeconds)}, shortened to ${format.waitMs} ms)`
        : ` (wait ${seconds(e.nextTurnSeconds)})`;
  const checks = e.checks?.length ? `  ${style.yellow(`warn ${e.checks.join(', ')}`)}` : '';
  const route = e.error ? style.red(`error ${e.error}`) : e.outcome === 'failed' ? style.red('failed') : `${e.outcome ?? ''}${wait}${checks}`;
  const line = `  ${e.stepId.padEnd(20)} ${`${e.method} ${e.path}`.padEnd(60)} ${status} ${`${Math.round(e.durationMs)} ms`.padStart(6)}  ${route}`;
  // What the provider answered when the step failed: already truncated and redacted by the handler.
  return e.providerAnswer ? `${line}\n${' '.repeat(24)}${style.dim(`provider answered: ${e.providerAnswer}`)}` : line;
}

export function formatExecutionSummary(execution: LocalExecution, style: Style = plain): string {
  const lines = [
    `status: ${statusColour(style, execution.status)}  (${execution.stopDate.getTime() - execution.startDate.getTime()} ms, ${execution.history.length} history events)`,
  ];
  if (execution.status === 'SUCCEEDED') lines.push(`output: ${JSON.stringify(execution.output, null, 2)}`);
  else lines.push(`error:  ${style.red(execution.error ?? '')}`, `cause:  ${execution.cause ?? ''}`);
  return lines.join('\n');
}

export function formatExecution(execution: LocalExecution, opts: { history: boolean; showData?: boolean; style?: Style }): string {
  const parts: string[] = [];
  if (opts.history) {
    parts.push(`history (GetExecutionHistory of ${execution.executionArn}):`);
    parts.push(formatHistory([...execution.history], { showData: opts.showData ?? false }));
    // Nested executions (workflow steps, goto a workflow, dependsOn) are executions of their own, as in the console.
    for (const child of execution.children) {
      parts.push(`nested execution ${child.executionArn}:`);
      parts.push(formatExecution(child, opts).replace(/^/gm, '  '));
    }
  } else if (execution.children.length) {
    parts.push(
      `nested executions: ${execution.children.map((c) => `${c.stateMachineArn.split(':').pop()} ${statusColour(opts.style ?? plain, c.status)}`).join(', ')}`,
    );
  }
  parts.push(formatExecutionSummary(execution, opts.style));
  return parts.join('\n');
}

/** Which step a Task state runs, for the state machine an execution belongs to. */
export type StepOfState = (stateMachineArn: string, stateName: string) => string | undefined;

const parse = (json: string | undefined): unknown => {
  if (json === undefined) return undefined;
  try {
    return JSON.parse(json);
  } catch {
    return undefined;
  }
};

/**
 * Each step's outputs, as its Task returned them (the last visit of a step wins). Sealed values
 * stay sealed: this reads the history, which never holds them opened.
 */
export function stepOutputs(execution: LocalExecution, stepOf: StepOfState): Record<string, { outputs: Record<string, unknown> }> {
  const steps: Record<string, { outputs: Record<string, unknown> }> = {};
  let state: string | undefined;
  for (const event of execution.history as readonly HistoryEvent[]) {
    if (event.type === 'TaskStateEntered') state = event.stateEnteredEventDetails?.name;
    const output = event.lambdaFunctionSucceededEventDetails?.output ?? event.taskSucceededEventDetails?.output;
    if (state === undefined || output === undefined) continue;
    const stepId = stepOf(execution.stateMachineArn, state);
    const result = parse(output) as { outputs?: unknown; outcome?: unknown } | undefined;
    // A callback step's first answer ("waiting") carries no outputs yet; the callback's does.
    if (stepId && result && typeof result.outputs === 'object' && result.outputs !== null && result.outcome !== 'waiting') {
      steps[stepId] = { outputs: result.outputs as Record<string, unknown> };
    }
  }
  return steps;
}

/**
 * The `--json` form: the execution as DescribeExecution shows it (`error` and `cause` stay its
 * strings), its history, and what a test runner reports: `success`, the workflow `outputs` as an
 * object, each step's `outputs`, and `failure {name, cause}` when it failed.
 */
export function executionToJson(execution: LocalExecution, stepOf: StepOfState = () => undefined): Record<string, unknown> {
  const success = execution.status === 'SUCCEEDED';
  return {
    executionArn: execution.executionArn,
    stateMachineArn: execution.stateMachineArn,
    name: execution.name,
    status: execution.status,
    startDate: execution.startDate.toISOString(),
    stopDate: execution.stopDate.toISOString(),
    input: JSON.stringify(execution.input),
    ...(success ? { output: JSON.stringify(execution.output) } : {}),
    ...(execution.error !== undefined ? { error: execution.error } : {}),
    ...(execution.cause !== undefined ? { cause: execution.cause } : {}),
    success,
    outputs: success && typeof execution.output === 'object' && execution.output !== null ? execution.output : {},
    steps: stepOutputs(execution, stepOf),
    ...(success ? {} : { failure: { name: execution.error ?? execution.status, cause: execution.cause ?? '' } }),
    history: historyToJson([...execution.history]).events,
    ...(execution.children.length ? { nestedExecutions: execution.children.map((c) => executionToJson(c, stepOf)) } : {}),
  };
}
