import { Validator, type Schema } from '@cfworker/json-schema';
import { mediaTypeOf } from '../../../core/media-type.js';
import type { JsonValue, ResponseSchemas } from '../../../core/plan.js';

/** Validators built once per schema object of the plan and reused across warm invocations. */
const validators = new WeakMap<object, Validator>();

function validatorFor(schema: JsonValue, dialect: ResponseSchemas['dialect']): Validator {
  if (schema === null || typeof schema !== 'object') return new Validator(schema as unknown as Schema, dialect, false);
  let validator = validators.get(schema);
  if (!validator) {
    validator = new Validator(schema as Schema, dialect, false);
    validators.set(schema, validator);
  }
  return validator;
}

/** The schema declared for a status (its own key, else its range, else `default`) and JSON media type; undefined when none is. */
export function declaredSchemaFor(schemas: ResponseSchemas, statusCode: number, contentType: string): JsonValue | undefined {
  for (const key of [String(statusCode), `${Math.floor(statusCode / 100)}XX`, 'default']) {
    const byType = schemas.byResponse[key];
    if (!byType) continue;
    // The label's own entry, else (any JSON type reads the same way) the first JSON entry.
    return byType[mediaTypeOf(contentType)] ?? Object.values(byType)[0];
  }
  return undefined;
}

/** At most this many problems are named: enough to find the drift, short enough for a history event. */
const MAX_PROBLEMS = 3;

/**
 * Validates a parsed JSON body against its declared schema. Returns the problems as
 * `<instance pointer> (<keyword>)`: where and which rule, never the value, since the message
 * reaches the execution history. Empty when the body matches.
 */
export function schemaProblems(schema: JsonValue, dialect: ResponseSchemas['dialect'], body: unknown): string[] {
  const result = validatorFor(schema, dialect).validate(body);
  if (result.valid) return [];
  // The deepest findings say most: a failed `properties` at the root only repeats a failed `type` below it.
  const leaves = result.errors.filter((e) => !result.errors.some((o) => o !== e && o.keywordLocation.startsWith(`${e.keywordLocation}/`)));
  const named = [...new Set(leaves.map((e) => `${e.instanceLocation.replace(/^#/, '') || '/'} (${e.keyword})`))];
  return named.length > MAX_PROBLEMS ? [...named.slice(0, MAX_PROBLEMS), `${named.length - MAX_PROBLEMS} more`] : named;
}
