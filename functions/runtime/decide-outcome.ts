import { evaluateCriterion } from '../../core/criteria/index.js';
import { ErrorCodes, expressionError, invalidResponse, isErrorCode, stepFailed } from '../../core/errors.js';
import { evaluateValue, type ExpressionContext } from '../../core/expressions/index.js';
import { evaluateSelector } from '../../core/selectors/evaluate-selector.js';
import { isWorkflowStep, STARTED_BY_KEY, type OutputPlan, type ActionPlan, type AnyStepPlan, type CriterionPlan, type LoopPolicy, type StepEvent, type StepResult } from '../../core/plan.js';
import { stepReads } from './step-reads.js';
import { parseRetryAfter } from './http/retry-after.js';
import { getAtCredentialPath, holdsCredentialMember, setAtCredentialPath } from '../../core/credential-names.js';
import { carriesSecretForm, isSealed, parseSecretReference, resolveSecretReference, type Sealer, type SecretsProvider } from './secrets/index.js';

/** Whether every criterion holds; `notes` gets why each one that could not be evaluated is not met. */
export function allPass(criteria: readonly CriterionPlan[], ctx: ExpressionContext, notes?: string[]): boolean {
  return criteria.every((c) => evaluateCriterion(c, ctx, notes));
}

function delayFor(action: ActionPlan & { loop: LoopPolicy }, attempts: number, retryAfterHeader: string | undefined): number {
  const { loop } = action;
  const computed = Math.min(loop.maxDelaySeconds, loop.intervalSeconds * Math.pow(loop.backoffRate, Math.max(0, attempts - 1)));
  const header = parseRetryAfter(retryAfterHeader);
  const hinted = header === undefined ? undefined : Math.min(header, 3600);
  if (hinted === undefined) return Math.ceil(computed);
  // Arazzo: a Retry-After header SHOULD overrule a retry action's retryAfter; a polling loop only waits longer for it.
  return Math.ceil(action.type === 'retry' ? hinted : Math.max(computed, hinted));
}

export interface OpenedContext {
  readonly ctx: ExpressionContext;
  /** The plaintexts opened for this invocation: any output carrying one is sealed again. */
  readonly opened: string[];
  /** Why criteria evaluated for this invocation were not met when they could not be evaluated (the step's `criteriaNotes`). */
  readonly notes?: string[];
}

/**
 * Opens, for this invocation only, the credentials a step sends (`secret:` references among
 * `credentialInputs`) and the sealed values its expressions read (stepReads): step outputs,
 * `dependsOn` workflow outputs, and inputs a parent workflow handed over sealed. The others stay sealed: on AWS each opening is a
 * KMS Decrypt call, which a step that never reads a token should neither make nor be allowed.
 */
export async function openContext(
  plan: AnyStepPlan,
  event: StepEvent,
  runtime: { readonly secrets: SecretsProvider; readonly sealer: Sealer },
  credentialInputs: readonly string[],
): Promise<OpenedContext> {
  const opened: string[] = [];
  const open = async (value: unknown) => {
    const plain = JSON.parse(await runtime.sealer.unseal(value as string, plan.sealContext)) as unknown;
    opened.push(typeof plain === 'string' ? plain : JSON.stringify(plain));
    // A sealed object (an address): each of its texts is looked for apart, as a response may echo one alone.
    if (plain !== null && typeof plain === 'object') opened.push(...stringLeaves(plain, 0));
    return plain;
  };
  const reads = isWorkflowStep(plan) ? undefined : stepReads(plan);
  /** A copy of `values` with the sealed ones among `read` opened (all of them when the step's reads are unknown). */
  const openRead = async (values: Readonly<Record<string, unknown>> | undefined, read: ReadonlySet<string> | undefined) => {
    const copy: Record<string, unknown> = { ...values };
    for (const [name, value] of Object.entries(copy)) if (isSealed(value) && (!reads || read?.has(name))) copy[name] = await open(value);
    return copy;
  };
  // The execution inputs with the sealed ones the step reads opened (`$workflows.<id>.inputs` reads these too),
  // at any depth: a personal member of an object input (`address.city`) is sealed where it sits.
  const storedInputs = await openRead(event.inputs, reads?.inputs);
  for (const [name, value] of Object.entries(storedInputs)) {
    if (value !== null && typeof value === 'object' && (!reads || reads.inputs.has(name))) storedInputs[name] = await openNested(value, open, 0);
  }
  let inputs: Record<string, unknown> = { ...storedInputs };
  for (const path of credentialInputs) {
    const ref = parseSecretReference(getAtCredentialPath(inputs, path));
    if (ref) {
      const value = await resolveSecretReference(runtime.secrets, ref);
      inputs = setAtCredentialPath(inputs, path, value);
      opened.push(value);
    }
  }
  const steps: ExpressionContext['steps'] = {};
  for (const [id, result] of Object.entries(event.steps ?? {})) steps[id] = { outputs: await openRead(result?.outputs, reads?.stepOutputs.get(id)) };
  let workflows: ExpressionContext['workflows'];
  if (event.workflows) {
    workflows = {};
    for (const [id, w] of Object.entries(event.workflows)) workflows[id] = { inputs: storedInputs, outputs: await openRead(w?.outputs, reads?.workflowOutputs.get(id)) };
  }
  const ctx: ExpressionContext = { inputs, steps, ...(workflows ? { workflows } : {}) };
  if (plan.documentContext?.sourceDescriptions) ctx.sourceDescriptions = plan.documentContext.sourceDescriptions as Record<string, unknown>;
  if (plan.documentContext?.components) ctx.components = plan.documentContext.components as Record<string, Record<string, unknown>>;
  return { ctx, opened: opened.filter((v) => v.length >= 4), notes: [] };
}

/** What the execution state holds of a run so far. */
export type StoredState = Pick<StepEvent, 'inputs' | 'steps' | 'workflows'>;

function stringLeaves(value: unknown, depth: number): string[] {
  if (typeof value === 'string') return [value];
  if (depth > MAX_OPEN_DEPTH || value === null || typeof value !== 'object') return [];
  return Object.values(value).flatMap((v) => stringLeaves(v, depth + 1));
}

/** Objects deeper than this are not searched for sealed members (an inputs schema is not that deep). */
const MAX_OPEN_DEPTH = 32;

/** A copy of `value` with every sealed string in it opened (the value itself when it holds none). */
async function openNested(value: unknown, open: (sealed: unknown) => Promise<unknown>, depth: number): Promise<unknown> {
  if (isSealed(value)) return open(value);
  if (depth > MAX_OPEN_DEPTH || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return Promise.all(value.map((v) => openNested(v, open, depth + 1)));
  const copy: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) copy[k] = await openNested(v, open, depth + 1);
  return copy;
}

/**
 * The context as the execution state holds it: nothing opened, so credential references and
 * sealed tokens stay as they are (workflow outputs, a workflow step's child inputs and outcome).
 */
export function storedContext(event: StoredState): ExpressionContext {
  return {
    inputs: event.inputs,
    steps: Object.fromEntries(Object.entries(event.steps ?? {}).map(([k, v]) => [k, { outputs: v?.outputs ?? {} }])),
    ...(event.workflows ? { workflows: dependencyContext(event) } : {}),
  };
}

/** `$workflows.<id>.*` of the dependencies: each ran with this execution's inputs (as stored: references stay references). */
export function dependencyContext(event: StoredState): NonNullable<ExpressionContext['workflows']> {
  return Object.fromEntries(Object.entries(event.workflows ?? {}).map(([id, w]) => [id, { inputs: event.inputs, outputs: w?.outputs ?? {} }]));
}

/** Step Functions' cap on an execution's state, and so on what a Task may return into it, in UTF-8 bytes. */
export const STATE_LIMIT_BYTES = 262_144;

/**
 * On AWS a state past the cap fails the execution with States.DataLimitExceeded, which States.ALL
 * does not catch, so the step's Fail state and its cause never come; the embedded engine has no
 * cap at all, so a run that passes locally would fail deployed. Refusing here fails the step by
 * name, on both.
 */
function assertStateFits(plan: AnyStepPlan, event: StepEvent, result: StepResult): void {
  const state = { inputs: event.inputs, steps: { ...event.steps, [plan.stepId]: result }, ...(event.workflows ? { workflows: event.workflows } : {}) };
  const size = Buffer.byteLength(JSON.stringify(state));
  if (size <= STATE_LIMIT_BYTES) return;
  const own = Buffer.byteLength(JSON.stringify(result));
  throw invalidResponse(
    `step ${plan.stepId}: its result takes ${own} bytes and would bring the execution state to ${size} bytes, over the ${STATE_LIMIT_BYTES}-byte Step Functions limit; declare outputs that pick only the fields the workflow needs`,
  );
}

/** An output whose value (or a part of its template) is absent is omitted, as an output of a step that did not run. */
function evaluateOutput(expression: OutputPlan, ctx: ExpressionContext): unknown {
  try {
    return typeof expression === 'string' ? evaluateValue(expression, ctx) : evaluateSelector(expression, ctx);
  } catch (err) {
    if (isErrorCode(err, ErrorCodes.Expression)) return undefined;
    throw err;
  }
}

/** Workflow outputs from the stored (sealed, referenced) values, never opened ones; an absent value is omitted. */
export function evaluateWorkflowOutputs(expressions: Readonly<Record<string, OutputPlan>>, stored: ExpressionContext): Record<string, unknown> {
  const outputs: Record<string, unknown> = {};
  for (const [name, expression] of Object.entries(expressions)) {
    const value = evaluateOutput(expression, stored);
    if (value !== undefined) outputs[name] = value;
  }
  return outputs;
}

/**
 * Whether a value would carry one of the credentials this invocation opened, in any form the
 * runtime produces (an output reading `$request.header.Authorization`, `$url` with a
 * percent-encoded token, `$request.body` with a JSON-escaped one).
 */
function carriesSecret(value: unknown, opened: readonly string[]): boolean {
  if (!opened.length) return false;
  return carriesSecretForm(typeof value === 'string' ? value : JSON.stringify(value), opened);
}

/**
 * The input of the workflow a matched action runs, from its `parameters` (Arazzo 1.1). They are
 * read as the execution state holds values (credential references and sealed tokens as they
 * are), plus what this step's call gave: its status, request, response, outputs (`$outputs` of a
 * workflow step). A value that would carry a credential opened for this call is sealed, as an
 * output is: the child opens it with the deployment's shared seal context.
 */
async function evaluateChildInput(
  plan: AnyStepPlan,
  action: ActionPlan,
  event: StepEvent,
  opened: OpenedContext,
  sealer: Sealer,
  outputs: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const { ctx } = opened;
  const base = storedContext(event);
  const read: ExpressionContext = {
    ...base,
    steps: { ...base.steps, [plan.stepId]: { outputs } },
    ...(ctx.statusCode !== undefined ? { statusCode: ctx.statusCode } : {}),
    ...(ctx.url !== undefined ? { url: ctx.url, method: ctx.method } : {}),
    ...(ctx.request ? { request: ctx.request } : {}),
    ...(ctx.response ? { response: ctx.response } : {}),
    ...(ctx.outputs ? { outputs: ctx.outputs } : {}),
    ...(ctx.sourceDescriptions ? { sourceDescriptions: ctx.sourceDescriptions } : {}),
    ...(ctx.components ? { components: ctx.components } : {}),
  };
  const input: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(action.inputs ?? {})) {
    let evaluated: unknown;
    try {
      const selector = action.inputSelectors?.[name];
      evaluated = selector ? evaluateSelector(selector, read, `step ${plan.stepId} action ${action.name ?? action.outcome} parameter ${name}`) : evaluateValue(value, read);
    } catch (err) {
      if (isErrorCode(err, ErrorCodes.Expression)) throw err;
      throw expressionError(`step ${plan.stepId} action ${action.name ?? action.outcome} parameter ${name}: ${(err as Error).message}`, { cause: err });
    }
    // An absent optional value is left out, as an unset input.
    if (evaluated === undefined) continue;
    const seal = !isSealed(evaluated) && (carriesSecret(evaluated, opened.opened) || holdsCredentialMember(evaluated));
    input[name] = seal ? await sealer.seal(JSON.stringify(evaluated), plan.sealContext) : evaluated;
  }
  // Links the child to this execution in the console, as the other nested starts do.
  if (event.executionId) input[STARTED_BY_KEY] = event.executionId;
  return input;
}

/**
 * What both kinds of step do once their call returned: pick the first action whose criteria
 * hold (onSuccess when the step succeeded, onFailure otherwise), evaluate the declared outputs
 * (credentials sealed), count consecutive runs with the same outcome for loop bounds, and
 * evaluate the workflow outputs when the outcome ends the workflow. A failure no action
 * handles throws `Arazzo.StepFailed` with `failureMessage`.
 */
export async function decideOutcome(
  plan: AnyStepPlan,
  event: StepEvent,
  opened: OpenedContext,
  sealer: Sealer,
  ok: boolean,
  failureMessage: () => string,
): Promise<StepResult> {
  const { ctx } = opened;
  const previous = event.steps?.[plan.stepId];
  const visits = (previous?.visits ?? 0) + 1;
  const actions: readonly ActionPlan[] = ok ? plan.onSuccess : plan.onFailure;
  const attemptsOf = (outcome: string) => (previous?.outcome === outcome ? (previous.attempts ?? 1) + 1 : 1);
  // The first action whose criteria hold, in document order; later criteria are not evaluated.
  // Arazzo: "The retryLimit MUST be exhausted prior to executing subsequent failure actions": an
  // exhausted retry gives way to the next match, and is still taken when nothing else matches.
  let matched: ActionPlan | undefined;
  let exhausted: ActionPlan | undefined;
  for (const a of actions) {
    if (!allPass(a.criteria, ctx, opened.notes)) continue;
    if (a.type === 'retry' && a.loop && attemptsOf(a.outcome) >= a.loop.maxAttempts) {
      exhausted ??= a;
      continue;
    }
    matched = a;
    break;
  }
  matched ??= exhausted;
  const notes = [...new Set(opened.notes ?? [])];
  if (!ok && !matched) throw stepFailed(notes.length ? `${failureMessage()}; ${notes.join('; ')}` : failureMessage());

  const outputs: Record<string, unknown> = {};
  for (const [name, expression] of Object.entries(plan.outputs)) {
    const value = evaluateOutput(expression, ctx);
    if (value === undefined) continue;
    // A value that arrives sealed (a child workflow's token output) is kept as it is: sealing twice would hand the reader a sealed string.
    const seal = !isSealed(value) && (plan.sealedOutputs.includes(name) || carriesSecret(value, opened.opened) || holdsCredentialMember(value));
    outputs[name] = seal ? await sealer.seal(JSON.stringify(value), plan.sealContext) : value;
  }

  const outcome = matched?.outcome ?? 'success';
  // Consecutive runs of this step that ended in the same outcome: the bound of a retry or loop counts these, not every visit.
  const attempts = attemptsOf(outcome);
  const ends = matched ? matched.type === 'end' || matched.workflow !== undefined : plan.endsOnDefaultSuccess;
  let workflowOutputs: Record<string, unknown> | undefined;
  if (ends) {
    // Workflow outputs read the stored (sealed, referenced) values, never the opened ones.
    const base = storedContext(event);
    workflowOutputs = evaluateWorkflowOutputs(plan.workflowOutputs, { ...base, steps: { ...base.steps, [plan.stepId]: { outputs } } });
  }
  const childInput = matched?.inputs ? await evaluateChildInput(plan, matched, event, opened, sealer, outputs) : undefined;
  const result: StepResult = {
    ...(ctx.statusCode !== undefined ? { statusCode: ctx.statusCode } : {}),
    outcome,
    outputs,
    ...(childInput ? { childInput } : {}),
    visits,
    attempts,
    ...(matched?.loop ? { delaySeconds: delayFor(matched as ActionPlan & { loop: LoopPolicy }, attempts, ctx.response?.headers['retry-after']) } : {}),
    ...(workflowOutputs ? { workflowOutputs } : {}),
    ...(notes.length ? { criteriaNotes: notes } : {}),
  };
  assertStateFits(plan, event, result);
  return result;
}
