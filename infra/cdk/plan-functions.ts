import type { CompiledWorkflow } from '../../compiler/compile-file.js';
import { xmlLibrariesFor, xpathVersionsOf } from '../../core/criteria/index.js';
import { isWorkflowStep, type AnyStepPlan, type StepPlan } from '../../core/plan.js';
import { stepReads } from '../../functions/runtime/step-reads.js';

/**
 * A receive step's function registers its wait and takes a message kept for it: it calls no provider,
 * and its `timeout` bounds the Task's wait, not the function (a Lambda function runs 900 s at most).
 */
const RECEIVE_CALL_SECONDS = 20;

/** One Lambda function of a workflow and what it needs: the input of least-privilege IAM and of its bundle. */
export type FunctionSpec =
  | (FunctionNeeds & {
      readonly kind: 'operation';
      readonly functionKey: string;
      /** The steps that call this operation: the only plans its bundle carries. */
      readonly steps: readonly StepPlan[];
      /** Credential inputs its steps send: the only secrets it may read. */
      readonly secretInputs: readonly string[];
      /** Source descriptions its steps call: the server URLs it is told. */
      readonly sources: readonly string[];
      /** Longest call of its steps: connect + request timeouts, in seconds. */
      readonly callSeconds: number;
    })
  | (FunctionNeeds & { readonly kind: 'workflow'; readonly functionKey: string });

/** The starter of a workflow with personal inputs: it seals them and starts the execution (EventBridge invokes it). */
export interface StarterSpec extends FunctionNeeds {
  readonly kind: 'starter';
  readonly functionKey: string;
}

/** The webhook receiver of a workflow with callback steps (`x-arazzo-sfn-callback`). */
export interface WebhookSpec extends FunctionNeeds {
  readonly kind: 'webhook';
  readonly functionKey: string;
  /** The callback steps: the only plans its bundle carries. */
  readonly steps: readonly StepPlan[];
}

/** The broker receiver of a workflow with receive steps on SQS, SNS or EventBridge channels (Arazzo 1.1). */
export interface BrokerSpec extends FunctionNeeds {
  readonly kind: 'broker';
  readonly functionKey: string;
  /** The receive steps on broker channels: the only plans its bundle carries. */
  readonly steps: readonly StepPlan[];
}

interface FunctionNeeds {
  /** The lazily loaded XML packages its steps' XPath criteria, selectors and replacement targets need: bundled only then. */
  readonly xmlLibraries: readonly string[];
  /** Whether a step evaluates a regex criterion (the RE2 engine, loaded lazily, is bundled only then). */
  readonly usesRegex: boolean;
  /** May seal an output (`kms:GenerateDataKey`). */
  readonly seals: boolean;
  /** May open a sealed value (`kms:Decrypt`). */
  readonly unseals: boolean;
}

const hasOutputs = (step: AnyStepPlan) => Object.keys(step.outputs).length > 0;

const criteriaOf = (step: AnyStepPlan) => [...step.successCriteria, ...step.onSuccess.flatMap((a) => a.criteria), ...step.onFailure.flatMap((a) => a.criteria)];
const xmlLibrariesOf = (steps: readonly AnyStepPlan[]) => xmlLibrariesFor(steps.flatMap((s) => [...xpathVersionsOf(s)]));
const usesRegex = (step: AnyStepPlan) => criteriaOf(step).some((c) => c.type === 'regex');

/**
 * Splits a compiled workflow into its functions: one per operation (every step calling it) and
 * the workflow function. Which functions touch the sealing key follows what the runtime does:
 * - an operation output is sealed when it is declared a credential, carries a credential the step
 *   opened, or holds a credential-named member: decided on the response, so any operation step
 *   with outputs may seal;
 * - the runtime opens the sealed values a step reads (stepReads): an earlier step's or a
 *   dependency's output (some step may have sealed it, or a nested workflow returned it sealed),
 *   or an input (a parent workflow may hand one over sealed). A function whose steps read none
 *   of these opens nothing;
 * - the workflow function never opens anything (it hands values to children as stored) and seals
 *   only what a child returned unsealed with a credential name.
 */
export function planFunctions(compiled: CompiledWorkflow): FunctionSpec[] {
  const { plan } = compiled;
  const operationSteps = plan.steps.filter((s): s is StepPlan => !isWorkflowStep(s));
  const workflowSteps = plan.steps.filter(isWorkflowStep);
  const carriesSealed = carriesSealedValues(compiled);

  const specs: FunctionSpec[] = [];
  const seen = new Set<string>();
  for (const binding of Object.values(compiled.tasks)) {
    if (binding.kind === 'startExecution' || seen.has(binding.functionKey)) continue;
    seen.add(binding.functionKey);
    const steps = operationSteps.filter((s) => s.operation.key === binding.functionKey);
    if (!steps.length) {
      specs.push({
        kind: 'workflow',
        functionKey: binding.functionKey,
        // It evaluates the workflow outputs too when a Parallel state ends the workflow.
        xmlLibraries: xmlLibrariesFor([...workflowSteps.flatMap((s) => [...xpathVersionsOf(s)]), ...xpathVersionsOf({ stepId: plan.workflowId, successCriteria: [], onSuccess: [], onFailure: [], workflowOutputs: plan.outputs })]),
        usesRegex: workflowSteps.some(usesRegex),
        seals: workflowSteps.some(hasOutputs),
        // The input check opens personal inputs in memory to check them against their schema.
        unseals: Boolean(plan.personalInputs?.length),
      });
      continue;
    }
    specs.push({
      kind: 'operation',
      functionKey: binding.functionKey,
      steps,
      secretInputs: [...new Set(steps.flatMap((s) => s.credentialInputs))].sort(),
      sources: [...new Set(steps.map((s) => s.operation.source))].sort(),
      xmlLibraries: xmlLibrariesOf(steps),
      usesRegex: steps.some(usesRegex),
      callSeconds: Math.max(...steps.map((s) => (s.receive ? RECEIVE_CALL_SECONDS : Math.ceil((s.transport.connectTimeoutMs + s.transport.requestTimeoutMs) / 1000)))),
      seals: steps.some(hasOutputs),
      // A receive step opens the message kept for it when it arrived first (sealed by the receiver).
      unseals: (carriesSealed && steps.some(mayOpen)) || steps.some((s) => s.receive),
    });
  }
  return specs;
}

/**
 * Whether a step reads a value that may be sealed (when its reads cannot be listed: yes): an
 * earlier step's or a `dependsOn` workflow's output, or any input, since a parent workflow may
 * hand over a sealed value under any input name its schema admits.
 */
function mayOpen(step: StepPlan): boolean {
  const reads = stepReads(step);
  return !reads || reads.stepOutputs.size > 0 || reads.workflowOutputs.size > 0 || reads.inputs.size > 0;
}

function carriesSealedValues({ plan }: CompiledWorkflow): boolean {
  return plan.steps.some(hasOutputs) || plan.credentialInputs.length > 0 || Boolean(plan.personalInputs?.length) || plan.steps.some(isWorkflowStep) || plan.dependsOn.length > 0;
}

/**
 * The webhook receiver a workflow with callback steps needs, or undefined. It judges a settled
 * callback as the step's operation function judges a response: it opens the sealed values of the
 * step's event (an earlier step's token) and seals credential-named outputs of the callback.
 */
export function planWebhook(compiled: CompiledWorkflow): WebhookSpec | undefined {
  // Callback steps, and receive steps on HTTP channels (Arazzo 1.1): the same receiver resumes both.
  const steps = compiled.plan.steps.filter((s): s is StepPlan => !isWorkflowStep(s) && (s.callback !== undefined || (s.receive !== undefined && s.channel?.transport.kind === 'http')));
  if (!steps.length) return undefined;
  return { kind: 'webhook', functionKey: `${compiled.plan.workflowId}.webhook`, steps, ...receiverNeeds(compiled, steps) };
}

/** The broker receiver a workflow with receive steps on SQS, SNS or EventBridge channels needs, or undefined; it judges as the webhook does. */
export function planBroker(compiled: CompiledWorkflow): BrokerSpec | undefined {
  const steps = brokerReceiveSteps(compiled);
  if (!steps.length) return undefined;
  return { kind: 'broker', functionKey: `${compiled.plan.workflowId}.broker`, steps, ...receiverNeeds(compiled, steps) };
}

/** The receive steps on SQS, SNS or EventBridge channels. */
export const brokerReceiveSteps = (compiled: CompiledWorkflow): StepPlan[] =>
  compiled.plan.steps.filter((s): s is StepPlan => !isWorkflowStep(s) && s.receive !== undefined && s.channel !== undefined && s.channel.transport.kind !== 'http');

function receiverNeeds(compiled: CompiledWorkflow, steps: readonly StepPlan[]): FunctionNeeds {
  return {
    xmlLibraries: xmlLibrariesOf(steps),
    usesRegex: steps.some(usesRegex),
    // It seals a message that arrived before its receive step waits, to keep it for the step.
    seals: steps.some(hasOutputs) || steps.some((s) => s.receive),
    unseals: carriesSealedValues(compiled) && steps.some(mayOpen),
  };
}

/** The starter function a workflow with personal inputs needs, or undefined: it seals, never opens. */
export function planStarter(compiled: CompiledWorkflow): StarterSpec | undefined {
  if (!compiled.plan.personalInputs?.length) return undefined;
  return { kind: 'starter', functionKey: `${compiled.plan.workflowId}.starter`, xmlLibraries: [], usesRegex: false, seals: true, unseals: false };
}
