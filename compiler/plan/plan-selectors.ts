/**
 * Arazzo 1.1 Selector Objects, Expression Type Objects and `targetSelectorType`, as the plan
 * carries them (core/plan.ts SelectorPlan): the type always with its version, each selector's
 * syntax checked for its type and version, its context a runtime expression. In a 1.0.x document
 * an object shaped like a Selector Object is a plain value (the 1.0 schema had none).
 */
import { ExpressionSyntaxError, parseExpression } from '../../core/expressions/index.js';
import { DEFAULT_EXPRESSION_VERSION, EXPRESSION_VERSIONS, type ExpressionTypePlan, type JsonValue, type OutputPlan, type SelectorKind, type SelectorPlan } from '../../core/plan.js';
import { checkGoessnerCondition, isGoessnerFilterCondition } from '../../core/criteria/goessner-jsonpath.js';
import { isSelectorObject } from '../../core/selectors/is-selector.js';
import { encodePointer } from '../load/parse-yaml-source.js';
import { arazzoMinor } from '../validate/arazzo-11.js';
import { checkSelectorSyntax } from './check-selector-syntax.js';
import { reportAt, type PlanContext } from './plan-context.js';

const KINDS = Object.keys(EXPRESSION_VERSIONS) as SelectorKind[];
const GOESSNER = 'draft-goessner-dispatch-jsonpath-00';
const quoted = (values: readonly string[]) => values.map((v) => `"${v}"`).join(', ');

/** Whether the document is Arazzo 1.1, where an object of a value may be a Selector Object. */
export const readsSelectors = (ctx: PlanContext): boolean => arazzoMinor(ctx.loaded.document) === '1.1';

/** A context that only reports to a list of its own: for what is planned again per step and was reported once already. */
const silent = (ctx: PlanContext): PlanContext => ({ ...ctx, diagnostics: [] });

/**
 * A `type` written as a name or as an Expression Type Object, with its version (the default of
 * its type when only named); undefined, reported, when the type is not one of `allowed` or the
 * version is not one its type allows.
 */
export function planExpressionType(ctx: PlanContext, raw: unknown, pointer: string, allowed: readonly SelectorKind[], what: string): ExpressionTypePlan | undefined {
  const object = raw !== null && typeof raw === 'object' ? (raw as { type?: unknown; version?: unknown }) : undefined;
  const type = object ? object.type : raw;
  if (typeof type !== 'string' || !(allowed as readonly string[]).includes(type)) {
    reportAt(ctx, object ? `${pointer}/type` : pointer, 'selectorType', `${what}: type ${JSON.stringify(type)} is not one of ${quoted(allowed)}`);
    return undefined;
  }
  const kind = type as SelectorKind;
  if (!object) return { type: kind, version: DEFAULT_EXPRESSION_VERSION[kind] };
  const versions: readonly string[] = EXPRESSION_VERSIONS[kind];
  if (typeof object.version !== 'string' || !versions.includes(object.version)) {
    reportAt(ctx, `${pointer}/version`, 'selectorType', `${what}: ${kind} version ${JSON.stringify(object.version)} is not one of ${quoted(versions)} (Arazzo 1.1 § Expression Type Object)`);
    return undefined;
  }
  const version = object.version as ExpressionTypePlan['version'];
  if (version === 'xpath-20' || version === 'xpath-30') {
    reportAt(ctx, `${pointer}/version`, 'xpathVersionRead31', `${what}: XPath version "${version}" is read by the XPath 3.1 engine, which keeps the syntax, functions and Effective Boolean Value of ${version === 'xpath-20' ? '2.0' : '3.0'}`, 'warning');
  }
  return { type: kind, version };
}

/** Reports a selector (or replacement target) that does not parse as its type and version say; whether it parses. */
export function checkSelectorAt(ctx: PlanContext, expression: string, type: ExpressionTypePlan, pointer: string, what: string): boolean {
  try {
    checkSelectorSyntax(expression, type);
    return true;
  } catch (err) {
    if (!(err instanceof ExpressionSyntaxError)) throw err;
    reportAt(ctx, pointer, 'selectorSyntax', `${what} "${expression}" is not ${type.type} (${type.version}): ${err.message} (at offset ${err.offset})`);
    return false;
  }
}

/** A Selector Object as written → as planned; undefined when any part of it is reported. */
export function planSelector(ctx: PlanContext, raw: { context: unknown; selector: string; type: unknown }, pointer: string): SelectorPlan | undefined {
  const type = planExpressionType(ctx, raw.type, `${pointer}/type`, KINDS, 'Selector Object');
  let context: string | undefined;
  if (typeof raw.context !== 'string') {
    reportAt(ctx, `${pointer}/context`, 'schema', `Selector Object: context must be a runtime expression (e.g. $response.body), not ${JSON.stringify(raw.context)}`);
  } else {
    try {
      parseExpression(raw.context);
      context = raw.context;
    } catch (err) {
      if (!(err instanceof ExpressionSyntaxError)) throw err;
      reportAt(ctx, `${pointer}/context`, 'expressionSyntax', `Selector Object: context "${raw.context}" is not a runtime expression: ${err.message} (at offset ${err.offset})`);
    }
  }
  // Goessner's filters `?(...)` are read as the JavaScript they are (core/criteria/goessner-jsonpath.ts), with a warning naming RFC 9535.
  if (type?.version === GOESSNER && isGoessnerFilterCondition(raw.selector)) {
    try {
      checkGoessnerCondition(raw.selector);
    } catch (err) {
      if (!(err instanceof ExpressionSyntaxError)) throw err;
      reportAt(ctx, `${pointer}/selector`, 'goessnerFilterUnread', `jsonpath selector "${raw.selector}": ${err.message} (at offset ${err.offset})`);
      return undefined;
    }
    reportAt(ctx, `${pointer}/selector`, 'goessnerFilterRead', `jsonpath selector "${raw.selector}" is Goessner JSONPath: its filters are read as the JavaScript they are (== converts types, a member test is truthiness); the standard form is RFC 9535 JSONPath (version "rfc9535": filters "?expr", == compares type and value, @.x tests existence)`, 'warning');
    return context !== undefined ? { context, selector: raw.selector, type } : undefined;
  }
  const parses = type ? checkSelectorAt(ctx, raw.selector, type.version === GOESSNER ? { type: 'jsonpath', version: 'rfc9535' } : type, `${pointer}/selector`, `${type.type} selector`) : false;
  // Goessner's JSONPath and RFC 9535 read a path without filters alike; a filter not written `?(...)` is not Goessner's.
  if (type?.version === GOESSNER && parses && raw.selector.includes('?')) {
    reportAt(ctx, `${pointer}/type/version`, 'selectorVersionUnsupported', `JSONPath version "${GOESSNER}": a filter not written as Goessner's "[?(...)]" is not read as Goessner JSONPath; write it as RFC 9535 JSONPath (version "rfc9535")`);
    return undefined;
  }
  return type && context !== undefined && parses ? { context, selector: raw.selector, type: type.version === GOESSNER ? { type: 'jsonpath', version: 'rfc9535' } : type } : undefined;
}

/** A value that may be one Selector Object (a parameter's, a replacement's): the literal, or null and the selector. */
export function planSelectableValue(ctx: PlanContext, value: unknown, pointer: string, report = true): { value: JsonValue; selector?: SelectorPlan } {
  if (!readsSelectors(ctx) || !isSelectorObject(value)) return { value: value as JsonValue };
  const selector = planSelector(report ? ctx : silent(ctx), value, pointer);
  return selector ? { value: null, selector } : { value: null };
}

/** A payload with each of its Selector Objects (at any depth) null, and where they stood. */
export function planPayloadSelections(ctx: PlanContext, payload: JsonValue, pointer: string): { payload: JsonValue; selections: { pointer: string; selector: SelectorPlan }[] } {
  const selections: { pointer: string; selector: SelectorPlan }[] = [];
  if (!readsSelectors(ctx)) return { payload, selections };
  const walk = (value: JsonValue, at: string): JsonValue => {
    if (isSelectorObject(value)) {
      const selector = planSelector(ctx, value, `${pointer}${at}`);
      if (selector) selections.push({ pointer: at, selector });
      return null;
    }
    if (Array.isArray(value)) return value.map((v, i) => walk(v, `${at}/${i}`));
    if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, `${at}${encodePointer([k])}`)]));
    return value;
  };
  return { payload: walk(payload, ''), selections };
}

/** A step's or workflow's outputs: runtime expressions as written, Selector Objects as planned. */
export function planOutputMap(ctx: PlanContext, outputs: Readonly<Record<string, unknown>> | undefined, pointer: string, report = true): Record<string, OutputPlan> {
  const planned: Record<string, OutputPlan> = {};
  for (const [name, value] of Object.entries(outputs ?? {})) {
    if (typeof value === 'string') planned[name] = value;
    else if (isSelectorObject(value)) {
      const selector = planSelector(report ? ctx : silent(ctx), value, `${pointer}${encodePointer([name])}`);
      if (selector) planned[name] = selector;
    }
  }
  return planned;
}
