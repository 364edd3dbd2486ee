import type { Dispatcher } from 'undici';
import { evaluateCriterion } from './criteria/index.js';
import { ErrorCodes, expressionError, providerUnavailable, stepFailed } from './errors.js';
import { evaluateExpression, evaluateValue, type ExpressionContext } from './expressions/index.js';
import { buildRequest, setAtPointer, type BuiltRequest } from './http/build-request.js';
import { sendRequest, type ReceivedResponse } from './http/send-request.js';
import type { ActionPlan, CriterionPlan, LoopPolicy, StepEvent, StepPlan, StepResult } from './plan.js';
import { isSealed, parseSecretReference, resolveSecretReference, type Sealer, type SecretsProvider } from './secrets/index.js';

export interface StepRuntime {
  readonly secrets: SecretsProvider;
  readonly sealer: Sealer;
  /** Pooled HTTP client; the default global dispatcher when absent. */
  readonly dispatcher?: Dispatcher;
  /** Server URL per source description name, overriding the OpenAPI `servers[0]`. */
  readonly serverUrls?: Readonly<Record<string, string>>;
  /** Receives one line per call: step, request line, status, duration. Never headers or bodies. */
  readonly log?: (entry: StepLogEntry) => void;
}

export interface StepLogEntry {
  readonly workflowId: string;
  readonly stepId: string;
  readonly method: string;
  readonly path: string;
  readonly statusCode?: number;
  readonly durationMs: number;
  readonly outcome?: string;
  readonly error?: string;
}

function allPass(criteria: readonly CriterionPlan[], ctx: ExpressionContext): boolean {
  return criteria.every((c) => evaluateCriterion(c, ctx));
}

/** Arazzo leaves an absent successCriteria open; a 2xx status is the conventional reading (undici follows no redirect). */
function succeeded(plan: StepPlan, ctx: ExpressionContext, statusCode: number): boolean {
  return plan.successCriteria.length ? allPass(plan.successCriteria, ctx) : statusCode >= 200 && statusCode < 300;
}

function delayFor(loop: LoopPolicy, visits: number, retryAfterHeader: string | undefined): number {
  const computed = Math.min(loop.maxDelaySeconds, loop.intervalSeconds * Math.pow(loop.backoffRate, Math.max(0, visits - 1)));
  const hinted = retryAfterHeader && /^\d+$/.test(retryAfterHeader) ? Math.min(Number(retryAfterHeader), 3600) : 0;
  return Math.ceil(Math.max(computed, hinted));
}

/** Opens every sealed step output and resolves this step's credential inputs, for this invocation only. */
async function openContext(plan: StepPlan, event: StepEvent, runtime: StepRuntime): Promise<{ ctx: ExpressionContext; opened: string[] }> {
  const inputs: Record<string, unknown> = { ...event.inputs };
  const opened: string[] = [];
  for (const name of plan.credentialInputs) {
    const ref = parseSecretReference(inputs[name]);
    if (ref) {
      inputs[name] = await resolveSecretReference(runtime.secrets, ref);
      opened.push(String(inputs[name]));
    }
  }
  const steps: ExpressionContext['steps'] = {};
  for (const [id, result] of Object.entries(event.steps ?? {})) {
    const outputs: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(result?.outputs ?? {})) {
      if (isSealed(v)) {
        outputs[k] = JSON.parse(await runtime.sealer.unseal(v, plan.workflowId));
        opened.push(typeof outputs[k] === 'string' ? (outputs[k] as string) : JSON.stringify(outputs[k]));
      } else outputs[k] = v;
    }
    steps[id] = { outputs };
  }
  return { ctx: { inputs, steps }, opened: opened.filter((v) => v.length >= 4) };
}

/** Whether a value would carry one of the credentials this invocation opened (e.g. an output reading `$request.header.Authorization`). */
function carriesSecret(value: unknown, opened: readonly string[]): boolean {
  if (!opened.length) return false;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return opened.some((secret) => text.includes(secret));
}

function evaluateStrict(value: unknown, ctx: ExpressionContext, what: string): unknown {
  try {
    return evaluateValue(value, ctx);
  } catch (err) {
    if ((err as Error).name === ErrorCodes.Expression) throw err;
    throw expressionError(`${what}: ${(err as Error).message}`);
  }
}

/**
 * Runs one Arazzo step: builds the request from the plan, sends it, evaluates the success
 * criteria and actions, and returns only declared outputs (credentials sealed). The Choice
 * state after the Task routes on `outcome`; a failure no onFailure action handles is thrown as
 * `Arazzo.StepFailed`, which the Task's Catch turns into the step's Fail state.
 */
export async function handleStep(plan: StepPlan, event: StepEvent, runtime: StepRuntime): Promise<StepResult> {
  const previous = event.steps?.[plan.stepId];
  const visits = (previous?.visits ?? 0) + 1;
  const { ctx, opened } = await openContext(plan, event, runtime);
  const where = `step ${plan.stepId}`;

  const parameters = plan.parameters.map((p) => ({ name: p.name, in: p.in, value: evaluateStrict(p.value, ctx, `${where} parameter ${p.name}`) }));
  let payload: unknown;
  if (plan.requestBody) {
    payload = evaluateStrict(plan.requestBody.payload, ctx, `${where} request body`);
    for (const r of plan.requestBody.replacements) payload = setAtPointer(payload, r.target, evaluateStrict(r.value, ctx, `${where} replacement ${r.target}`));
  }
  const serverUrl = runtime.serverUrls?.[plan.operation.source] ?? plan.operation.serverUrl;
  const request: BuiltRequest = buildRequest(plan, serverUrl, parameters, payload);
  // Messages and logs name the path template: a resolved path may hold a credential or personal data.
  const logBase = { workflowId: plan.workflowId, stepId: plan.stepId, method: request.method, path: plan.operation.path };

  let response: ReceivedResponse;
  try {
    response = await sendRequest(request, {
      dispatcher: runtime.dispatcher,
      connectTimeoutMs: plan.transport.connectTimeoutMs,
      requestTimeoutMs: plan.transport.requestTimeoutMs,
      describe: `${request.method} ${plan.operation.path}`,
    });
  } catch (err) {
    runtime.log?.({ ...logBase, durationMs: 0, error: (err as Error).name });
    throw err;
  }
  const what = `${request.method} ${logBase.path}`;
  // A retry-safe call's 5xx/429 is a provider fault for the Task's Retry, unless the workflow handles failures itself.
  if (plan.transport.retrySafe && plan.onFailure.length === 0 && (response.statusCode >= 500 || response.statusCode === 429)) {
    runtime.log?.({ ...logBase, statusCode: response.statusCode, durationMs: response.durationMs, error: ErrorCodes.ProviderUnavailable });
    throw providerUnavailable(`${where}: ${what} answered ${response.statusCode}`);
  }

  ctx.url = request.url;
  ctx.method = request.method;
  ctx.statusCode = response.statusCode;
  ctx.request = request.parts;
  ctx.response = { headers: response.headers, body: response.body };

  const ok = succeeded(plan, ctx, response.statusCode);
  const actions: readonly ActionPlan[] = ok ? plan.onSuccess : plan.onFailure;
  const matched = actions.find((a) => allPass(a.criteria, ctx));
  if (!ok && !matched) {
    runtime.log?.({ ...logBase, statusCode: response.statusCode, durationMs: response.durationMs, outcome: 'failed' });
    const criteria = plan.successCriteria.map((c) => c.condition).join(' && ') || '2xx status';
    throw stepFailed(`${where}: ${what} answered ${response.statusCode}, which does not meet its success criteria (${criteria}), and no onFailure action applies`);
  }

  const outputs: Record<string, unknown> = {};
  for (const [name, expression] of Object.entries(plan.outputs)) {
    const value = evaluateExpression(expression, ctx);
    if (value === undefined) continue;
    const seal = plan.sealedOutputs.includes(name) || carriesSecret(value, opened);
    outputs[name] = seal ? await runtime.sealer.seal(JSON.stringify(value), plan.workflowId) : value;
  }

  const outcome = matched?.outcome ?? 'success';
  // Consecutive runs of this step that ended in the same outcome: the bound of a retry or loop counts these, not every visit.
  const attempts = previous?.outcome === outcome ? (previous.attempts ?? 1) + 1 : 1;
  const ends = matched ? matched.type === 'end' : plan.endsOnDefaultSuccess;
  let workflowOutputs: Record<string, unknown> | undefined;
  if (ends) {
    // Workflow outputs read the stored (sealed, referenced) values, never the opened ones.
    const stored: ExpressionContext = {
      inputs: event.inputs,
      steps: { ...Object.fromEntries(Object.entries(event.steps ?? {}).map(([k, v]) => [k, { outputs: v?.outputs ?? {} }])), [plan.stepId]: { outputs } },
    };
    workflowOutputs = {};
    for (const [name, expression] of Object.entries(plan.workflowOutputs)) {
      const value = evaluateExpression(expression, stored);
      if (value !== undefined) workflowOutputs[name] = value;
    }
  }
  runtime.log?.({ ...logBase, statusCode: response.statusCode, durationMs: response.durationMs, outcome });
  return {
    statusCode: response.statusCode,
    outcome,
    outputs,
    visits,
    attempts,
    ...(matched?.loop ? { delaySeconds: delayFor(matched.loop, attempts, response.headers['retry-after']) } : {}),
    ...(workflowOutputs ? { workflowOutputs } : {}),
  };
}
