import type {
  ActionPlan,
  AnyStepPlan,
  CriterionPlan,
  JsonValue,
  LoopPolicy,
  ParameterPlan,
  WorkflowPlan,
} from '../../core/plan.js';
import { PLAN_VERSION } from '../../core/plan.js';
import type { Diagnostic } from '../diagnostics/index.js';
import type { LoadedArazzo } from '../load/load-arazzo.js';
import { diagnosticAt, displayPathOf } from '../load/parse-yaml-source.js';
import type {
  ArazzoCriterion,
  ArazzoFailureAction,
  ArazzoParameter,
  ArazzoReusable,
  ArazzoStep,
  ArazzoSuccessAction,
  ArazzoWorkflow,
} from '../validate/arazzo-schema.js';
import { dominators, END, mayRunBefore, reachableFrom, type FlowGraph } from './analyze-flow.js';
import { handledFaultStatuses } from '../../core/criteria/index.js';
import { bindOperation, type BoundOperation } from './bind-operation.js';
import { checkCriterionAt, checkValueExpressions, inputsReferencedBy, stepReferences, stepsReferencedBy } from './check-expressions.js';
import { DEFAULT_LOOP, DEFAULT_RETRY_LIMIT, DEFAULT_SEAL_CONTEXT, LOOP_LIMITS, type CompileOptions } from './compile-options.js';
import { CALLBACK_EXTENSION, readCallbackExtension } from './read-callback-extension.js';
import { resolveInputsSchema } from './resolve-inputs-schema.js';
import { responseMediaTypesOf } from './response-media-types.js';
import { findWorkflowCycles, resolveWorkflow, type ResolvedWorkflow } from './resolve-workflow.js';
import { detectCredentialInputs, isSealedOutput } from './detect-credentials.js';

type AnyAction = ArazzoSuccessAction | ArazzoFailureAction;

/** Headers OpenAPI says a parameter definition may not declare (they come from security/content). */
const IMPLICIT_HEADERS = new Set(['authorization', 'accept', 'content-type']);
const IDEMPOTENCY_HEADERS = new Set(['idempotency-key', 'x-idempotency-key', 'x-request-id']);
const RETRY_SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

const isReusable = (v: object): v is ArazzoReusable => 'reference' in v;

interface Context {
  readonly loaded: LoadedArazzo;
  readonly options: CompileOptions;
  readonly diagnostics: Diagnostic[];
}

function at(ctx: Context, pointer: string, kind: Parameters<typeof diagnosticAt>[2], message: string, severity: 'error' | 'warning' = 'error') {
  ctx.diagnostics.push(diagnosticAt(ctx.loaded.source, pointer, kind, message, severity));
}

function resolveComponent<T>(ctx: Context, kind: 'parameters' | 'successActions' | 'failureActions', reference: string, pointer: string): T | undefined {
  const match = new RegExp(`^\\$components\\.${kind}\\.([A-Za-z0-9_.-]+)$`).exec(reference);
  const found = match ? (ctx.loaded.document.components?.[kind] as Record<string, T> | undefined)?.[match[1]] : undefined;
  if (!found) at(ctx, `${pointer}/reference`, 'expressionReference', `reference "${reference}" does not name an entry of components.${kind}`);
  return found;
}

function readLoopExtension(value: unknown): Partial<LoopPolicy> | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const v = value as Record<string, unknown>;
  const out: Record<string, number> = {};
  // Values out of bounds are reported by lint/loop-extension.ts; here they are ignored.
  for (const [key, limit] of Object.entries(LOOP_LIMITS) as [keyof typeof LOOP_LIMITS, (typeof LOOP_LIMITS)[keyof typeof LOOP_LIMITS]][]) {
    const n = v[key];
    if (typeof n !== 'number' || !Number.isFinite(n) || n < limit.min || n > limit.max || (limit.integer && !Number.isInteger(n))) continue;
    out[key] = n;
  }
  return Object.keys(out).length ? out : undefined;
}

function planCriteria(ctx: Context, criteria: readonly ArazzoCriterion[] | undefined, pointer: string): CriterionPlan[] {
  return (criteria ?? []).map((c, i) => {
    const type = typeof c.type === 'object' ? c.type.type : (c.type ?? 'simple');
    const version = typeof c.type === 'object' ? c.type.version : undefined;
    // Only XPath 1.0 is evaluated; a 2.0/3.0 expression could parse and mean something else.
    if (type === 'xpath' && version !== undefined && version !== 'xpath-10') {
      at(ctx, `${pointer}/${i}/type/version`, 'unsupported', `xpath version "${version}" is not supported: criteria are evaluated as XPath 1.0 (version: xpath-10)`);
    }
    const plan: CriterionPlan = { type, condition: c.condition, ...(c.context !== undefined ? { context: c.context } : {}) };
    checkCriterionAt(ctx.loaded.source, plan, `${pointer}/${i}`, ctx.diagnostics);
    return plan;
  });
}

/** A parameter as written, or a `$components.parameters` reference with its `value` override applied. */
function resolveParameter(ctx: Context, raw: ArazzoParameter | ArazzoReusable, pointer: string): ArazzoParameter | undefined {
  if (!isReusable(raw)) return raw;
  const base = resolveComponent<ArazzoParameter>(ctx, 'parameters', raw.reference, pointer);
  return base && (raw.value !== undefined ? { ...base, value: raw.value } : base);
}

function planParameters(ctx: Context, step: ArazzoStep, workflow: ArazzoWorkflow, bound: BoundOperation, pointer: string): ParameterPlan[] {
  const byKey = new Map<string, ParameterPlan>();
  const declared = bound.operation.parameters;
  const add = (raw: ArazzoParameter | ArazzoReusable, p: string, fromWorkflow = false) => {
    const param = resolveParameter(ctx, raw, p);
    if (!param) return;
    if (!param.in) {
      // Workflow-level parameters without `in` are inputs of the workflow steps, not of operations.
      if (!fromWorkflow) at(ctx, p, 'schema', `parameter "${param.name}": "in" is required for a step that calls an operation`);
      return;
    }
    const isDeclared =
      declared.some((d) => d.in === param.in && (param.in === 'header' ? d.name.toLowerCase() === param.name.toLowerCase() : d.name === param.name)) ||
      (param.in === 'header' && IMPLICIT_HEADERS.has(param.name.toLowerCase()));
    if (!isDeclared) {
      const names = declared.map((d) => `${d.name} (${d.in})`).join(', ') || 'none';
      at(ctx, `${p}/name`, 'undeclaredParameter', `parameter "${param.name}" in ${param.in} is not declared by operation ${bound.operation.operationId ?? bound.operation.path}; it declares: ${names}`);
    }
    checkValueExpressions(ctx.loaded.source, param.value as JsonValue, `${p}/value`, ctx.diagnostics);
    byKey.set(`${param.in}:${param.in === 'header' ? param.name.toLowerCase() : param.name}`, { name: param.name, in: param.in, value: param.value as JsonValue });
  };
  // Workflow-level parameters apply to every step; the step's own override them (Arazzo §Workflow Object).
  (workflow.parameters ?? []).forEach((p, i) => add(p, `/workflows/${ctx.loaded.document.workflows.indexOf(workflow)}/parameters/${i}`, true));
  (step.parameters ?? []).forEach((p, i) => add(p, `${pointer}/parameters/${i}`));

  for (const d of declared) {
    // OpenAPI: a header parameter named Accept, Content-Type or Authorization "SHALL be ignored".
    if (d.in === 'header' && IMPLICIT_HEADERS.has(d.name.toLowerCase())) continue;
    const key = `${d.in}:${d.in === 'header' ? d.name.toLowerCase() : d.name}`;
    if ((d.required || d.in === 'path') && !byKey.has(key)) {
      at(ctx, pointer, 'missingParameter', `step "${step.stepId}": required ${d.in} parameter "${d.name}" of operation ${bound.operation.operationId ?? bound.operation.path} has no value`);
    }
  }
  return [...byKey.values()];
}

function planActions(
  ctx: Context,
  kind: 'onSuccess' | 'onFailure',
  raw: readonly (AnyAction | ArazzoReusable)[],
  step: ArazzoStep,
  stepIndex: number,
  stepIds: readonly string[],
  pointer: string,
): ActionPlan[] {
  const plans: ActionPlan[] = [];
  const names = new Set<string>();
  raw.forEach((entry, i) => {
    const p = `${pointer}/${i}`;
    const action = isReusable(entry)
      ? resolveComponent<AnyAction>(ctx, kind === 'onSuccess' ? 'successActions' : 'failureActions', entry.reference, p)
      : entry;
    if (!action) return;
    if (names.has(action.name)) at(ctx, `${p}/name`, 'duplicateId', `${kind} action name "${action.name}" is used twice in step "${step.stepId}"`);
    names.add(action.name);
    const criteria = planCriteria(ctx, action.criteria, `${p}/criteria`);
    const outcome = `${kind}.${action.name}`;
    const extension = readLoopExtension((action as Record<string, unknown>)['x-arazzo-sfn-loop']) ?? readLoopExtension((step as Record<string, unknown>)['x-arazzo-sfn-loop']);
    const base: LoopPolicy = { ...DEFAULT_LOOP, ...ctx.options.defaultLoop };

    if (action.type === 'end') {
      plans.push({ outcome, kind, name: action.name, type: 'end', criteria });
      return;
    }
    if (action.type === 'retry') {
      const failure = action as ArazzoFailureAction;
      const retryLimit = failure.retryLimit ?? DEFAULT_RETRY_LIMIT;
      const loop: LoopPolicy = {
        ...base,
        ...(failure.retryAfter !== undefined ? { intervalSeconds: failure.retryAfter, backoffRate: 1 } : {}),
        ...extension,
        maxAttempts: retryLimit + 1,
      };
      plans.push({ outcome, kind, name: action.name, type: 'retry', stepId: step.stepId, criteria, loop });
      return;
    }
    // goto
    if (action.workflowId !== undefined && action.stepId !== undefined) {
      at(ctx, p, 'schema', `goto action "${action.name}" must have a stepId or a workflowId, not both`);
      return;
    }
    if (action.workflowId !== undefined) {
      const target = resolveWorkflow(ctx.loaded, action.workflowId, `${p}/workflowId`, ctx.diagnostics);
      if (!target) return;
      plans.push({ outcome, kind, name: action.name, type: 'goto', workflow: { workflowId: target.workflowId, ...(target.source ? { source: target.source } : {}) }, criteria });
      return;
    }
    if (action.stepId === undefined) {
      at(ctx, p, 'schema', `goto action "${action.name}" needs a stepId or a workflowId`);
      return;
    }
    const targetIndex = stepIds.indexOf(action.stepId);
    if (targetIndex < 0) {
      at(ctx, `${p}/stepId`, 'unknownStep', `goto action "${action.name}" targets unknown step "${action.stepId}" (steps: ${stepIds.join(', ')})`);
      return;
    }
    if (targetIndex <= stepIndex) {
      if (!extension) {
        at(
          ctx,
          `${p}/stepId`,
          'implicitLoopDelay',
          `goto "${action.stepId}" repeats a step and Arazzo gives it no delay or bound: waiting ${base.intervalSeconds}s (x${base.backoffRate}, at most ${base.maxDelaySeconds}s) between turns, at most ${base.maxAttempts} runs of "${step.stepId}"; set x-arazzo-sfn-loop on the action to choose`,
          'warning',
        );
      }
      plans.push({ outcome, kind, name: action.name, type: 'goto', stepId: action.stepId, criteria, loop: { ...base, ...extension } });
      return;
    }
    plans.push({ outcome, kind, name: action.name, type: 'goto', stepId: action.stepId, criteria });
  });
  return plans;
}

function planOutputs(ctx: Context, outputs: Record<string, string> | undefined, pointer: string): Record<string, string> {
  for (const [name, expression] of Object.entries(outputs ?? {})) {
    checkValueExpressions(ctx.loaded.source, expression, `${pointer}/${name}`, ctx.diagnostics);
  }
  return { ...(outputs ?? {}) };
}

function buildGraph(
  stepIds: readonly string[],
  actions: ReadonlyMap<string, readonly ActionPlan[]>,
  endsOnDefault: ReadonlyMap<string, boolean>,
  callbackFallbacks: ReadonlyMap<string, string>,
): FlowGraph {
  const successors = new Map<string, Set<string>>();
  stepIds.forEach((id, i) => {
    const next = new Set<string>();
    next.add(endsOnDefault.get(id) ? END : stepIds[i + 1]);
    for (const a of actions.get(id) ?? []) next.add(a.type === 'end' || a.workflow ? END : (a.stepId ?? id));
    const fallback = callbackFallbacks.get(id);
    if (fallback) next.add(fallback);
    successors.set(id, next);
  });
  return { steps: stepIds, successors };
}

function planWorkflow(ctx: Context, workflow: ArazzoWorkflow, workflowIndex: number): WorkflowPlan | undefined {
  const wp = `/workflows/${workflowIndex}`;
  const stepIds = workflow.steps.map((s) => s.stepId);
  const errorsBefore = ctx.diagnostics.filter((d) => d.severity === 'error').length;

  const seen = new Set<string>();
  workflow.steps.forEach((s, i) => {
    if (seen.has(s.stepId)) at(ctx, `${wp}/steps/${i}/stepId`, 'duplicateId', `stepId "${s.stepId}" is used twice in workflow "${workflow.workflowId}"`);
    seen.add(s.stepId);
  });
  const dependsOn = (workflow.dependsOn ?? []).flatMap((ref, i) => {
    const target = resolveWorkflow(ctx.loaded, ref, `${wp}/dependsOn/${i}`, ctx.diagnostics);
    return target ? [{ workflowId: target.workflowId, ...(target.source ? { source: target.source } : {}) }] : [];
  });

  const inputsSchema = resolveInputsSchema(ctx.loaded, workflow.inputs, `${wp}/inputs`, ctx.diagnostics);
  const credentials = detectCredentialInputs(
    inputsSchema as Record<string, any>,
    (workflow as Record<string, unknown>)['x-arazzo-sfn-credentials'],
    ctx.options.credentialInputs?.[workflow.workflowId] ?? [],
    ctx.options.credentialsByName ?? true,
  );
  for (const c of credentials.filter((c) => c.reason === 'name')) {
    at(
      ctx,
      `${wp}/inputs/properties/${c.name}`,
      'credentialByName',
      `input "${c.name}" is treated as a credential by its name: executions carry a secret reference ("secret:<name>"), never the value; mark it with format: password to be explicit, or x-arazzo-sfn-credential: false if it is not secret`,
      'warning',
    );
  }
  const credentialInputs = credentials.map((c) => c.name);

  const bound = new Map<string, BoundOperation>();
  const sealContext = ctx.options.sealContext ?? DEFAULT_SEAL_CONTEXT;
  const actions = new Map<string, ActionPlan[]>();
  const endsOnDefault = new Map<string, boolean>();
  const partial = workflow.steps.map((step, i) => {
    const sp = `${wp}/steps/${i}`;
    const runsWorkflow = step.workflowId !== undefined && step.operationId === undefined && step.operationPath === undefined;
    const target = runsWorkflow ? resolveWorkflow(ctx.loaded, step.workflowId!, `${sp}/workflowId`, ctx.diagnostics) : undefined;
    const op = runsWorkflow ? undefined : bindOperation(ctx.loaded, step, sp, ctx.diagnostics);
    if (op) bound.set(step.stepId, op);
    // Workflow-level actions apply to every step: a step's own action overrides one of the same name but cannot remove the others (Arazzo §Workflow Object).
    const merged = (own: ActionPlan[], shared: ActionPlan[]) => [...own, ...shared.filter((a) => !own.some((o) => o.name === a.name))];
    const onSuccess = merged(
      planActions(ctx, 'onSuccess', step.onSuccess ?? [], step, i, stepIds, `${sp}/onSuccess`),
      planActions(ctx, 'onSuccess', workflow.successActions ?? [], step, i, stepIds, `${wp}/successActions`),
    );
    const onFailure = merged(
      planActions(ctx, 'onFailure', step.onFailure ?? [], step, i, stepIds, `${sp}/onFailure`),
      planActions(ctx, 'onFailure', workflow.failureActions ?? [], step, i, stepIds, `${wp}/failureActions`),
    );
    actions.set(step.stepId, [...onSuccess, ...onFailure]);
    endsOnDefault.set(step.stepId, i === workflow.steps.length - 1);
    return { step, sp, op, target, onSuccess, onFailure };
  });

  // A callback step's fallback (onTimeout) is a route of the graph too.
  const callbackFallbacks = new Map<string, string>();
  workflow.steps.forEach((s) => {
    const onTimeout = ((s as Record<string, unknown>)[CALLBACK_EXTENSION] as { onTimeout?: unknown } | undefined)?.onTimeout;
    if (typeof onTimeout === 'string' && stepIds.includes(onTimeout)) callbackFallbacks.set(s.stepId, onTimeout);
  });
  const graph = buildGraph(stepIds, actions, endsOnDefault, callbackFallbacks);
  const reachable = reachableFrom(graph, stepIds[0]);
  workflow.steps.forEach((s, i) => {
    if (!reachable.has(s.stepId)) at(ctx, `${wp}/steps/${i}/stepId`, 'unreachableStep', `step "${s.stepId}" can never run: no route leads to it`, 'warning');
  });

  const steps: AnyStepPlan[] = [];
  for (const { step, sp, op, target, onSuccess, onFailure } of partial) {
    const couldHaveRun = mayRunBefore(graph, step.stepId);
    const checkRefs = (value: unknown, pointer: string) => {
      for (const [ref, p] of stepReferences(value, pointer)) {
        if (!stepIds.includes(ref)) at(ctx, p, 'expressionReference', `$steps.${ref} names no step of workflow "${workflow.workflowId}"`);
        else if (!couldHaveRun.has(ref)) at(ctx, p, 'expressionReference', `step "${step.stepId}" reads $steps.${ref}, which cannot have run before it`);
      }
    };
    (step.parameters ?? []).forEach((p, i) => checkRefs(p, `${sp}/parameters/${i}`));
    if (step.requestBody) checkRefs(step.requestBody, `${sp}/requestBody`);
    (step.successCriteria ?? []).forEach((c, i) => checkRefs(c, `${sp}/successCriteria/${i}`));
    // Action criteria run after the step itself: a later step's outputs cannot be there yet (unknown steps are lint's to report).
    for (const kind of ['onSuccess', 'onFailure'] as const) {
      (step[kind] ?? []).forEach((action, ai) => {
        for (const [ref, p] of stepReferences((action as { criteria?: unknown }).criteria ?? [], `${sp}/${kind}/${ai}/criteria`)) {
          if (stepIds.includes(ref) && ref !== step.stepId && !couldHaveRun.has(ref)) at(ctx, p, 'expressionReference', `step "${step.stepId}" reads $steps.${ref} in an action criterion, which cannot have run before it`);
        }
      });
    }
    const endsHere = endsOnDefault.get(step.stepId)! || [...onSuccess, ...onFailure].some((a) => a.type === 'end' || a.workflow);
    const documentContext = documentContextFor(ctx, [step, workflow.outputs, workflow.parameters]);
    const common = {
      ...(documentContext ? { documentContext } : {}),
      workflowId: workflow.workflowId,
      stepId: step.stepId,
      ...(step.description ? { description: step.description } : {}),
      onSuccess,
      onFailure,
      endsOnDefaultSuccess: endsOnDefault.get(step.stepId)!,
      workflowOutputs: endsHere ? { ...(workflow.outputs ?? {}) } : {},
      sealContext,
    };
    if (target) {
      // A workflow step makes no HTTP exchange of its own: $statusCode, $request.*, $response.*, $url, $method have no value there.
      for (const [kind, list] of [['successCriteria', step.successCriteria], ['outputs', step.outputs]] as const) {
        const text = JSON.stringify(list ?? null);
        const http = /\$(statusCode|request\.|response\.|url\b|method\b)/.exec(text);
        if (http) at(ctx, `${sp}/${kind}`, 'expressionReference', `step "${step.stepId}" runs workflow "${target.workflowId}" and makes no HTTP call: "${http[0]}" has no value there (read the child's outputs with $outputs.<name>)`);
      }
      if (step.requestBody) at(ctx, `${sp}/requestBody`, 'schema', `step "${step.stepId}" runs workflow "${target.workflowId}": a requestBody has nowhere to go (its parameters are the workflow's inputs)`);
      const outputs = planOutputs(ctx, step.outputs, `${sp}/outputs`);
      for (const [name, expression] of Object.entries(outputs)) checkRefs(expression, `${sp}/outputs/${name}`);
      steps.push({
        kind: 'workflow',
        ...common,
        target: { workflowId: target.workflowId, ...(target.source ? { source: target.source } : {}) },
        inputs: planWorkflowInputs(ctx, step, workflow, target, sp),
        successCriteria: planCriteria(ctx, step.successCriteria, `${sp}/successCriteria`),
        outputs,
        sealedOutputs: Object.entries(outputs)
          .filter(([name, expr]) => isSealedOutput(name, expr, ctx.options.credentialsByName ?? true))
          .map(([name]) => name),
      });
      continue;
    }
    if (!op) continue;

    const parameters = planParameters(ctx, step, workflow, op, sp);
    if (step.requestBody?.payload !== undefined) checkValueExpressions(ctx.loaded.source, step.requestBody.payload as JsonValue, `${sp}/requestBody/payload`, ctx.diagnostics);
    const declaredTypes = Object.keys(op.operation.requestBody?.content ?? {});
    const contentType = step.requestBody?.contentType ?? declaredTypes[0] ?? 'application/json';
    if (step.requestBody && declaredTypes.length && !declaredTypes.some((t) => t.split(';')[0] === contentType.split(';')[0])) {
      at(ctx, `${sp}/requestBody/contentType`, 'openApiInvalid', `content type "${contentType}" is not one the operation accepts (${declaredTypes.join(', ')})`);
    }
    const outputs = planOutputs(ctx, step.outputs, `${sp}/outputs`);
    for (const [name, expression] of Object.entries(outputs)) checkRefs(expression, `${sp}/outputs/${name}`);

    const headerNames = parameters.filter((p) => p.in === 'header').map((p) => p.name.toLowerCase());
    const method = op.operation.method;
    // Minting an OAuth token again is harmless: a token request (form body with grant_type) is safe to retry.
    const isTokenRequest =
      contentType.startsWith('application/x-www-form-urlencoded') &&
      typeof step.requestBody?.payload === 'object' && step.requestBody.payload !== null && 'grant_type' in (step.requestBody.payload as object);
    const retrySafe = RETRY_SAFE_METHODS.has(method) || headerNames.some((h) => IDEMPOTENCY_HEADERS.has(h)) || isTokenRequest;

    const callback = readCallbackExtension(ctx.loaded, (step as Record<string, unknown>)[CALLBACK_EXTENSION], `${sp}/${CALLBACK_EXTENSION}`, {
      stepIds,
      sendsJsonBody: step.requestBody !== undefined && /json/i.test(contentType.split(';')[0]) && typeof step.requestBody.payload === 'object' && step.requestBody.payload !== null,
    }, ctx.diagnostics);

    const successCriteria = planCriteria(ctx, step.successCriteria, `${sp}/successCriteria`);
    const handledStatuses = handledFaultStatuses(successCriteria, onFailure);
    const responseMediaTypes = responseMediaTypesOf(op.operation);
    steps.push({
      ...common,
      ...(callback ? { callback } : {}),
      operation: {
        source: op.source,
        ...(op.operation.operationId ? { operationId: op.operation.operationId } : {}),
        method,
        serverUrl: op.serverUrl,
        path: op.operation.path,
        parameters: op.operation.parameters.map((p) => ({ name: p.name, in: p.in, required: Boolean(p.required) || p.in === 'path' })),
        ...(responseMediaTypes ? { responseMediaTypes } : {}),
        key: `${op.source}.${op.operation.operationId ?? `${method}${op.operation.path}`}`.replace(/[^A-Za-z0-9_.-]/g, '_'),
      },
      parameters,
      ...(step.requestBody
        ? {
            requestBody: {
              contentType,
              payload: jsonTextAsValue(contentType, (step.requestBody.payload ?? null) as JsonValue),
              replacements: (step.requestBody.replacements ?? []).map((r) => ({ target: r.target, value: r.value as JsonValue })),
            },
          }
        : {}),
      successCriteria,
      outputs,
      sealedOutputs: Object.entries(outputs)
        .filter(([name, expr]) => isSealedOutput(name, expr, ctx.options.credentialsByName ?? true))
        .map(([name]) => name),
      // Only the credentials this step sends: on AWS its function may read no other secret.
      credentialInputs: credentialInputs.filter((name) => inputsReferencedBy([parameters, step.requestBody]).includes(name)),
      transport: {
        connectTimeoutMs: ctx.options.connectTimeoutMs ?? 5_000,
        requestTimeoutMs: ctx.options.requestTimeoutMs ?? 30_000,
        retrySafe,
        ...(handledStatuses.length ? { handledStatuses } : {}),
      },
    });
  }

  // Workflow outputs: a step that does not run on every path to an end leaves its output out.
  const outputs = planOutputs(ctx, workflow.outputs, `${wp}/outputs`);
  const dom = dominators(graph);
  const endingSteps = stepIds.filter((id) => reachable.has(id) && graph.successors.get(id)!.has(END));
  for (const [name, expression] of Object.entries(outputs)) {
    for (const ref of stepsReferencedBy(expression)) {
      if (!stepIds.includes(ref)) {
        at(ctx, `${wp}/outputs/${name}`, 'expressionReference', `output "${name}" reads $steps.${ref}, which names no step`);
        continue;
      }
      const missingAt = endingSteps.filter((e) => e !== ref && !dom.get(e)?.has(ref));
      if (missingAt.length) {
        at(
          ctx,
          `${wp}/outputs/${name}`,
          'outputMayBeMissing',
          `output "${name}" reads step "${ref}", which does not run when the workflow ends at ${missingAt.map((s) => `"${s}"`).join(', ')}; the output is omitted then`,
          'warning',
        );
      }
    }
  }

  if (ctx.diagnostics.filter((d) => d.severity === 'error').length > errorsBefore) return undefined;
  return {
    planVersion: PLAN_VERSION,
    workflowId: workflow.workflowId,
    ...(workflow.summary ? { summary: workflow.summary } : {}),
    sourceFile: displayPathOf(ctx.loaded.source.path),
    inputsSchema,
    sources: ctx.loaded.document.sourceDescriptions.map((d) => ({
      name: d.name,
      url: d.url,
      ...(ctx.loaded.openapis.get(d.name)?.serverUrl ? { serverUrl: ctx.loaded.openapis.get(d.name)!.serverUrl } : {}),
    })),
    credentialInputs,
    dependsOn,
    steps,
    outputs,
  };
}

/** A workflow step's parameters are the inputs of the workflow it runs (Arazzo §Parameter Object: no `in`). */
function planWorkflowInputs(ctx: Context, step: ArazzoStep, workflow: ArazzoWorkflow, target: ResolvedWorkflow, sp: string): Record<string, JsonValue> {
  const inputs: Record<string, JsonValue> = {};
  const add = (raw: ArazzoParameter | ArazzoReusable, p: string, fromWorkflow: boolean) => {
    const param = resolveParameter(ctx, raw, p);
    if (!param) return;
    if (param.in) {
      // Workflow-level parameters with `in` are for the operation steps.
      if (!fromWorkflow) at(ctx, `${p}/in`, 'schema', `parameter "${param.name}": step "${step.stepId}" runs workflow "${target.workflowId}", whose parameters are its inputs and take no "in"`);
      return;
    }
    checkValueExpressions(ctx.loaded.source, param.value as JsonValue, `${p}/value`, ctx.diagnostics);
    inputs[param.name] = param.value as JsonValue;
  };
  (workflow.parameters ?? []).forEach((p, i) => add(p, `/workflows/${ctx.loaded.document.workflows.indexOf(workflow)}/parameters/${i}`, true));
  (step.parameters ?? []).forEach((p, i) => add(p, `${sp}/parameters/${i}`, false));

  const schema = (target.workflow.inputs ?? {}) as { properties?: Record<string, unknown>; required?: string[]; additionalProperties?: unknown };
  const declared = Object.keys(schema.properties ?? {});
  if (schema.additionalProperties === false) {
    (step.parameters ?? []).forEach((p, i) => {
      const name = (p as { name?: string }).name;
      if (name !== undefined && !declared.includes(name)) {
        at(ctx, `${sp}/parameters/${i}/name`, 'undeclaredParameter', `parameter "${name}" is not an input of workflow "${target.workflowId}"; its inputs are: ${declared.join(', ') || 'none'}`);
      }
    });
  }
  for (const name of schema.required ?? []) {
    if (!(name in inputs)) at(ctx, sp, 'missingParameter', `step "${step.stepId}": required input "${name}" of workflow "${target.workflowId}" has no value`);
  }
  return inputs;
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

/** `$sourceDescriptions.*` and `$components.*` values, for a step whose expressions read them. */
function documentContextFor(ctx: Context, used: unknown): AnyStepPlan['documentContext'] {
  const text = JSON.stringify(used ?? null);
  const wantsSources = text.includes('$sourceDescriptions.');
  const wantsComponents = text.includes('$components.');
  if (!wantsSources && !wantsComponents) return undefined;
  const doc = ctx.loaded.document;
  return {
    ...(wantsSources
      ? { sourceDescriptions: Object.fromEntries(doc.sourceDescriptions.map((d) => [d.name, { name: d.name, url: d.url, type: d.type ?? 'openapi' }])) }
      : {}),
    ...(wantsComponents ? { components: JSON.parse(JSON.stringify(doc.components ?? {})) as Record<string, Record<string, JsonValue>> } : {}),
  };
}

/** A workflow that runs itself (nested steps, goto, dependsOn) would start executions without end. */
function reportWorkflowCycles(ctx: Context) {
  const edges = new Map<string, { target: string; pointer: string }[]>();
  ctx.loaded.document.workflows.forEach((w, wi) => {
    const list: { target: string; pointer: string }[] = [];
    (w.dependsOn ?? []).forEach((d, i) => list.push({ target: d, pointer: `/workflows/${wi}/dependsOn/${i}` }));
    w.steps.forEach((s, si) => {
      if (s.workflowId !== undefined) list.push({ target: s.workflowId, pointer: `/workflows/${wi}/steps/${si}/workflowId` });
      for (const kind of ['onSuccess', 'onFailure'] as const) {
        (s[kind] ?? []).forEach((a, ai) => {
          const id = (a as { workflowId?: string }).workflowId;
          if (id !== undefined) list.push({ target: id, pointer: `/workflows/${wi}/steps/${si}/${kind}/${ai}/workflowId` });
        });
      }
    });
    edges.set(w.workflowId, list);
  });
  for (const cycle of findWorkflowCycles(edges)) {
    at(ctx, cycle.pointer, 'unknownWorkflow', `workflow "${cycle.path[0]}" runs itself (${cycle.path.join(' → ')}): each turn would start another execution, without end`);
  }
}

/** Builds the plan of every workflow in a loaded document; problems are added to `diagnostics`. */
export function buildPlans(loaded: LoadedArazzo, options: CompileOptions, diagnostics: Diagnostic[]): WorkflowPlan[] {
  const ctx: Context = { loaded, options, diagnostics };
  const ids = new Set<string>();
  loaded.document.workflows.forEach((w, i) => {
    if (ids.has(w.workflowId)) at(ctx, `/workflows/${i}/workflowId`, 'duplicateId', `workflowId "${w.workflowId}" is used twice`);
    ids.add(w.workflowId);
  });
  reportWorkflowCycles(ctx);
  return loaded.document.workflows.flatMap((w, i) => planWorkflow(ctx, w, i) ?? []);
}
