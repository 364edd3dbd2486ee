import type { ResponseMediaTypes } from '../../core/plan.js';
import { mediaTypeOf } from '../../core/media-type.js';
import type { OpenApiOperation } from '../load/load-openapi.js';

/** A status (`200`), a range (`4XX`, any case in the description) or `default`: the keys of a Responses Object. */
const RESPONSE_KEY = /^(?:[1-5]\d\d|[1-5]xx|default)$/i;

/**
 * What the handler checks each answer's Content-Type against: response key → the bare,
 * lower-case media types of its `content` (an empty list for a response without content, so a
 * status that matches it is not sent on to its range or `default`). Undefined when no response
 * declares content: then there is nothing to check, and the plan stays as it was.
 */
export function responseMediaTypesOf(operation: OpenApiOperation): ResponseMediaTypes | undefined {
  const byKey: Record<string, string[]> = {};
  let anyContent = false;
  for (const [rawKey, response] of Object.entries(operation.responses ?? {})) {
    if (!RESPONSE_KEY.test(rawKey)) continue;
    const key = rawKey.toLowerCase() === 'default' ? 'default' : rawKey.toUpperCase();
    const content = response && typeof response === 'object' && response.content && typeof response.content === 'object' ? response.content : {};
    const mediaTypes = [...new Set(Object.keys(content).map((t) => mediaTypeOf(t)).filter((t) => t !== ''))];
    if (mediaTypes.length) anyContent = true;
    byKey[key] = mediaTypes;
  }
  return anyContent ? byKey : undefined;
}
