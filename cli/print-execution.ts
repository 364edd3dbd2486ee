import type { StepLogEntry } from '../functions/runtime/handle-step.js';
import { formatHistory, historyToJson } from '../local/history/index.js';
import type { LocalExecution } from '../local/run-workflow.js';

export function formatStepLog(e: StepLogEntry): string {
  const status = e.statusCode !== undefined ? `→ ${e.statusCode}` : '→ no response';
  const route = e.error
    ? `error ${e.error}`
    : `${e.outcome ?? ''}${e.nextTurnSeconds !== undefined ? ` (waiting ${e.nextTurnSeconds} s for the next turn)` : ''}${e.checks?.length ? `  warn ${e.checks.join(', ')}` : ''}`;
  return `  ${e.stepId.padEnd(20)} ${`${e.method} ${e.path}`.padEnd(60)} ${status.padEnd(7)} ${`${Math.round(e.durationMs)} ms`.padStart(6)}  ${route}`;
}

export function formatExecutionSummary(execution: LocalExecution): string {
  const lines = [`status: ${execution.status}  (${execution.stopDate.getTime() - execution.startDate.getTime()} ms, ${execution.history.length} history events)`];
  if (execution.status === 'SUCCEEDED') lines.push(`output: ${JSON.stringify(execution.output, null, 2)}`);
  else lines.push(`error:  ${execution.error ?? ''}`, `cause:  ${execution.cause ?? ''}`);
  return lines.join('\n');
}

export function formatExecution(execution: LocalExecution, opts: { history: boolean; showData?: boolean }): string {
  const parts: string[] = [];
  if (opts.history) {
    parts.push(`history (GetExecutionHistory of ${execution.executionArn}):`);
    parts.push(formatHistory([...execution.history], { showData: opts.showData ?? false }));
  }
  // Nested executions (workflow steps, goto a workflow, dependsOn) are executions of their own, as in the console.
  for (const child of execution.children) {
    parts.push(`nested execution ${child.executionArn}:`);
    parts.push(formatExecution(child, opts).replace(/^/gm, '  '));
  }
  parts.push(formatExecutionSummary(execution));
  return parts.join('\n');
}

/** The `--json` form: the execution as DescribeExecution shows it, plus its history. */
export function executionToJson(execution: LocalExecution): Record<string, unknown> {
  return {
    executionArn: execution.executionArn,
    stateMachineArn: execution.stateMachineArn,
    name: execution.name,
    status: execution.status,
    startDate: execution.startDate.toISOString(),
    stopDate: execution.stopDate.toISOString(),
    input: JSON.stringify(execution.input),
    ...(execution.status === 'SUCCEEDED' ? { output: JSON.stringify(execution.output) } : {}),
    ...(execution.error !== undefined ? { error: execution.error } : {}),
    ...(execution.cause !== undefined ? { cause: execution.cause } : {}),
    history: historyToJson([...execution.history]).events,
    ...(execution.children.length ? { nestedExecutions: execution.children.map(executionToJson) } : {}),
  };
}
