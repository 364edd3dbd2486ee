import { evaluateExpression } from '../../../core/expressions/index.js';
import type { ReceivedMessage } from '../callbacks/callback-store.js';

/**
 * The value a message carries at an AsyncAPI location (`$message.header#/id`,
 * `$message.payload#/data/id`), as text; undefined when it carries none there, or an object.
 */
export function readMessageLocation(location: string, message: ReceivedMessage): string | undefined {
  // A Correlation ID Object's location reads `$message.header#/name`: a header is one value, named by the pointer's token.
  const header = /^\$message\.header#\/(.+)$/.exec(location);
  const value = header
    ? message.headers[header[1].toLowerCase()]
    : evaluateExpression(location, { inputs: {}, steps: {}, message: { headers: { ...message.headers }, payload: message.payload } });
  return value === undefined || value === null || typeof value === 'object' ? undefined : String(value);
}
