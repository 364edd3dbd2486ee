/**
 * One call of a local Task handler as the runner saw it: the exact payload the handler received
 * (after InputPath and Parameters) and what it returned or threw (before ResultSelector,
 * ResultPath and OutputPath). The engine's own events only carry the state's raw input and final
 * output, so these are what make the Lambda/Task events of the history truthful.
 */
export interface TaskInvocation {
  input: unknown;
  startedAt: number | Date;
  /** Absent while the call is still out (a callback Task waiting for its token). */
  endedAt?: number | Date;
  /**
   * A `.waitForTaskToken` Task: when its resource was called and what that call returned. The
   * history then shows TaskSubmitted between TaskStarted and the Task's end, as AWS writes it.
   */
  submitted?: { at: number | Date; output: unknown };
  /** The handler's raw result. */
  output?: unknown;
  /** What the handler threw (an Error, or `{ name, message }`); its presence marks the call failed. */
  error?: unknown;
}

/**
 * Invocation as stored by the recorder. Payloads are serialised on arrival: handlers and the
 * engine may mutate the objects afterwards, and the history must show them as they were.
 */
export interface InvocationRecord {
  stateName: string;
  /** Arrival order, to break ties between calls started in the same millisecond. */
  seq: number;
  startedAt: number;
  inputJson: string;
  endedAt?: number;
  submitted?: { at: number; outputJson: string };
  outcome?: { kind: 'output'; outputJson: string } | { kind: 'error'; error?: string; cause?: string };
}

export const toMillis = (t: number | Date) => (typeof t === 'number' ? t : t.getTime());

/** JSON text of a payload, as the history's `input`/`output` fields hold it (compact, like AWS). */
export function toJsonText(value: unknown): string {
  try {
    return JSON.stringify(value === undefined ? null : value) ?? 'null';
  } catch (err) {
    // A payload nested past the stack (thousands of levels) cannot be written out; the history says so instead of failing.
    if (err instanceof RangeError) return JSON.stringify({ unrecordable: 'payload nested too deeply to record' });
    throw err;
  }
}

/** The history's string form of an error or cause the engine may hand over as any value. */
export function toDetailText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : toJsonText(value);
}

/** Error and cause of a thrown value, read the way the engine reads it (`name`, `cause ?? message`). */
export function describeThrown(thrown: unknown): { error?: string; cause?: string } {
  if (typeof thrown !== 'object' || thrown === null) return {};
  const { name, cause, message } = thrown as { name?: unknown; cause?: unknown; message?: unknown };
  return { error: toDetailText(name), cause: toDetailText(cause ?? message) };
}
