import type { JsonValue, ResponseSchemas } from '../../core/plan.js';
import { isJsonMediaType, mediaTypeOf } from '../../core/media-type.js';
import type { OpenApiOperation } from '../load/load-openapi.js';

const RESPONSE_KEY = /^(?:[1-5]\d\d|[1-5]xx|default)$/i;

/**
 * The schemas of one operation are kept within this many bytes (serialised); one that would not
 * fit is left out, and answers it would describe are not schema-checked. Each operation's Lambda
 * carries its steps' plans as an esbuild define, under a 100 KiB cap (infra/cdk).
 */
export const MAX_RESPONSE_SCHEMA_BYTES = 24 * 1024;

/** Keywords that annotate and never constrain: dropped so that the plan stays small. */
const ANNOTATIONS = new Set(['description', 'example', 'examples', 'title', 'externalDocs', 'xml', 'discriminator', 'deprecated', 'readOnly', 'writeOnly', '$comment']);

/**
 * A dereferenced schema made self-contained: a `$ref` left in it (recursive, or out of reach)
 * and a cycle accept anything; OpenAPI 3.0's `nullable: true` becomes a `null` member of `type`
 * (draft 4 has no `nullable`); annotations are dropped.
 */
function selfContained(schema: unknown, openapi30: boolean, seen: object[] = []): JsonValue {
  if (schema === null || typeof schema !== 'object') return schema as JsonValue;
  if (seen.includes(schema)) return {};
  if (Array.isArray(schema)) return schema.map((s) => selfContained(s, openapi30, [...seen, schema]));
  const source = schema as Record<string, unknown>;
  if (typeof source.$ref === 'string') return {};
  const out: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(source)) {
    if (ANNOTATIONS.has(key) || key.startsWith('x-') || key === 'nullable') continue;
    // Property names and enum/const values are data, not schemas: copied as they are.
    if (key === 'enum' || key === 'const' || key === 'required' || key === 'default') out[key] = structuredClone(value) as JsonValue;
    else if ((key === 'properties' || key === 'patternProperties' || key === '$defs' || key === 'definitions' || key === 'dependentSchemas') && value && typeof value === 'object') {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, s]) => [name, selfContained(s, openapi30, [...seen, schema])]));
    } else out[key] = selfContained(value, openapi30, [...seen, schema]);
  }
  if (openapi30 && source.nullable === true) {
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    else if (Array.isArray(out.type) && !out.type.includes('null')) out.type = [...out.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  }
  return out;
}

/**
 * The schemas the SCHEMA_CHECK validates JSON answers against: per response key, per JSON media
 * type. Undefined when the operation declares none.
 */
export function responseSchemasOf(operation: OpenApiOperation, openapiVersion: string): ResponseSchemas | undefined {
  const openapi30 = openapiVersion.startsWith('3.0');
  const byResponse: Record<string, Record<string, JsonValue>> = {};
  let used = 0;
  for (const [rawKey, response] of Object.entries(operation.responses ?? {})) {
    if (!RESPONSE_KEY.test(rawKey) || !response || typeof response !== 'object' || !response.content || typeof response.content !== 'object') continue;
    const key = rawKey.toLowerCase() === 'default' ? 'default' : rawKey.toUpperCase();
    for (const [rawType, media] of Object.entries(response.content)) {
      const type = mediaTypeOf(rawType);
      if (!isJsonMediaType(type) || !media || typeof media !== 'object' || media.schema === undefined) continue;
      const schema = selfContained(media.schema, openapi30);
      const size = Buffer.byteLength(JSON.stringify(schema));
      if (used + size > MAX_RESPONSE_SCHEMA_BYTES) continue;
      used += size;
      (byResponse[key] ??= {})[type] = schema;
    }
  }
  return Object.keys(byResponse).length ? { dialect: openapi30 ? '4' : '2020-12', byResponse } : undefined;
}
