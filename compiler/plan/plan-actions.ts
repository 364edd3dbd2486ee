import type { ActionPlan, CriterionPlan, CriterionType, LoopPolicy } from '../../core/plan.js';
import type { ArazzoCriterion, ArazzoFailureAction, ArazzoReusable, ArazzoStep, ArazzoSuccessAction } from '../validate/arazzo-schema.js';
import { isGoessnerFilterCondition } from '../../core/criteria/goessner-jsonpath.js';
import { checkCriterionAt } from './check-expressions.js';
import { planExpressionType } from './plan-selectors.js';
import { DEFAULT_LOOP, DEFAULT_RETRY_LIMIT, LOOP_LIMITS } from './compile-options.js';
import { isReusable, reportAt, resolveComponent, type PlanContext } from './plan-context.js';
import { CALLBACK_EXTENSION } from './read-callback-extension.js';
import { planActionInputs } from './plan-parameters.js';
import { resolveWorkflow } from './resolve-workflow.js';
import { arazzoMinor } from '../validate/arazzo-11.js';

type AnyAction = ArazzoSuccessAction | ArazzoFailureAction;
export type ActionKind = 'onSuccess' | 'onFailure';

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

/** Criteria as the plan carries them; with `report`, their syntax is checked (once per place they are written). */
export function planCriteria(ctx: PlanContext, criteria: readonly ArazzoCriterion[] | undefined, pointer: string, report = true): CriterionPlan[] {
  return (criteria ?? []).map((c, i) => {
    // An Expression Type Object names a jsonpath or xpath version (Arazzo 1.1); a plain type takes its default.
    const typed = typeof c.type === 'object' ? planExpressionType(report ? ctx : { ...ctx, diagnostics: [] }, c.type, `${pointer}/${i}/type`, ['jsonpath', 'xpath'], 'criterion') : undefined;
    const type = (typeof c.type === 'object' ? (typed?.type ?? c.type.type) : (c.type ?? 'simple')) as CriterionType;
    // A jsonpath condition reads RFC 9535 and, with a warning, the Goessner-style comparisons of 1.0.x documents (whatever its version says);
    // a Goessner one with filters `?()` reads them as Goessner's draft does, so only then does the plan carry its version.
    const goessner = typed?.version === 'draft-goessner-dispatch-jsonpath-00' && isGoessnerFilterCondition(c.condition);
    const version = (typed?.type === 'xpath' && typed.version !== 'xpath-31') || goessner ? typed!.version : undefined;
    // Only regex and xpath conditions run into this implementation's bounds (CriterionPlan.unmetPastBounds).
    const bounded = (type === 'regex' || type === 'xpath') && arazzoMinor(ctx.loaded.document) === '1.1';
    const plan: CriterionPlan = {
      type,
      condition: c.condition,
      ...(c.context !== undefined ? { context: c.context } : {}),
      ...(version ? { version } : {}),
      ...(bounded ? { unmetPastBounds: true as const } : {}),
    };
    if (!report || (typeof c.type === 'object' && !typed)) return plan;
    checkCriterionAt(ctx.loaded.source, plan, `${pointer}/${i}`, ctx.diagnostics);
    return plan;
  });
}

/**
 * An action list as written (a step's `onSuccess`/`onFailure`, or a workflow's
 * `successActions`/`failureActions`), with what makes it unplannable reported: an unknown
 * component, a name used twice, a goto without exactly one target or to an unknown step or
 * workflow. Run once per list; planning the list for a step reports nothing of this again.
 */
export function checkActionList(ctx: PlanContext, kind: ActionKind, raw: readonly (AnyAction | ArazzoReusable)[], owner: string, stepIds: readonly string[], pointer: string): void {
  const names = new Set<string>();
  raw.forEach((entry, i) => {
    const p = `${pointer}/${i}`;
    const action = isReusable(entry) ? resolveComponent<AnyAction>(ctx, kind === 'onSuccess' ? 'successActions' : 'failureActions', entry.reference, p) : entry;
    if (!action) return;
    if (names.has(action.name)) reportAt(ctx, `${p}/name`, 'duplicateId', `${kind} action name "${action.name}" is used twice in ${owner}`);
    names.add(action.name);
    planCriteria(ctx, action.criteria, `${p}/criteria`);
    checkActionInputs(ctx, action, p);
    if (action.type === 'retry') {
      // Optional: the step or workflow that runs before the retry.
      if (action.workflowId !== undefined && action.stepId !== undefined) reportAt(ctx, p, 'schema', `retry action "${action.name}" may name a stepId or a workflowId to run first, not both`);
      else if (action.workflowId !== undefined) resolveWorkflow(ctx.loaded, action.workflowId, `${p}/workflowId`, ctx.diagnostics);
      else if (action.stepId !== undefined && !stepIds.includes(action.stepId)) reportAt(ctx, `${p}/stepId`, 'unknownStep', `retry action "${action.name}" runs unknown step "${action.stepId}" first (steps: ${stepIds.join(', ')})`);
      return;
    }
    if (action.type !== 'goto') return;
    if (action.workflowId !== undefined && action.stepId !== undefined) reportAt(ctx, p, 'schema', `goto action "${action.name}" must have a stepId or a workflowId, not both`);
    else if (action.workflowId !== undefined) resolveWorkflow(ctx.loaded, action.workflowId, `${p}/workflowId`, ctx.diagnostics);
    else if (action.stepId === undefined) reportAt(ctx, p, 'schema', `goto action "${action.name}" needs a stepId or a workflowId`);
    else if (!stepIds.includes(action.stepId)) reportAt(ctx, `${p}/stepId`, 'unknownStep', `goto action "${action.name}" targets unknown step "${action.stepId}" (steps: ${stepIds.join(', ')})`);
  });
}

/**
 * An action's `parameters` go to the workflow it runs (a `goto` or `retry` with `workflowId`):
 * checked against that workflow's inputs; on any other action they have nowhere to go.
 */
function checkActionInputs(ctx: PlanContext, action: AnyAction, pointer: string): void {
  if (action.parameters === undefined) return;
  const runsWorkflow = action.workflowId !== undefined && action.stepId === undefined && action.type !== 'end';
  if (!runsWorkflow) {
    const what = action.type === 'end' ? 'it ends the workflow' : action.stepId !== undefined ? `it ${action.type === 'goto' ? 'goes to' : 'runs'} step "${action.stepId}"` : 'it retries the step';
    reportAt(ctx, `${pointer}/parameters`, 'actionParametersUnused', `action "${action.name}" runs no workflow (${what}): its parameters, which are the inputs of a workflow named by workflowId, are not used`, 'warning');
    return;
  }
  const target = resolveWorkflow(ctx.loaded, action.workflowId!, `${pointer}/workflowId`, []);
  if (target) planActionInputs(ctx, action, target, pointer, true);
}

/** The inputs an action hands the workflow it runs, when it has `parameters`. */
function actionInputs(ctx: PlanContext, action: AnyAction, target: ReturnType<typeof resolveWorkflow>, pointer: string): Pick<ActionPlan, 'inputs' | 'inputSelectors'> {
  if (action.parameters === undefined || !target) return {};
  const { inputs, inputSelectors } = planActionInputs(ctx, action, target, pointer, false);
  return { inputs, ...(Object.keys(inputSelectors).length ? { inputSelectors } : {}) };
}

/**
 * The actions of one step, as the emitter routes them. Problems of the list itself are
 * checkActionList's; what depends on the step (a goto that loops back to it or an earlier
 * step gets a pace and a bound) is decided, and warned about, here.
 */
export function planActions(ctx: PlanContext, kind: ActionKind, raw: readonly (AnyAction | ArazzoReusable)[], step: ArazzoStep, stepIndex: number, stepIds: readonly string[], pointer: string): ActionPlan[] {
  const plans: ActionPlan[] = [];
  raw.forEach((entry, i) => {
    const p = `${pointer}/${i}`;
    const action = isReusable(entry) ? resolveComponent<AnyAction>(ctx, kind === 'onSuccess' ? 'successActions' : 'failureActions', entry.reference, p, false) : entry;
    if (!action) return;
    const criteria = planCriteria(ctx, action.criteria, `${p}/criteria`, false);
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
      const runFirst = retryRunsFirst(ctx, failure, step, stepIds, p);
      const inputs = runFirst && 'workflow' in runFirst ? actionInputs(ctx, action, resolveWorkflow(ctx.loaded, action.workflowId!, `${p}/workflowId`, []), p) : {};
      plans.push({ outcome, kind, name: action.name, type: 'retry', stepId: step.stepId, criteria, loop, ...(runFirst ? { runFirst } : {}), ...inputs });
      return;
    }
    // goto: a target that is missing, doubled or unknown is reported by checkActionList.
    if (action.workflowId !== undefined && action.stepId !== undefined) return;
    if (action.workflowId !== undefined) {
      const target = resolveWorkflow(ctx.loaded, action.workflowId, `${p}/workflowId`, []);
      if (target) plans.push({ outcome, kind, name: action.name, type: 'goto', workflow: { workflowId: target.workflowId, ...(target.source ? { source: target.source } : {}) }, criteria, ...actionInputs(ctx, action, target, p) });
      return;
    }
    const targetIndex = action.stepId === undefined ? -1 : stepIds.indexOf(action.stepId);
    if (targetIndex < 0) return;
    if (targetIndex <= stepIndex) {
      if (!extension) {
        reportAt(
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

/**
 * What a `retry` with a `stepId` or `workflowId` runs before the step is retried. A step must be
 * an operation step without a callback (one Task the route can run on its own); a workflow runs
 * as a nested execution with the current inputs. Unknown targets are checkActionList's to report.
 */
function retryRunsFirst(ctx: PlanContext, action: ArazzoFailureAction, step: ArazzoStep, stepIds: readonly string[], pointer: string): ActionPlan['runFirst'] {
  if (action.workflowId !== undefined && action.stepId !== undefined) return undefined;
  if (action.workflowId !== undefined) {
    const target = resolveWorkflow(ctx.loaded, action.workflowId, `${pointer}/workflowId`, []);
    return target ? { workflow: { workflowId: target.workflowId, ...(target.source ? { source: target.source } : {}) } } : undefined;
  }
  if (action.stepId === undefined || !stepIds.includes(action.stepId)) return undefined;
  const workflow = ctx.loaded.document.workflows.find((w) => w.steps.includes(step));
  const target = workflow?.steps.find((s) => s.stepId === action.stepId);
  const runsWorkflow = target !== undefined && target.workflowId !== undefined && target.operationId === undefined && target.operationPath === undefined;
  const waitsForCallback = target !== undefined && ((target as Record<string, unknown>)[CALLBACK_EXTENSION] !== undefined || target.action === 'receive');
  if (runsWorkflow || waitsForCallback) {
    const message = `retry action "${action.name}" runs step "${action.stepId}" first, which ${runsWorkflow ? 'runs a workflow' : 'waits for a callback'}: only an operation step can run before a retry; name the workflow with workflowId instead`;
    // Workflow-level failure actions are planned once per step: report once.
    if (!ctx.diagnostics.some((d) => d.message === message)) reportAt(ctx, `${pointer}/stepId`, 'unsupported', message);
    return undefined;
  }
  return { stepId: action.stepId };
}
