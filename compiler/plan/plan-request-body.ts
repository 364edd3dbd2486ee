import { isWholeExpression, parseTemplate } from '../../core/expressions/index.js';
import { isFormMediaType, isXmlMediaType, mediaTypeOf } from '../../core/media-type.js';
import type { ExpressionTypePlan, JsonValue, ReplacementPlan, RequestBodyPlan } from '../../core/plan.js';
import type { ArazzoStep } from '../validate/arazzo-schema.js';
import type { BoundOperation } from './bind-operation.js';
import { checkValueExpressions } from './check-expressions.js';
import { reportAt, type PlanContext } from './plan-context.js';
import { checkSelectorAt, planExpressionType, planPayloadSelections, planSelectableValue } from './plan-selectors.js';

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
  const planned = planPayloadSelections(ctx, jsonTextAsValue(contentType, (step.requestBody.payload ?? null) as JsonValue), `${sp}/requestBody/payload`);
  let payload = planned.payload;
  const raw = step.requestBody.replacements ?? [];
  // Arazzo 1.1: an untyped target is an XPath when the payload is XML (written as text), else a JSON pointer.
  const xmlText = typeof payload === 'string' && isXmlMediaType(mediaTypeOf(contentType)) && !isWholeExpressionText(payload);
  const replacements = raw.map((r, i) => planReplacement(ctx, r, xmlText, `${sp}/requestBody/replacements/${i}`));
  // An XML text payload takes XPath targets only (planReplacement reports the others).
  if (!xmlText && replacements.length) payload = replaceablePayload(ctx, contentType, payload, `${sp}/requestBody`);
  return { contentType, payload, ...(planned.selections.length ? { selections: planned.selections } : {}), replacements };
}

type RawReplacement = NonNullable<NonNullable<ArazzoStep['requestBody']>['replacements']>[number];

/** A Payload Replacement Object: its target checked for its type (targetSelectorType, or the payload's default), its value maybe a Selector Object. */
function planReplacement(ctx: PlanContext, r: RawReplacement, xmlText: boolean, pointer: string): ReplacementPlan {
  const targetType = r.targetSelectorType === undefined ? undefined : planExpressionType(ctx, r.targetSelectorType, `${pointer}/targetSelectorType`, ['jsonpath', 'xpath', 'jsonpointer'], 'targetSelectorType');
  const effective: ExpressionTypePlan = targetType ?? (xmlText ? { type: 'xpath', version: 'xpath-31' } : { type: 'jsonpointer', version: 'rfc6901' });
  if (r.targetSelectorType === undefined || targetType) {
    if (effective.type === 'xpath' && !xmlText) {
      reportAt(ctx, `${pointer}/target`, 'replacementTarget', `an XPath target applies to an XML payload written as text; this payload is not one (use a JSON pointer or JSONPath target)`);
    } else if (effective.type !== 'xpath' && xmlText) {
      reportAt(ctx, `${pointer}/target`, 'replacementTarget', `a ${effective.type === 'jsonpath' ? 'JSONPath' : 'JSON pointer'} target cannot address an XML payload written as text; write the target as an XPath`);
    } else checkSelectorAt(ctx, r.target, effective, `${pointer}/target`, `${effective.type} target`);
  }
  const { value, selector } = planSelectableValue(ctx, r.value, `${pointer}/value`);
  return { target: r.target, ...(targetType ? { targetType } : {}), value, ...(selector ? { selector } : {}) };
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
