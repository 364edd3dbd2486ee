import { splitCredentialPath } from '../../core/credential-names.js';
import { handledFaultStatuses, inStatusRanges } from '../../core/criteria/index.js';
import type { ActionPlan, OutputPlan, StepPlan, WorkflowStepPlan } from '../../core/plan.js';
import type { ArazzoWorkflow } from '../validate/arazzo-schema.js';
import type { BoundStep } from './bind-document.js';
import { checkOutputExpressions, inputsReferencedBy } from './check-expressions.js';
import { DEFAULT_SEAL_CONTEXT, resolveThrottle } from './compile-options.js';
import { isSealedOutput } from './detect-credentials.js';
import { documentContextFor } from './document-context.js';
import { planCriteria } from './plan-actions.js';
import { arazzoMinor } from '../validate/arazzo-11.js';
import { planOutputMap } from './plan-selectors.js';
import { reportAt, type PlanContext } from './plan-context.js';
import { planStepSigning } from './plan-signing.js';
import { lintCallbackTimeout, lintStepTimeout, lintThrottleBound, planStepTimeout } from './plan-step-timeout.js';
import { planParameters, planWorkflowInputs } from './plan-parameters.js';
import { planRequestBody, requestContentType } from './plan-request-body.js';
import { CALLBACK_EXTENSION, readCallbackExtension } from './read-callback-extension.js';
import { configuredVerification } from './plan-verification-config.js';
import { checkMessageExpressions, checkSendFields, checkVerifyPlacement, planReceive } from './plan-receive.js';
import { responseMediaTypesOf } from './response-media-types.js';
import { responseSchemasOf } from './response-schemas.js';
import { DEFAULT_CHECK_SEVERITIES } from '../../core/response-checks.js';
import { isRetrySafe } from './retry-policy.js';
import { checkWorkflowStepSecurity, planStepSecurity, type WorkflowSecurity } from './plan-security.js';

/** What a step's plan has whatever it runs, decided by the workflow around it. */
export interface StepSetting {
  readonly workflow: ArazzoWorkflow;
  readonly workflowPointer: string;
  readonly stepIds: readonly string[];
  readonly onSuccess: ActionPlan[];
  readonly onFailure: ActionPlan[];
  readonly endsOnDefaultSuccess: boolean;
  readonly endsWorkflow: boolean;
  readonly credentialInputs: readonly string[];
  /** The input names the workflow's inputs schema declares. */
  readonly declaredInputs: readonly string[];
  /** The workflow's `x-security`, merged into each operation step. */
  readonly security: WorkflowSecurity;
  /** Problems of workflow-level entries already reported (once per workflow, not per step). */
  readonly securityReported: Set<string>;
}

function planOutputs(ctx: PlanContext, outputs: Readonly<Record<string, unknown>> | undefined, pointer: string): Record<string, OutputPlan> {
  checkOutputExpressions(ctx.loaded.source, outputs ?? {}, pointer, ctx.diagnostics);
  return planOutputMap(ctx, outputs, pointer);
}

/**
 * A step's successCriteria. Arazzo 1.1 § Step Object: "If successCriteria is provided, it MUST
 * contain at least one Criterion Object" (1.0.1 has no such rule: an empty list is no criterion).
 */
function planSuccessCriteria(ctx: PlanContext, step: BoundStep['step'], sp: string) {
  if (step.successCriteria?.length === 0 && arazzoMinor(ctx.loaded.document) === '1.1') {
    reportAt(ctx, `${sp}/successCriteria`, 'schema', `step "${step.stepId}": successCriteria, when given, must hold at least one Criterion Object (Arazzo 1.1); leave it out for a step that succeeds on any answer`);
  }
  return planCriteria(ctx, step.successCriteria, `${sp}/successCriteria`);
}

// A selector's credential is judged by its context, as an expression's is.
const sealedOutputsOf = (ctx: PlanContext, outputs: Record<string, OutputPlan>) =>
  Object.entries(outputs)
    .filter(([name, expr]) => isSealedOutput(name, typeof expr === 'string' ? expr : expr.context, ctx.options.credentialsByName ?? true))
    .map(([name]) => name);

function commonOf(ctx: PlanContext, { step }: BoundStep, setting: StepSetting) {
  const { workflow } = setting;
  const documentContext = documentContextFor(ctx.loaded.document, [step, workflow.outputs, workflow.parameters]);
  return {
    ...(documentContext ? { documentContext } : {}),
    workflowId: workflow.workflowId,
    stepId: step.stepId,
    ...(step.description ? { description: step.description } : {}),
    onSuccess: setting.onSuccess,
    onFailure: setting.onFailure,
    endsOnDefaultSuccess: setting.endsOnDefaultSuccess,
    // Planned (and reported) once for the workflow (build-plan.ts); again here without reporting.
    workflowOutputs: setting.endsWorkflow ? planOutputMap(ctx, workflow.outputs, `${setting.workflowPointer}/outputs`, false) : {},
    sealContext: ctx.options.sealContext ?? DEFAULT_SEAL_CONTEXT,
  };
}

/** A step that runs another workflow: a nested execution whose outcome the workflow function decides. */
export function planWorkflowStep(ctx: PlanContext, bound: BoundStep, setting: StepSetting): WorkflowStepPlan {
  const { step, pointer: sp } = bound;
  const target = bound.target!;
  // A workflow step makes no HTTP exchange of its own: $statusCode, $request.*, $response.*, $url, $method have no value there.
  for (const [kind, list] of [['successCriteria', step.successCriteria], ['outputs', step.outputs]] as const) {
    const http = /\$(statusCode|request\.|response\.|url\b|method\b)/.exec(JSON.stringify(list ?? null));
    if (http) {
      reportAt(
        ctx,
        `${sp}/${kind}`,
        'noHttpInWorkflowStep',
        `step "${step.stepId}" runs workflow "${target.workflowId}" and makes no HTTP call: "${http[0]}" has no value there, so ${kind === 'outputs' ? 'the output is absent' : 'a criterion that compares it does not hold'} (read the child's outputs with $outputs.<name>)`,
        'warning',
      );
    }
  }
  checkWorkflowStepSecurity(ctx, step, sp);
  if (step.requestBody) reportAt(ctx, `${sp}/requestBody`, 'schema', `step "${step.stepId}" runs workflow "${target.workflowId}": a requestBody has nowhere to go (its parameters are the workflow's inputs)`);
  const outputs = planOutputs(ctx, step.outputs, `${sp}/outputs`);
  const timeoutMs = planStepTimeout(ctx, step, sp, 'workflow');
  if (timeoutMs !== undefined) lintStepTimeout(ctx, step, sp, timeoutMs);
  const { inputs, inputSelectors } = planWorkflowInputs(ctx, step, setting.workflow, target, sp, setting.workflowPointer);
  return {
    kind: 'workflow',
    ...commonOf(ctx, bound, setting),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    target: { workflowId: target.workflowId, ...(target.source ? { source: target.source } : {}) },
    inputs,
    ...(Object.keys(inputSelectors).length ? { inputSelectors } : {}),
    successCriteria: planSuccessCriteria(ctx, step, sp),
    outputs,
    sealedOutputs: sealedOutputsOf(ctx, outputs),
  };
}

/** A step that calls an OpenAPI operation: its request, criteria, outputs, transport and callback. */
export function planOperationStep(ctx: PlanContext, bound: BoundStep, setting: StepSetting): StepPlan {
  const { step, pointer: sp } = bound;
  const op = bound.operation!;
  const signing = planStepSigning(ctx, step, sp, op, setting.securityReported);
  const keyIdInputs = signing?.keyId.includes('$') ? inputsReferencedBy(signing.keyId) : [];
  for (const name of keyIdInputs.filter((n) => !setting.declaredInputs.includes(n))) {
    const message = `step "${step.stepId}" signs with keyId ${JSON.stringify(signing!.keyId)}, which reads input "${name}" that workflow "${setting.workflow.workflowId}" does not declare (its inputs: ${setting.declaredInputs.join(', ') || 'none'}): the step fails when it signs unless the execution input has it`;
    reportAt(ctx, sp, 'signingKeyIdInput', message, 'warning');
  }
  const parameters = planParameters(ctx, step, setting.workflow, op, sp, setting.workflowPointer, signing);
  const requestBody = planRequestBody(ctx, step, op, sp);
  const auth = planStepSecurity(ctx, step, sp, op, setting.security, parameters, setting.securityReported);
  const contentType = requestContentType(step, op);
  const outputs = planOutputs(ctx, step.outputs, `${sp}/outputs`);
  const method = op.operation.method;
  const declaredCallback = readCallbackExtension(ctx.loaded, (step as Record<string, unknown>)[CALLBACK_EXTENSION], `${sp}/${CALLBACK_EXTENSION}`, {
    stepIds: setting.stepIds,
    sendsJsonBody: step.requestBody !== undefined && /json/i.test(contentType.split(';')[0]) && typeof step.requestBody.payload === 'object' && step.requestBody.payload !== null,
  }, ctx.diagnostics);
  // A verification configured for the step (a document kept verbatim) is used instead of the extension's.
  const configuredVerify = declaredCallback ? configuredVerification(ctx, setting.workflow.workflowId, step, `${sp}/${CALLBACK_EXTENSION}`) : undefined;
  const callback = declaredCallback && configuredVerify ? { ...declaredCallback, verify: configuredVerify } : configuredVerify === null ? undefined : declaredCallback;
  const channel = bound.channel;
  checkMessageExpressions(ctx, step, sp, channel?.binding.action === 'receive');
  if (channel?.binding.action === 'send') checkSendFields(ctx, step, sp, channel.binding.transport);
  // A receive step's timeout is its wait for the message, as a callback's is (any Task, so a year at most).
  const receives = channel?.binding.action === 'receive';
  const timeoutMs = channel?.binding.action === 'send' ? undefined : planStepTimeout(ctx, step, sp, callback || receives ? 'callback' : 'operation');
  checkVerifyPlacement(ctx, step, sp, receives);
  const receive = receives ? planReceive(ctx, step, sp, channel!, timeoutMs, setting.workflow.workflowId) : undefined;
  if (receives && !step.successCriteria?.length && channel!.messageTypes !== 1) {
    // Arazzo 1.1 § Defining Success for Asynchronous Steps: authors SHOULD define successCriteria for a receive step,
    // and MAY omit them only when the channel has a single message type (that means success, which only its author knows).
    reportAt(
      ctx,
      sp,
      'receiveSuccessCriteria',
      `step "${step.stepId}" receives a message and has no successCriteria, while its ${channel!.messageTypes ? `channel carries ${channel!.messageTypes} message types` : 'channel declares no message type'}: whichever message arrives completes it, an error or failure message too; check the message (e.g. $message.payload#/status == 'ok')`,
      'warning',
    );
  }
  const successCriteria = planSuccessCriteria(ctx, step, sp);
  const connectTimeoutMs = ctx.options.connectTimeoutMs ?? 5_000;
  const handledStatuses = handledFaultStatuses(successCriteria, setting.onFailure);
  const transport = channel?.binding.action === 'send' ? channel.binding.transport : undefined;
  // A send to a FIFO queue or topic carries a deduplication id: the broker takes a repeat within five minutes once.
  const retrySafe = isRetrySafe(method, parameters, contentType, step.requestBody) || ((transport?.kind === 'sqs' || transport?.kind === 'sns') && transport.fifo !== undefined);
  const throttle = resolveThrottle(ctx.options.throttle);
  const responseMediaTypes = responseMediaTypesOf(op.operation);
  const checks = { ...DEFAULT_CHECK_SEVERITIES, ...ctx.options.checks };
  const responseSchemas = checks.SCHEMA_CHECK === 'off' ? undefined : responseSchemasOf(op.operation, String(ctx.loaded.openapis.get(op.source)?.document.openapi ?? '3.1.0'));
  // A 429 with Retry-After waits through a Wait state: only a call that may be repeated, whose step does not handle 429 itself.
  const stepThrottle = retrySafe && !callback && throttle && !inStatusRanges(handledStatuses, 429) ? throttle : undefined;
  // A callback or receive Task waits for its message: neither the transport's retries nor a Retry-After Wait are its.
  const waits = callback !== undefined || receives;
  // A callback waits for the shorter of its timeoutSeconds and the step's timeout: that one is judged against the execution's bound.
  const callbackBounds = callback !== undefined && (timeoutMs === undefined || callback.timeoutSeconds * 1000 < timeoutMs);
  if (timeoutMs !== undefined && !callbackBounds) lintStepTimeout(ctx, step, sp, timeoutMs, waits ? undefined : { retrySafe });
  if (callbackBounds) lintCallbackTimeout(ctx, step, `${sp}/${CALLBACK_EXTENSION}/timeoutSeconds`, callback);
  if (!waits) lintThrottleBound(ctx, step, sp, stepThrottle);
  return {
    ...commonOf(ctx, bound, setting),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(callback ? { callback } : {}),
    ...(channel ? { channel: channel.binding } : {}),
    ...(receive ? { receive } : {}),
    operation: {
      source: op.source,
      ...(op.operation.operationId ? { operationId: op.operation.operationId } : {}),
      method,
      serverUrl: op.serverUrl,
      path: op.operation.path,
      parameters: op.operation.parameters.map((p) => ({ name: p.name, in: p.in, required: Boolean(p.required) || p.in === 'path' })),
      ...(responseMediaTypes ? { responseMediaTypes } : {}),
      ...(responseSchemas ? { responseSchemas } : {}),
      key: `${op.source}.${op.operation.operationId ?? `${method}${op.operation.path}`}${channel ? `.${channel.binding.action}` : ''}`.replace(/[^A-Za-z0-9_.-]/g, '_'),
    },
    parameters,
    ...(requestBody ? { requestBody } : {}),
    ...(auth.length ? { auth } : {}),
    ...(signing ? { signing } : {}),
    successCriteria,
    outputs,
    sealedOutputs: sealedOutputsOf(ctx, outputs),
    // Only the credentials this step sends: on AWS its function may read no other secret.
    // A member of an object input (`auth.accessToken`) is sent by a step that reads its input (`$inputs.auth`).
    credentialInputs: setting.credentialInputs.filter((path) => inputsReferencedBy([parameters, step.requestBody, auth.map((a) => a.values), signing?.keyId]).includes(splitCredentialPath(path)[0])),
    transport: {
      // A step timeout is the author's bound on the call, in place of the defaults (shorter or longer).
      connectTimeoutMs: timeoutMs === undefined ? connectTimeoutMs : Math.min(connectTimeoutMs, timeoutMs),
      requestTimeoutMs: timeoutMs ?? ctx.options.requestTimeoutMs ?? 30_000,
      retrySafe,
      ...(handledStatuses.length ? { handledStatuses } : {}),
      ...(stepThrottle ? { throttle: stepThrottle } : {}),
    },
    checks,
  };
}
