import type { HistoryEvent } from '@aws-sdk/client-sfn';

export interface FormatHistoryOptions {
  /** ANSI colours (failures red, successes green). Off by default: output is often piped. */
  color?: boolean;
  /** Append each event's input/output JSON, cut to about 200 characters. */
  showData?: boolean;
}

const DATA_LIMIT = 200;
const HEADER = ['ID', 'TYPE', 'STEP', 'ELAPSED(ms)', 'DETAIL'] as const;

const ANSI = { red: '\u001b[31m', green: '\u001b[32m', bold: '\u001b[1m', reset: '\u001b[0m' };

/** Payloads and causes come from providers: keep them on one line and free of terminal controls. */
const oneLine = (text: string) => text.replace(/\s*[\r\n\t]+\s*/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f]/g, '');

function clip(text: string, limit = DATA_LIMIT) {
  const flat = oneLine(text);
  return flat.length > limit ? `${flat.slice(0, limit - 1)}…` : flat;
}

const errorText = (details: { error?: string; cause?: string } | undefined) =>
  [details?.error, details?.cause].filter((part): part is string => !!part).map((part) => clip(part)).join(': ');

/** `arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]` → `<name>`. */
function functionName(resource: string | undefined) {
  const match = /:function:([^:]+)/.exec(resource ?? '');
  return match ? match[1] : (resource ?? '');
}

const isFailure = (type: string) =>
  /(Failed|TimedOut|Aborted)$/.test(type) || type === 'FailStateEntered';

/**
 * Renders a history as the console's Events table: id, type, step, milliseconds since the
 * execution started, and a short detail (function called and how it ended, error and cause of
 * failures, Map sizes and iteration indexes). Deterministic for given events.
 */
export function formatHistory(events: readonly HistoryEvent[], options: FormatHistoryOptions = {}): string {
  const byId = new Map(events.map((event) => [event.id, event]));
  const startedAt = (events.find((e) => e.type === 'ExecutionStarted') ?? events[0])?.timestamp?.getTime() ?? 0;
  const at = (event: HistoryEvent | undefined) => event?.timestamp?.getTime() ?? startedAt;

  // Task-level events name no state: they chain back (previousEventId) to their TaskStateEntered.
  const stepNames = new Map<number, string>();
  const containerStack: string[] = [];
  const stepOf = (event: HistoryEvent): string => {
    const type = event.type ?? '';
    const own = event.stateEnteredEventDetails?.name ?? event.stateExitedEventDetails?.name;
    if (own !== undefined) return own;
    const iteration =
      event.mapIterationStartedEventDetails ??
      event.mapIterationSucceededEventDetails ??
      event.mapIterationFailedEventDetails ??
      event.mapIterationAbortedEventDetails;
    if (iteration?.name !== undefined) return iteration.name;
    if (/^(Map|Parallel)State(Started|Succeeded|Failed|Aborted)$/.test(type)) return containerStack.at(-1) ?? '';
    if (type.startsWith('Execution')) return '';
    const previous = byId.get(event.previousEventId ?? 0);
    return previous ? (stepNames.get(previous.id ?? 0) ?? '') : '';
  };

  const detailOf = (event: HistoryEvent): string => {
    const parts: string[] = [];
    const data = (label: string, json: string | undefined) => {
      if (options.showData && json !== undefined) parts.push(`${label}: ${clip(json)}`);
    };
    // AWS writes no retry event: a Scheduled following a failed call of the same Task is a retry.
    const attempt = () => {
      let count = 1;
      for (let cursor = byId.get(event.previousEventId ?? 0); cursor && !cursor.stateEnteredEventDetails; cursor = byId.get(cursor.previousEventId ?? 0)) {
        if (/Scheduled$/.test(cursor.type ?? '')) count++;
      }
      return count > 1 ? `attempt ${count}` : '';
    };
    const sinceScheduled = () => {
      const started = byId.get(event.previousEventId ?? 0);
      const scheduled = byId.get(started?.previousEventId ?? 0);
      return at(event) - at(scheduled);
    };
    switch (event.type) {
      case 'ExecutionStarted':
        data('input', event.executionStartedEventDetails?.input);
        break;
      case 'ExecutionSucceeded':
        data('output', event.executionSucceededEventDetails?.output);
        break;
      case 'ExecutionFailed':
        parts.push(errorText(event.executionFailedEventDetails));
        break;
      case 'ExecutionAborted':
        parts.push(errorText(event.executionAbortedEventDetails));
        break;
      case 'ExecutionTimedOut':
        parts.push(errorText(event.executionTimedOutEventDetails));
        break;
      case 'LambdaFunctionScheduled': {
        const details = event.lambdaFunctionScheduledEventDetails;
        parts.push(`${functionName(details?.resource)}${details?.timeoutInSeconds ? ` (timeout ${details.timeoutInSeconds}s)` : ''}`, attempt());
        data('input', details?.input);
        break;
      }
      case 'TaskScheduled': {
        const details = event.taskScheduledEventDetails;
        parts.push(`${details?.resourceType}:${details?.resource}`, attempt());
        data('parameters', details?.parameters);
        break;
      }
      case 'ActivityScheduled':
        parts.push(event.activityScheduledEventDetails?.resource ?? '', attempt());
        data('input', event.activityScheduledEventDetails?.input);
        break;
      case 'LambdaFunctionSucceeded':
      case 'TaskSucceeded':
      case 'ActivitySucceeded': {
        const details =
          event.lambdaFunctionSucceededEventDetails ?? event.taskSucceededEventDetails ?? event.activitySucceededEventDetails;
        parts.push(`succeeded in ${sinceScheduled()} ms`, describeStepResult(details?.output));
        data('output', details?.output);
        break;
      }
      case 'LambdaFunctionFailed':
        parts.push(errorText(event.lambdaFunctionFailedEventDetails));
        break;
      case 'TaskFailed':
        parts.push(errorText(event.taskFailedEventDetails));
        break;
      case 'ActivityFailed':
        parts.push(errorText(event.activityFailedEventDetails));
        break;
      case 'LambdaFunctionTimedOut':
        parts.push(errorText(event.lambdaFunctionTimedOutEventDetails));
        break;
      case 'TaskTimedOut':
        parts.push(errorText(event.taskTimedOutEventDetails));
        break;
      case 'ActivityTimedOut':
        parts.push(errorText(event.activityTimedOutEventDetails));
        break;
      case 'MapStateStarted':
        parts.push(`${event.mapStateStartedEventDetails?.length ?? 0} items`);
        break;
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed':
      case 'MapIterationAborted': {
        const details =
          event.mapIterationStartedEventDetails ??
          event.mapIterationSucceededEventDetails ??
          event.mapIterationFailedEventDetails ??
          event.mapIterationAbortedEventDetails;
        parts.push(`#${details?.index}`);
        break;
      }
      default:
        if (event.stateEnteredEventDetails) data('input', event.stateEnteredEventDetails.input);
        if (event.stateExitedEventDetails) {
          // A state left right after a failure of its own work left through a catcher.
          const previous = byId.get(event.previousEventId ?? 0);
          if (previous && isFailure(previous.type ?? '')) {
            const failure = Object.entries(previous).find(([key]) => key.endsWith('EventDetails'))?.[1] as
              | { error?: string }
              | undefined;
            parts.push(`caught${failure?.error ? ` ${clip(failure.error)}` : ''}`);
          }
          data('output', event.stateExitedEventDetails.output);
        }
    }
    return parts.filter(Boolean).join('  ');
  };

  const rows = events.map((event) => {
    const type = event.type ?? '';
    const step = stepOf(event);
    stepNames.set(event.id ?? 0, step);
    if (/^(Map|Parallel)StateEntered$/.test(type)) containerStack.push(step);
    if (/^(Map|Parallel)StateExited$/.test(type)) containerStack.pop();
    return [String(event.id ?? ''), type, oneLine(step), String(at(event) - startedAt), detailOf(event)];
  });

  const widths = HEADER.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const paint = (text: string, code: string) => (options.color ? `${code}${text}${ANSI.reset}` : text);
  const layout = (cells: readonly string[]) =>
    [
      cells[0].padStart(widths[0]),
      cells[1].padEnd(widths[1]),
      cells[2].padEnd(widths[2]),
      cells[3].padStart(widths[3]),
      cells[4],
    ]
      .join('  ')
      .trimEnd();

  const lines = [paint(layout(HEADER), ANSI.bold)];
  for (const cells of rows) {
    const type = cells[1];
    const line = layout(cells);
    if (isFailure(type)) lines.push(paint(line, ANSI.red));
    else if (type.endsWith('Succeeded')) lines.push(paint(line, ANSI.green));
    else lines.push(line);
  }
  return lines.join('\n');
}

/** An operation handler's result reads as "HTTP 200 → onSuccess.pending" (a receive step's "message received → …"): the route the Choice will take. */
function describeStepResult(output: string | undefined): string {
  if (!output) return '';
  try {
    const result = JSON.parse(output) as { statusCode?: unknown; outcome?: unknown; delaySeconds?: unknown; checks?: unknown };
    if (typeof result?.outcome !== 'string') return '';
    const wait = typeof result.delaySeconds === 'number' ? ` (next turn in ${result.delaySeconds}s)` : '';
    // Response checks that failed at warn: the step went on, and the history names them.
    const checks = Array.isArray(result.checks) ? result.checks.map((c) => (c as { check?: unknown })?.check).filter((c) => typeof c === 'string') : [];
    // A receive step's result carries no status code: a message, not an HTTP answer, resumed it.
    if (typeof result.statusCode !== 'number') return `· message received → ${result.outcome}${wait}`;
    return `· HTTP ${result.statusCode} → ${result.outcome}${wait}${checks.length ? ` · warn ${checks.join(', ')}` : ''}`;
  } catch {
    return '';
  }
}
