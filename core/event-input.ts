// Execution inputs picked from an EventBridge event. A rule's input template cannot leave a key
// out, so an event without an optional field would still write it (as null or an empty string)
// and its schema default would never apply. Instead the rule passes the whole event and the
// paths of the inputs (`{"x-arazzo-sfn-event": {"paths": {...}, "event": <the event>}}`), and
// the input check picks each path that the event has: an absent one leaves its input out.

/** The member of an execution input that carries an event and the paths of the inputs in it. */
export const EVENT_INPUT_KEY = 'x-arazzo-sfn-event';

export interface EventInput {
  /** Workflow input name → its JSON path in the event (`$.detail.email`, `$.id`, `$.detail.items[0]`). */
  readonly paths: Readonly<Record<string, string>>;
  readonly event: unknown;
}

const SEGMENT = /\.([A-Za-z0-9_$-]+)|\[(\d+)\]/y;

/** The path's members (`$.detail.items[0]` → detail, items, 0), or undefined when it is not one the input picker reads. */
export function parseEventPath(path: string): (string | number)[] | undefined {
  if (!path.startsWith('$')) return undefined;
  const members: (string | number)[] = [];
  SEGMENT.lastIndex = 1;
  let at = 1;
  while (at < path.length) {
    SEGMENT.lastIndex = at;
    const m = SEGMENT.exec(path);
    if (!m) return undefined;
    members.push(m[1] !== undefined ? m[1] : Number(m[2]));
    at = SEGMENT.lastIndex;
  }
  return members;
}

/** The value at `path` in `event`, or undefined when the event does not have it. */
export function readEventPath(event: unknown, path: string): unknown {
  const members = parseEventPath(path);
  if (!members) return undefined;
  let value: unknown = event;
  for (const member of members) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, member)) return undefined;
    value = (value as Record<string | number, unknown>)[member];
  }
  return value;
}

/**
 * The execution input with its event member replaced by the inputs picked from the event: each
 * path the event has gives its input, an absent one (or `null`) leaves it out so that the
 * schema's default applies. Members set beside the event (secret references, constants) stay.
 * An input without the member is returned as is.
 */
export function inputsFromEvent(input: Readonly<Record<string, unknown>>): { inputs: Record<string, unknown>; problems: string[] } {
  if (!Object.hasOwn(input, EVENT_INPUT_KEY)) return { inputs: { ...input }, problems: [] };
  const { [EVENT_INPUT_KEY]: carried, ...rest } = input;
  const { paths, event } = (carried ?? {}) as Partial<EventInput>;
  if (!paths || typeof paths !== 'object' || Array.isArray(paths)) return { inputs: rest, problems: [`inputs.${EVENT_INPUT_KEY}: must be {"paths": {...}, "event": {...}}`] };
  const problems: string[] = [];
  const inputs: Record<string, unknown> = { ...rest };
  for (const [name, path] of Object.entries(paths)) {
    if (typeof path !== 'string' || !parseEventPath(path)) {
      problems.push(`inputs.${EVENT_INPUT_KEY}.paths.${name}: not a JSON path of dotted names and [index]es`);
      continue;
    }
    const value = readEventPath(event, path);
    if (value !== undefined && value !== null && !Object.hasOwn(rest, name)) inputs[name] = value;
  }
  return { inputs, problems };
}
