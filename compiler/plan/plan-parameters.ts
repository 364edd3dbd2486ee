import type { JsonValue, ParameterPlan, SelectorPlan, SigningPlan } from '../../core/plan.js';
import { producedHeaders } from '../../functions/runtime/signing/sign-request.js';
import { SIGNATURE_HEADERS } from './plan-signing.js';
import type { ArazzoParameter, ArazzoReusable, ArazzoStep, ArazzoWorkflow } from '../validate/arazzo-schema.js';
import type { BoundOperation } from './bind-operation.js';
import { checkValueExpressions } from './check-expressions.js';
import { planSelectableValue } from './plan-selectors.js';
import { isReusable, reportAt, resolveComponent, type PlanContext } from './plan-context.js';
import type { ResolvedWorkflow } from './resolve-workflow.js';
import { querystringMismatch } from '../../core/querystring-media.js';
import { isWholeExpression, parseTemplate } from '../../core/expressions/index.js';

/** Headers OpenAPI says a parameter definition may not declare (they come from security/content). */
export const IMPLICIT_HEADERS = new Set(['authorization', 'accept', 'content-type']);

/** A parameter as written, or a `$components.parameters` reference with its `value` override applied. */
function resolveParameter(ctx: PlanContext, raw: ArazzoParameter | ArazzoReusable, pointer: string, report: boolean): ArazzoParameter | undefined {
  if (!isReusable(raw)) return raw;
  const base = resolveComponent<ArazzoParameter>(ctx, 'parameters', raw.reference, pointer, report);
  return base && (raw.value !== undefined ? { ...base, value: raw.value } : base);
}

/**
 * A workflow's own `parameters`, checked once (they are planned again for each step): their
 * references and the runtime expressions of their values.
 */
export function checkWorkflowParameters(ctx: PlanContext, workflow: ArazzoWorkflow, pointer: string): void {
  (workflow.parameters ?? []).forEach((raw, i) => {
    const param = resolveParameter(ctx, raw, `${pointer}/${i}`, true);
    if (!param) return;
    checkValueExpressions(ctx.loaded.source, param.value as JsonValue, `${pointer}/${i}/value`, ctx.diagnostics);
    planSelectableValue(ctx, param.value, `${pointer}/${i}/value`);
  });
}

const parameterKey = (p: { in?: string; name: string }) => `${p.in}:${p.in === 'header' ? p.name.toLowerCase() : p.name}`;

/** The parameters an operation step sends: the workflow's with `in`, overridden by the step's own (Arazzo §Workflow Object). */
export function planParameters(
  ctx: PlanContext,
  step: ArazzoStep,
  workflow: ArazzoWorkflow,
  bound: BoundOperation,
  pointer: string,
  workflowPointer: string,
  signing?: SigningPlan,
): ParameterPlan[] {
  const byKey = new Map<string, ParameterPlan>();
  // Headers the signing declaration sets at send time: they count as supplied, and win over a parameter.
  const produced = new Set(signing ? producedHeaders(signing) : []);
  const signedBy = signing ? `the signing declaration${signing.schemeName ? ` (${signing.schemeName})` : ''}` : '';
  const declared = bound.operation.parameters;
  const add = (raw: ArazzoParameter | ArazzoReusable, p: string, fromWorkflow: boolean) => {
    const param = resolveParameter(ctx, raw, p, !fromWorkflow);
    if (!param) return;
    if (!param.in) {
      // Workflow-level parameters without `in` are inputs of the workflow steps, not of operations.
      if (!fromWorkflow) reportAt(ctx, p, 'schema', `parameter "${param.name}": "in" is required for a step that calls an operation`);
      return;
    }
    const isDeclared =
      declared.some((d) => d.in === param.in && (param.in === 'header' ? d.name.toLowerCase() === param.name.toLowerCase() : d.name === param.name)) ||
      (param.in === 'header' && IMPLICIT_HEADERS.has(param.name.toLowerCase()));
    if (!isDeclared) {
      const names = declared.map((d) => `${d.name} (${d.in})`).join(', ') || 'none';
      const operation = bound.operation.operationId ?? bound.operation.path;
      // A path parameter the template does not name has nowhere to go; a header, query or cookie parameter is sent as written (the provider judges it).
      if (param.in === 'path') reportAt(ctx, `${p}/name`, 'undeclaredParameter', `parameter "${param.name}" in path is not declared by operation ${operation}; it declares: ${names}`);
      else reportAt(ctx, `${p}/name`, 'extraParameter', `parameter "${param.name}" in ${param.in} is not declared by operation ${operation} (it declares: ${names}); it is sent anyway`, 'warning');
    }
    if (!fromWorkflow) checkValueExpressions(ctx.loaded.source, param.value as JsonValue, `${p}/value`, ctx.diagnostics);
    if (param.in === 'header' && produced.has(param.name.toLowerCase())) {
      const message = `header "${param.name}" is set by ${signedBy} when the request is signed: its value replaces this parameter's`;
      reportAt(ctx, `${p}/name`, 'signingReplacesParameter', message, 'warning');
    }
    const { value, selector } = planSelectableValue(ctx, param.value, `${p}/value`, !fromWorkflow);
    // OpenAPI 3.2: a querystring parameter's one `content` media type says how the string is put in the URL.
    const content = param.in === 'querystring' ? Object.keys(bound.operation.parameters.find((d) => d.in === 'querystring' && d.name === param.name)?.content ?? {})[0] : undefined;
    if (param.in === 'querystring' && typeof value === 'string' && !selector) checkQuerystringLiteral(ctx, param.name, content, value, `${p}/value`);
    byKey.set(parameterKey(param), { name: param.name, in: param.in, value, ...(selector ? { selector } : {}), ...(content ? { contentType: content } : {}) });
  };
  (workflow.parameters ?? []).forEach((p, i) => add(p, `${workflowPointer}/parameters/${i}`, true));
  (step.parameters ?? []).forEach((p, i) => add(p, `${pointer}/parameters/${i}`, false));

  for (const d of declared) {
    // OpenAPI: a header parameter named Accept, Content-Type or Authorization "SHALL be ignored".
    if (d.in === 'header' && IMPLICIT_HEADERS.has(d.name.toLowerCase())) continue;
    if ((d.required || d.in === 'path') && !byKey.has(parameterKey(d))) {
      const operation = bound.operation.operationId ?? bound.operation.path;
      if (d.in === 'header' && produced.has(d.name.toLowerCase())) continue;
      if (d.in === 'header' && SIGNATURE_HEADERS.has(d.name.toLowerCase())) {
        const message = `step "${step.stepId}": operation ${operation} requires the signature header "${d.name}", which no parameter supplies and no signing declaration produces (declare x-arazzo-sfn-signing on a security scheme of its description, or configure signing for source "${bound.source}"); the request is sent unsigned`;
        reportAt(ctx, pointer, 'signatureHeaderUnset', message, 'warning');
        continue;
      }
      // Without a path parameter there is no URL; a required header, query or cookie parameter may be the caller's or a gateway's to add (a request signature).
      if (d.in === 'path') reportAt(ctx, pointer, 'missingParameter', `step "${step.stepId}": required path parameter "${d.name}" of operation ${operation} has no value`);
      else reportAt(ctx, pointer, 'requiredParameterUnset', `step "${step.stepId}": required ${d.in} parameter "${d.name}" of operation ${operation} has no value; the request is sent without it`, 'warning');
    }
  }
  checkQuerystring(ctx, [...byKey.values()], bound, step, pointer);
  // A covered header nothing sets fails the step when it is signed.
  for (const c of signing?.components ?? []) {
    if (c.startsWith('(') || c.startsWith('@') || c === 'host' || produced.has(c) || byKey.has(`header:${c}`)) continue;
    if (c === 'content-type' && (step.requestBody || bound.operation.requestBody)) continue;
    reportAt(ctx, pointer, 'signedHeaderUnset', `step "${step.stepId}": ${signedBy} covers header "${c}", which no parameter of the step sets: the step fails when it signs`, 'warning');
  }
  return [...byKey.values()];
}

/**
 * OpenAPI 3.2: a `querystring` parameter is the whole query string, so it "MUST NOT appear more
 * than once and MUST NOT appear in the same operation as any query parameters" (Arazzo 1.1: "The
 * `querystring` location cannot coexist with `query` parameters"). Its value "MUST resolve to a
 * string": a literal of another type is refused here, an expression at run time.
 */
function checkQuerystring(ctx: PlanContext, sent: readonly ParameterPlan[], bound: BoundOperation, step: ArazzoStep, pointer: string): void {
  const whole = sent.filter((p) => p.in === 'querystring');
  const declared = bound.operation.parameters.filter((d) => d.in === 'querystring');
  if (!whole.length && !declared.length) return;
  const operation = bound.operation.operationId ?? bound.operation.path;
  const query = [...sent.filter((p) => p.in === 'query').map((p) => p.name), ...bound.operation.parameters.filter((d) => d.in === 'query').map((d) => d.name)];
  if (whole.length > 1) reportAt(ctx, pointer, 'querystringConflict', `step "${step.stepId}": ${whole.length} querystring parameters (${whole.map((p) => p.name).join(', ')}); the query string is one value`);
  if (query.length) {
    const names = [...new Set(query)].join(', ');
    reportAt(ctx, pointer, 'querystringConflict', `step "${step.stepId}": operation ${operation} takes its whole query string from a querystring parameter, which cannot be combined with query parameters (${names})`);
  }
  for (const p of whole) {
    if (typeof p.value !== 'string' && !p.selector) reportAt(ctx, pointer, 'querystringConflict', `step "${step.stepId}": querystring parameter "${p.name}" must be a string (the complete query string, such as "a=1&b=2")`);
  }
}

/**
 * Arazzo 1.1: a querystring value "MUST match the media type format" of its `content`. The text a
 * template writes is judged here, each `{$…}` standing for a value that cannot break it (the runtime
 * percent-encodes a value substituted into form pairs; `0` is a JSON value where one may stand); a
 * value that is one whole expression is judged at run time, before anything is sent.
 */
function checkQuerystringLiteral(ctx: PlanContext, name: string, contentType: string | undefined, text: string, pointer: string): void {
  let parts;
  try {
    parts = parseTemplate(text);
  } catch {
    return; // checkValueExpressions reports the syntax.
  }
  if (isWholeExpression(parts)) return;
  const probe = parts.map((part) => (part.kind === 'text' ? part.text : '0')).join('');
  const mismatch = querystringMismatch(contentType, probe);
  if (mismatch) reportAt(ctx, pointer, 'querystringMediaType', `querystring parameter "${name}" ${mismatch}`);
}

/** A workflow step's parameters are the inputs of the workflow it runs (Arazzo §Parameter Object: no `in`). */
export function planWorkflowInputs(
  ctx: PlanContext,
  step: ArazzoStep,
  workflow: ArazzoWorkflow,
  target: ResolvedWorkflow,
  sp: string,
  workflowPointer: string,
): { inputs: Record<string, JsonValue>; inputSelectors: Record<string, SelectorPlan> } {
  const inputs: Record<string, JsonValue> = {};
  const inputSelectors: Record<string, SelectorPlan> = {};
  const add = (raw: ArazzoParameter | ArazzoReusable, p: string, fromWorkflow: boolean) => {
    const param = resolveParameter(ctx, raw, p, !fromWorkflow);
    if (!param) return;
    if (param.in) {
      // Workflow-level parameters with `in` are for the operation steps.
      if (!fromWorkflow) reportAt(ctx, `${p}/in`, 'schema', `parameter "${param.name}": step "${step.stepId}" runs workflow "${target.workflowId}", whose parameters are its inputs and take no "in"`);
      return;
    }
    if (!fromWorkflow) checkValueExpressions(ctx.loaded.source, param.value as JsonValue, `${p}/value`, ctx.diagnostics);
    const { value, selector } = planSelectableValue(ctx, param.value, `${p}/value`, !fromWorkflow);
    inputs[param.name] = value;
    if (selector) inputSelectors[param.name] = selector;
    else delete inputSelectors[param.name];
  };
  (workflow.parameters ?? []).forEach((p, i) => add(p, `${workflowPointer}/parameters/${i}`, true));
  (step.parameters ?? []).forEach((p, i) => add(p, `${sp}/parameters/${i}`, false));
  checkChildInputs(ctx, `step "${step.stepId}"`, target, step.parameters ?? [], inputs, `${sp}/parameters`, sp);
  return { inputs, inputSelectors };
}

/**
 * What the inputs schema of the workflow a step or action runs says of the parameters it
 * passes: a name it does not list, when it admits no other (`additionalProperties: false`), and
 * a required input that has no value, are errors (the child's input check would refuse them).
 */
function checkChildInputs(
  ctx: PlanContext,
  owner: string,
  target: ResolvedWorkflow,
  parameters: readonly (ArazzoParameter | ArazzoReusable)[],
  inputs: Readonly<Record<string, JsonValue>>,
  parametersPointer: string,
  ownerPointer: string,
): void {
  const schema = (target.workflow.inputs ?? {}) as { properties?: Record<string, unknown>; required?: string[]; additionalProperties?: unknown };
  const declared = Object.keys(schema.properties ?? {});
  if (schema.additionalProperties === false) {
    parameters.forEach((p, i) => {
      const name = (p as { name?: string }).name;
      if (name !== undefined && !declared.includes(name)) {
        reportAt(ctx, `${parametersPointer}/${i}/name`, 'undeclaredParameter', `parameter "${name}" is not an input of workflow "${target.workflowId}"; its inputs are: ${declared.join(', ') || 'none'}`);
      }
    });
  }
  for (const name of schema.required ?? []) {
    if (!(name in inputs)) reportAt(ctx, ownerPointer, 'missingParameter', `${owner}: required input "${name}" of workflow "${target.workflowId}" has no value`);
  }
}

/**
 * A success or failure action's `parameters` (Arazzo 1.1): "parameters that MUST be passed to a
 * workflow as referenced by workflowId", so the inputs of the workflow it runs, exactly these;
 * "the `in` field MUST NOT be used". With `report`, problems are reported (once per action list).
 */
export function planActionInputs(
  ctx: PlanContext,
  action: { readonly name: string; readonly parameters?: readonly (ArazzoParameter | ArazzoReusable)[] },
  target: ResolvedWorkflow,
  pointer: string,
  report: boolean,
): { inputs: Record<string, JsonValue>; inputSelectors: Record<string, SelectorPlan> } {
  const inputs: Record<string, JsonValue> = {};
  const inputSelectors: Record<string, SelectorPlan> = {};
  const parameters = action.parameters ?? [];
  parameters.forEach((raw, i) => {
    const p = `${pointer}/parameters/${i}`;
    const param = resolveParameter(ctx, raw, p, report);
    if (!param) return;
    if (param.in) {
      if (report) reportAt(ctx, `${p}/in`, 'actionParameterIn', `parameter "${param.name}" of action "${action.name}" is an input of workflow "${target.workflowId}": "in" must not be used (Arazzo 1.1)`);
      return;
    }
    // Arazzo 1.1 § Success/Failure Action Object, parameters: "The list MUST NOT include duplicate parameters."
    if (Object.hasOwn(inputs, param.name)) {
      if (report) reportAt(ctx, `${p}/name`, 'duplicateId', `parameter "${param.name}" is given twice in action "${action.name}"`);
      return;
    }
    if (report) checkValueExpressions(ctx.loaded.source, param.value as JsonValue, `${p}/value`, ctx.diagnostics);
    const { value, selector } = planSelectableValue(ctx, param.value, `${p}/value`, report);
    inputs[param.name] = value;
    if (selector) inputSelectors[param.name] = selector;
  });
  if (report) checkChildInputs(ctx, `action "${action.name}"`, target, parameters, inputs, `${pointer}/parameters`, `${pointer}/parameters`);
  return { inputs, inputSelectors };
}
