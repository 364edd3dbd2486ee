import type { ActionPlan, AnyStepPlan, WorkflowPlan } from '../../core/plan.js';
import { PLAN_VERSION } from '../../core/plan.js';
import type { Diagnostic } from '../diagnostics/index.js';
import type { LoadedArazzo } from '../load/load-arazzo.js';
import { displayPathOf } from '../load/parse-yaml-source.js';
import { bindDocument, type BoundDocument, type BoundWorkflow } from './bind-document.js';
import type { CompileOptions } from './compile-options.js';
import { detectCredentialInputs } from './detect-credentials.js';
import { planPersonalData } from './plan-personal-data.js';
import { lintUnusedVerification } from './plan-verification-config.js';
import { checkActionList, planActions } from './plan-actions.js';
import { checkReceiveOwnSend, checkSharedChannels } from './check-shared-channels.js';
import { reportAt, type PlanContext } from './plan-context.js';
import { buildFlowGraph, checkReachability, checkStepReads, checkWorkflowOutputs, endsWorkflow } from './plan-flow.js';
import { checkWorkflowParameters } from './plan-parameters.js';
import { checkStepDependencies, checkStepDependencyOrder } from './plan-step-dependencies.js';
import { lastScheduledStep, planSchedule } from './plan-schedule.js';
import { checkSecurityInputDefaults, readWorkflowSecurity, securityCredentialInputs } from './plan-security.js';
import { planOperationStep, planWorkflowStep } from './plan-steps.js';
import { resolveInputsSchema } from './resolve-inputs-schema.js';
import { checkOutputExpressions } from './check-expressions.js';
import { findWorkflowCycles } from './resolve-workflow.js';
import { planOutputMap } from './plan-selectors.js';

const errorCount = (diagnostics: readonly Diagnostic[]) => diagnostics.filter((d) => d.severity === 'error').length;

/** The inputs schema and the credential inputs of a workflow. */
function planInputs(ctx: PlanContext, { workflow, pointer: wp }: BoundWorkflow) {
  const inputsSchema = resolveInputsSchema(ctx.loaded, workflow.inputs, `${wp}/inputs`, ctx.diagnostics);
  const unread: string[] = [];
  const credentials = detectCredentialInputs(
    inputsSchema as Record<string, any>,
    (workflow as Record<string, unknown>)['x-arazzo-sfn-credentials'],
    // An input an x-security credential value reads is a credential, whatever its name or schema.
    [...(ctx.options.credentialInputs?.[workflow.workflowId] ?? []), ...securityCredentialInputs(workflow)],
    ctx.options.credentialsByName ?? true,
    unread,
  );
  for (const at of unread) {
    reportAt(
      ctx,
      `${wp}/inputs${at}`,
      'credentialMarkUnread',
      'a credential mark is read only through "properties" (not under items, allOf, anyOf, oneOf, additionalProperties and the like), so this value would reach the execution history unsealed: mark the property that holds it (an array or object so marked is a credential whole)',
    );
  }
  for (const c of credentials.filter((c) => c.reason === 'name')) {
    reportAt(
      ctx,
      `${wp}/inputs${c.schemaPointer ?? `/properties/${c.name}`}`,
      'credentialByName',
      `input "${c.name}" is treated as a credential by its name: executions carry a secret reference ("secret:<name>"), never the value; mark it with format: password to be explicit, or x-arazzo-sfn-credential: false if it is not secret`,
      'warning',
    );
  }
  checkSecurityInputDefaults(ctx, workflow, inputsSchema as Record<string, any>, `${wp}/inputs`);
  return { inputsSchema, credentialInputs: credentials.map((c) => c.name) };
}

function planWorkflow(ctx: PlanContext, bound: BoundWorkflow): WorkflowPlan | undefined {
  const { workflow, pointer: wp } = bound;
  const stepIds = workflow.steps.map((s) => s.stepId);
  const errorsBefore = errorCount(ctx.diagnostics);

  const seen = new Set<string>();
  workflow.steps.forEach((s, i) => {
    if (seen.has(s.stepId)) reportAt(ctx, `${wp}/steps/${i}/stepId`, 'duplicateId', `stepId "${s.stepId}" is used twice in workflow "${workflow.workflowId}"`);
    seen.add(s.stepId);
  });
  const { inputsSchema, credentialInputs } = planInputs(ctx, bound);
  checkWorkflowParameters(ctx, workflow, `${wp}/parameters`);

  // Each action list is checked once; a workflow's own lists apply to every step (a step's action overrides one of the same name, Arazzo §Workflow Object).
  checkActionList(ctx, 'onSuccess', workflow.successActions ?? [], `workflow "${workflow.workflowId}"`, stepIds, `${wp}/successActions`);
  checkActionList(ctx, 'onFailure', workflow.failureActions ?? [], `workflow "${workflow.workflowId}"`, stepIds, `${wp}/failureActions`);
  const merged = (own: ActionPlan[], shared: ActionPlan[]) => [...own, ...shared.filter((a) => !own.some((o) => o.name === a.name))];
  const actions = new Map<string, { onSuccess: ActionPlan[]; onFailure: ActionPlan[] }>();
  for (const { step, index: i, pointer: sp } of bound.steps) {
    checkActionList(ctx, 'onSuccess', step.onSuccess ?? [], `step "${step.stepId}"`, stepIds, `${sp}/onSuccess`);
    checkActionList(ctx, 'onFailure', step.onFailure ?? [], `step "${step.stepId}"`, stepIds, `${sp}/onFailure`);
    actions.set(step.stepId, {
      onSuccess: merged(
        planActions(ctx, 'onSuccess', step.onSuccess ?? [], step, i, stepIds, `${sp}/onSuccess`),
        planActions(ctx, 'onSuccess', workflow.successActions ?? [], step, i, stepIds, `${wp}/successActions`),
      ),
      onFailure: merged(
        planActions(ctx, 'onFailure', step.onFailure ?? [], step, i, stepIds, `${sp}/onFailure`),
        planActions(ctx, 'onFailure', workflow.failureActions ?? [], step, i, stepIds, `${wp}/failureActions`),
      ),
    });
  }

  checkSharedChannels(ctx, bound);
  checkReceiveOwnSend(ctx, bound);
  const security = readWorkflowSecurity(ctx, workflow, wp);
  const securityReported = new Set<string>();

  const graph = buildFlowGraph(workflow, new Map([...actions].map(([id, a]) => [id, [...a.onSuccess, ...a.onFailure]])));
  const reachable = checkReachability(ctx, workflow, graph, wp);
  const dependencies = checkStepDependencies(ctx, workflow, wp);
  const schedule = dependencies && planSchedule(ctx, workflow, actions, dependencies);
  // Steps that run by their dependencies have every `$steps.<id>` they read run before them (each read is a dependency).
  if (!schedule) {
    checkStepReads(ctx, workflow, graph, wp);
    if (dependencies) checkStepDependencyOrder(ctx, workflow, graph, dependencies, wp);
  }
  // With a schedule, the last step to run ends the workflow, unless a Parallel state ends it (then a Task after it builds the outputs).
  const lastStep = schedule ? lastScheduledStep(schedule) : workflow.steps.at(-1)?.stepId;

  const steps = bound.steps.flatMap((b): AnyStepPlan[] => {
    const { onSuccess, onFailure } = actions.get(b.step.stepId)!;
    const isLast = b.step.stepId === lastStep;
    const setting = {
      workflow,
      workflowPointer: wp,
      stepIds,
      onSuccess,
      onFailure,
      endsOnDefaultSuccess: isLast,
      endsWorkflow: endsWorkflow(isLast, [...onSuccess, ...onFailure]),
      credentialInputs,
      declaredInputs: Object.keys(((inputsSchema as { properties?: object }).properties ?? {}) as object),
      security,
      securityReported,
    };
    if (b.target) return [planWorkflowStep(ctx, b, setting)];
    return b.operation ? [planOperationStep(ctx, b, setting)] : [];
  });

  lintUnusedVerification(ctx, workflow, wp, steps);
  const personal = planPersonalData(ctx, bound, inputsSchema as Record<string, any>, credentialInputs, steps);
  checkOutputExpressions(ctx.loaded.source, workflow.outputs ?? {}, `${wp}/outputs`, ctx.diagnostics);
  const outputs = planOutputMap(ctx, workflow.outputs, `${wp}/outputs`);
  checkWorkflowOutputs(ctx, workflow, graph, reachable, wp);

  if (bound.bindingFailed || errorCount(ctx.diagnostics) > errorsBefore) return undefined;
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
      ...(ctx.loaded.asyncapis?.get(d.name) ? { type: 'asyncapi' as const, ...(ctx.loaded.asyncapis.get(d.name)!.serverUrl ? { serverUrl: ctx.loaded.asyncapis.get(d.name)!.serverUrl } : {}) } : {}),
    })),
    credentialInputs,
    ...(personal.inputs.length ? { personalInputs: personal.inputs } : {}),
    dependsOn: bound.dependsOn.map((target) => ({ workflowId: target.workflowId, ...(target.source ? { source: target.source } : {}) })),
    steps: personal.steps,
    ...(schedule ? { schedule } : {}),
    outputs,
  };
}

/** A workflow that runs itself (nested steps, goto, dependsOn) would start executions without end. */
function reportWorkflowCycles(ctx: PlanContext, bound: BoundDocument) {
  const edges = new Map<string, { target: string; pointer: string }[]>();
  ctx.loaded.document.workflows.forEach((w, wi) => {
    const list: { target: string; pointer: string }[] = [];
    (w.dependsOn ?? []).forEach((d, i) => list.push({ target: d, pointer: `/workflows/${wi}/dependsOn/${i}` }));
    for (const d of bound.workflows[wi].implied) list.push({ target: d.workflowId, pointer: d.pointer });
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
    reportAt(ctx, cycle.pointer, 'unknownWorkflow', `workflow "${cycle.path[0]}" runs itself (${cycle.path.join(' → ')}): each turn would start another execution, without end`);
  }
}

/**
 * Builds the plan of every workflow of a bound document; problems found while planning are
 * added to `diagnostics`. A workflow with an error gets no plan.
 */
export function planDocument(bound: BoundDocument, options: CompileOptions & { readonly timeoutSeconds?: number }, diagnostics: Diagnostic[]): WorkflowPlan[] {
  const ctx: PlanContext = { loaded: bound.loaded, options, diagnostics, ...(options.timeoutSeconds !== undefined ? { executionTimeoutSeconds: options.timeoutSeconds } : {}) };
  const ids = new Set<string>();
  bound.workflows.forEach(({ workflow: w, pointer }) => {
    if (ids.has(w.workflowId)) reportAt(ctx, `${pointer}/workflowId`, 'duplicateId', `workflowId "${w.workflowId}" is used twice`);
    ids.add(w.workflowId);
  });
  reportWorkflowCycles(ctx, bound);
  return bound.workflows.flatMap((w) => planWorkflow(ctx, w) ?? []);
}

/** Binds, then plans, every workflow of a loaded document (see bindDocument and planDocument). */
export function buildPlans(loaded: LoadedArazzo, options: CompileOptions, diagnostics: Diagnostic[]): WorkflowPlan[] {
  return planDocument(bindDocument(loaded, diagnostics), options, diagnostics);
}
