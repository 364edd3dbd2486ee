import { isWholeExpression, parseTemplate } from '../../core/expressions/index.js';
import { isFormMediaType, mediaTypeOf } from '../../core/media-type.js';
import type { JsonValue, RequestBodyPlan } from '../../core/plan.js';
import type { ArazzoStep } from '../validate/arazzo-schema.js';
import type { BoundOperation } from './bind-operation.js';
import { checkValueExpressions } from './check-expressions.js';
import { reportAt, type PlanContext } from './plan-context.js';

/** The content type a step sends: its own, else the operation's first, else JSON. */
export function requestContentType(step: ArazzoStep, op: BoundOperation): string {
  return step.requestBody?.contentType ?? Object.keys(op.operation.requestBody?.content ?? {})[0] ?? 'application/json';
}

/** The request body of an operation step, as the plan carries it. */
export function planRequestBody(ctx: PlanContext, step: ArazzoStep, op: BoundOperation, sp: string): RequestBodyPlan | undefined {
  if (step.requestBody?.payload !== undefined) checkValueExpressions(ctx.loaded.source, step.requestBody.payload as JsonValue, `${sp}/requestBody/payload`, ctx.diagnostics);
  const declaredTypes = Object.keys(op.operation.requestBody?.content ?? {});
  const contentType = requestContentType(step, op);
  if (step.requestBody && declaredTypes.length && !declaredTypes.some((t) => t.split(';')[0] === contentType.split(';')[0])) {
    reportAt(ctx, `${sp}/requestBody/contentType`, 'unlistedContentType', `content type "${contentType}" is not one the operation lists (${declaredTypes.join(', ')}); the body is sent as ${contentType} anyway`, 'warning');
  }
  if (!step.requestBody) return undefined;
  const replacements = (step.requestBody.replacements ?? []).map((r) => ({ target: r.target, value: r.value as JsonValue }));
  let payload = jsonTextAsValue(contentType, (step.requestBody.payload ?? null) as JsonValue);
  if (replacements.length) payload = replaceablePayload(ctx, contentType, payload, `${sp}/requestBody`);
  return { contentType, payload, replacements };
}

/**
 * A payload that `replacements` (JSON pointers into the payload) can address: an object or list
 * as it is; a form written as text (`a=1&b={$inputs.b}`) as its fields, so `/b` names one (a
 * repeated name becomes a list, encoded again as repeated pairs). Any other string (text, XML,
 * multipart, JSON text that is not JSON) or scalar is refused: a pointer into text has nothing to
 * set (ASFN1024), and at run time it would fail on the first call.
 */
function replaceablePayload(ctx: PlanContext, contentType: string, payload: JsonValue, pointer: string): JsonValue {
  if (payload === null || typeof payload === 'object') return payload;
  // A payload that is one runtime expression (`$steps.list.outputs.menu`) is the value it designates,
  // known at run time: Arazzo 1.0.1 evaluates payload expressions before the call, and resolves
  // replacement targets against that body. The runtime refuses it by name if it is not an object or list.
  if (typeof payload === 'string' && isWholeExpressionText(payload)) return payload;
  if (typeof payload === 'string' && isFormMediaType(mediaTypeOf(contentType))) {
    const fields: Record<string, JsonValue> = {};
    for (const [name, value] of new URLSearchParams(payload.trim())) {
      const previous = fields[name];
      fields[name] = previous === undefined ? value : Array.isArray(previous) ? [...previous, value] : [previous, value];
    }
    if (!Object.keys(fields).some((name) => name.includes('{$'))) return fields;
  }
  const what = typeof payload === 'string' ? `a ${mediaTypeOf(contentType) || 'text'} payload written as text` : `a ${typeof payload} payload`;
  reportAt(
    ctx,
    `${pointer}/replacements`,
    'stringPayloadReplacement',
    `replacements cannot apply to ${what}: their targets point into an object (or a form's fields), and this payload is sent as written; write the values into the payload with {$...} instead`,
  );
  return payload;
}

/**
 * A JSON payload written as JSON text (`payload: '{ "customer": "{$inputs.customer}" }'`, as the
 * spec's bnpl example does) is read as the value it spells, so a whole-string expression keeps
 * its type instead of being pasted into the text (which would break the JSON).
 */
function jsonTextAsValue(contentType: string, payload: JsonValue): JsonValue {
  if (typeof payload !== 'string' || !/json/i.test(contentType.split(';')[0])) return payload;
  const trimmed = payload.trim();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return payload;
  let parsed: JsonValue;
  try {
    parsed = JSON.parse(trimmed) as JsonValue;
  } catch {
    return payload;
  }
  // In JSON text an expression must sit in quotes: `"{$inputs.customer}"` stands for the value itself.
  const unquote = (v: JsonValue): JsonValue =>
    typeof v === 'string'
      ? (/^\{(\$[^{}]+)\}$/.exec(v)?.[1] ?? v)
      : Array.isArray(v)
        ? v.map(unquote)
        : v && typeof v === 'object'
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unquote(x)]))
          : v;
  return unquote(parsed);
}

function isWholeExpressionText(text: string): boolean {
  try {
    return isWholeExpression(parseTemplate(text));
  } catch {
    return false;
  }
}
