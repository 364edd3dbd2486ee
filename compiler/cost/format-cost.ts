import type { CostReport, CostUnits } from './estimate-cost.js';

const usd = (value: number) => `$${value.toFixed(4)}`;
const formula = (base: number, loops: readonly number[]) => [String(base), ...loops.map((b, i) => `${b}·n${loops.length > 1 ? i + 1 : ''}`)].join(' + ');

/**
 * The cost report as `compile` prints it: the formula of transitions and Lambda calls per
 * execution (`a + b·n`, n the extra turns of each loop), the price per 1,000 executions, the
 * hand-written minimum, and the prices used.
 */
export function formatCostReport(report: CostReport): string {
  const { path, loops, prices } = report;
  const lines: string[] = [];
  const range = (pick: (u: CostUnits) => number) => (report.longestPath ? `${pick(path)}–${pick(report.longestPath)}` : String(pick(path)));
  const loopNote = loops.map((l, i) => `n${loops.length > 1 ? i + 1 : ''} = extra turns of ${l.state}${l.maxTurns !== undefined ? `, at most ${l.maxTurns - 1}` : ''}`).join('; ');
  lines.push(
    `cost of ${report.workflowId}: ${formula(path.transitions, loops.map((l) => l.transitions))} state transitions, ${formula(path.lambdaInvocations, loops.map((l) => l.lambdaInvocations))} Lambda invocations per execution${loopNote ? ` (${loopNote})` : ''}`,
  );
  if (report.nested.length) lines.push(`  plus, per nested execution, the cost of ${report.nested.join(', ')} (its own report)`);
  if (report.longestPath) lines.push(`  longest success path (optional steps taken): ${range((u) => u.transitions)} transitions, ${range((u) => u.lambdaInvocations)} Lambda invocations`);
  const turns = loops.length ? `, + ${report.per1000.perLoopTurn.map(usd).join(' / ')} per loop turn` : '';
  lines.push(`  per 1,000 executions: ${usd(report.per1000.path)}${turns}; a hand-written machine for the same calls: ${usd(report.per1000.handWritten)} (${report.handWritten.transitions} transitions, ${report.handWritten.lambdaInvocations} Lambda invocations${report.overhead.length ? `; arazzo-sfn adds ${report.overhead.join(', ')}` : ''})`);
  if (report.throttles.length) {
    const [t] = report.throttles;
    lines.push(
      `  each wait on a provider's 429 with Retry-After (${report.throttles.map((x) => x.state).join(', ')}; at most ${t.maxTurns} in a row): + ${t.transitions} transitions, + ${t.lambdaInvocations} Lambda invocation${t.lambdaInvocations === 1 ? '' : 's'}, + ${usd(report.per1000.perThrottle)} per 1,000 (two Pass states read the delay, the Wait, the call again; nothing on an execution without a 429)`,
    );
  }
  lines.push(
    `  prices (${prices.region}): $${prices.stateTransitionsPer1000}/1,000 transitions, $${prices.lambdaRequestsPerMillion}/1M Lambda requests, $${prices.lambdaGbSecond}/GB-s; ${prices.memoryMb} MB, assumed ${prices.operationMs} ms per operation call and ${prices.workflowFunctionMs} ms per workflow function call (${prices.source})`,
  );
  return lines.join('\n');
}
