/**
 * Specification extensions (`x-...` fields) of an OpenAPI description are tools' business, not
 * arazzo-sfn's (except the ones it reads): they are left out before `$ref`s are followed, so a `$ref` inside one that leads
 * nowhere (a code generator's hint, a vendor's sample) does not stop the load.
 */

/** Members whose keys are names an author chose (a header named `X-Rate-Limit`, a property `x-id`), not fields. */
const NAMED_MAPS = new Set([
  'properties', 'patternProperties', 'dependentSchemas', '$defs', 'definitions', 'headers', 'content', 'encoding', 'responses', 'callbacks', 'links',
  'examples', 'schemas', 'parameters', 'requestBodies', 'securitySchemes', 'pathItems', 'mediaTypes', 'paths', 'webhooks', 'variables', 'mapping', 'scopes',
  'additionalOperations',
  // AsyncAPI 3.0 (load-asyncapi.ts).
  'channels', 'operations', 'messages', 'servers',
]);

/** The extensions arazzo-sfn itself reads, kept: a security scheme's signing declaration (compiler/plan/plan-signing.ts), an AsyncAPI channel's EventBridge binding (plan-channel.ts). */
const READ_EXTENSIONS = new Set(['x-arazzo-sfn-signing', 'x-eventbridge']);

const isExtension = (key: string, parentKey: string | undefined) => /^x-/i.test(key) && !NAMED_MAPS.has(parentKey ?? '') && !READ_EXTENSIONS.has(key);

/** A copy of a parsed description without its extension members (at any depth). */
export function omitExtensions<T>(value: T, parentKey?: string): T {
  if (Array.isArray(value)) return value.map((v) => omitExtensions(v)) as T;
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) if (!isExtension(key, parentKey)) out[key] = omitExtensions(child, key);
  return out as T;
}
