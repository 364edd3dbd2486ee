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
  return {
    contentType,
    payload: jsonTextAsValue(contentType, (step.requestBody.payload ?? null) as JsonValue),
    replacements: (step.requestBody.replacements ?? []).map((r) => ({ target: r.target, value: r.value as JsonValue })),
  };
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
