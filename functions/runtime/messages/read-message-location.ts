import { evaluateExpression } from '../../../core/expressions/index.js';
import { pointerTokens } from '../../../core/json-pointer.js';
import type { ReceivedMessage } from '../callbacks/callback-store.js';

/**
 * The value a message carries at an AsyncAPI location (`$message.header#/id`,
 * `$message.payload#/data/id`), as text; undefined when it carries none there, or an object.
 */
export function readMessageLocation(location: string, message: ReceivedMessage): string | undefined {
  // A Correlation ID Object's location reads `$message.header#/name`: a header is one value, named by the pointer's token.
  const header = /^\$message\.header#(\/.+)$/.exec(location);
  const value = header
    ? headerAt(message.headers, pointerTokens(header[1]))
    : evaluateExpression(location, { inputs: {}, steps: {}, message: { headers: { ...message.headers }, payload: message.payload } });
  return value === undefined || value === null || typeof value === 'object' ? undefined : String(value);
}

/**
 * The header one pointer token names (RFC 6901 escapes decoded, as the compiler reads the location
 * for an MQTT rule), by its lower-cased name; undefined for a deeper pointer (a header is one
 * string) or a name the message does not carry itself.
 */
function headerAt(headers: Readonly<Record<string, string>>, tokens: readonly string[]): string | undefined {
  const name = tokens.length === 1 ? tokens[0].toLowerCase() : undefined;
  return name !== undefined && Object.hasOwn(headers, name) ? headers[name] : undefined;
}
