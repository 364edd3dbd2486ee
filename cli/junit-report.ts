import type { StepLogEntry } from '../functions/runtime/handle-step.js';
import type { LocalExecution } from '../local/run-workflow.js';

/** One workflow's run, as the JUnit report needs it. */
export interface ReportedRun {
  readonly workflowId: string;
  readonly execution: LocalExecution;
  /** Every HTTP call its steps made, nested executions' included, in order. */
  readonly calls: readonly StepLogEntry[];
}

const xml = (s: string) =>
  // XML 1.0 forbids most control characters even escaped: they are dropped.
  s
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
const secs = (ms: number) => (ms / 1000).toFixed(3);

/**
 * A JUnit XML report (the schema Jenkins, GitLab and GitHub test reporters read): one
 * <testsuite> per workflow run, one <testcase> per step that ran (its calls summed), a
 * <failure> on the step that failed, or on an "execution" case when the execution failed
 * before or between steps (invalid inputs, a dependency).
 */
export function junitReport(file: string, runs: readonly ReportedRun[]): string {
  const suites = runs.map((run) => {
    const { execution } = run;
    const byStep = new Map<string, StepLogEntry[]>();
    for (const call of run.calls) {
      const name = call.workflowId === run.workflowId ? call.stepId : `${call.workflowId} › ${call.stepId}`;
      byStep.set(name, [...(byStep.get(name) ?? []), call]);
    }
    const failed = execution.status !== 'SUCCEEDED';
    const failure = `<failure message="${xml(execution.error ?? execution.status)}" type="${xml(execution.error ?? execution.status)}">${xml(execution.cause ?? '')}</failure>`;
    let failureShown = false;
    const cases = [...byStep].map(([name, calls]) => {
      const last = calls.at(-1)!;
      const stepFailed = failed && (last.error !== undefined || last.outcome === 'failed');
      const time = calls.reduce((t, c) => t + c.durationMs, 0);
      const detail = calls.map((c) => `${c.method} ${c.path} → ${c.statusCode ?? 'no response'} ${c.error ?? c.outcome ?? ''}`).join('\n');
      if (stepFailed) failureShown = true;
      return `    <testcase classname="${xml(run.workflowId)}" name="${xml(name)}" time="${secs(time)}">${stepFailed ? failure : ''}<system-out>${xml(detail)}</system-out></testcase>`;
    });
    if (failed && !failureShown) cases.push(`    <testcase classname="${xml(run.workflowId)}" name="execution" time="0.000">${failure}</testcase>`);
    const failures = cases.filter((c) => c.includes('<failure ')).length;
    const time = execution.stopDate.getTime() - execution.startDate.getTime();
    return [
      `  <testsuite name="${xml(run.workflowId)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="0" time="${secs(time)}" timestamp="${execution.startDate.toISOString()}" file="${xml(file)}">`,
      `    <properties><property name="executionArn" value="${xml(execution.executionArn)}"/><property name="status" value="${xml(execution.status)}"/></properties>`,
      ...cases,
      '  </testsuite>',
    ].join('\n');
  });
  const tests = suites.reduce((n, s) => n + (s.match(/<testcase /g)?.length ?? 0), 0);
  const failures = suites.reduce((n, s) => n + (s.match(/<failure /g)?.length ?? 0), 0);
  const time = runs.reduce((t, r) => t + (r.execution.stopDate.getTime() - r.execution.startDate.getTime()), 0);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="arazzo-sfn ${xml(file)}" tests="${tests}" failures="${failures}" errors="0" time="${secs(time)}">\n${suites.join('\n')}\n</testsuites>\n`;
}
