import { createHash } from 'node:crypto';

/** Step Functions refuses a state name longer than 80 characters. */
export const MAX_STATE_NAME = 80;

const SAFE_ID = /^[A-Za-z_][A-Za-z0-9_]*$/;
const hash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 8);

/** A name within AWS's limit: a longer one keeps its start and ends in a hash of the whole, so it stays unique. */
function fit(name: string): string {
  return name.length <= MAX_STATE_NAME ? name : `${name.slice(0, MAX_STATE_NAME - 9)}~${hash(name)}`;
}

/**
 * The state name of a step: its id when the id follows Arazzo's SHOULD (`[A-Za-z0-9_-]+`), or
 * is that plus spaces (`Search Stations` reads well in the console). Any other id (a dot, a
 * slash, a control character) is sanitised and marked with a hash of the id (`~1a2b3c4d`), so
 * it can collide neither with another step nor with a helper state (whose names have a dot).
 */
function stepStateName(stepId: string): string {
  if (/^[A-Za-z0-9_ -]+$/.test(stepId) && stepId.trim() === stepId && stepId.length <= MAX_STATE_NAME - 20) return stepId;
  return `${stepId.replace(/[^A-Za-z0-9_ -]/g, '_').slice(0, MAX_STATE_NAME - 30)}~${hash(stepId)}`;
}

/**
 * A member of a JSONPath (`$.steps<member>`): dot notation for a plain identifier
 * (`[A-Za-z_][A-Za-z0-9_]*`), bracket notation for any other id (`$.steps['get-step']`,
 * `$.steps['Search Stations']`), as the ASL paths documentation requires (issue 16.4).
 */
export function pathMember(key: string): string {
  return SAFE_ID.test(key) ? `.${key}` : `['${key.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}']`;
}

/**
 * State names are the Arazzo step ids, so the console graph reads like the workflow; helper
 * states are named after their step. Every name stays within 80 characters and unique (see
 * stepStateName and fit): ids that break Arazzo's `[A-Za-z0-9_-]+` are sanitised.
 */
export const StateNames = {
  validateInputs: 'Validate inputs',
  inputsInvalid: 'Validate inputs.failed',
  step: stepStateName,
  route: (stepId: string) => fit(`${stepStateName(stepId)}.route`),
  end: (stepId: string) => fit(`${stepStateName(stepId)}.end`),
  failed: (stepId: string) => fit(`${stepStateName(stepId)}.failed`),
  limit: (stepId: string) => fit(`${stepStateName(stepId)}.limit`),
  /**
   * A provider's Retry-After (a 429 to a retry-safe call), named after the Task state it throttled
   * (a step, or a step run before a retry): the Wait back to that Task, and the two Pass states
   * before it that read the delay out of the Catch's Cause.
   */
  throttled: (taskState: string) => fit(`${taskState}.throttled`),
  throttleCause: (taskState: string) => fit(`${taskState}.throttled.cause`),
  throttleDelay: (taskState: string) => fit(`${taskState}.throttled.delay`),
  wait: (stepId: string, action: string, several: boolean) => fit(several ? `${stepStateName(stepId)}.wait.${action}` : `${stepStateName(stepId)}.wait`),
  /**
   * The Task of an operation step with a `timeout` (Arazzo 1.1): `<stepId>` is then a Pass that
   * stamps when the step started, so the deadline holds across the Task's retries.
   */
  call: (stepId: string) => fit(`${stepStateName(stepId)}.call`),
  /** A receive step that got no matching message within its timeout (Arazzo.MessageTimeout). */
  timedOut: (stepId: string) => fit(`${stepStateName(stepId)}.timedOut`),
  /** The nested execution of a workflow step (`<stepId>` itself prepares its input). */
  run: (stepId: string) => fit(`${stepStateName(stepId)}.run`),
  /** Decides a workflow step's outcome from its nested execution. */
  result: (stepId: string) => fit(`${stepStateName(stepId)}.result`),
  gotoWorkflow: (stepId: string, workflowId: string) => fit(`${stepStateName(stepId)}.goto.${workflowId}`),
  /** What a `retry` with a stepId or workflowId runs before the step is retried. */
  runFirst: (stepId: string, target: string) => fit(`${stepStateName(stepId)}.retry.${target}`),
  /** A Parallel state (Arazzo 1.1 step dependencies), named after the first step of each branch: `parallel(a, b)`. */
  parallel: (firstSteps: readonly string[]) => fit(`parallel(${firstSteps.map(stepStateName).join(', ')})`),
  /** The end of a Parallel branch whose last step routes through a Choice. */
  branchEnd: (stepId: string) => fit(`${stepStateName(stepId)}.done`),
  /** Builds the workflow outputs when a Parallel state ends the workflow (no single step runs last); no step's helper ends in `.outputs`. */
  workflowOutputs: 'Workflow.outputs',
  dependsOn: (workflowId: string) => fit(`dependsOn.${workflowId}`),
  dependsOnFailed: (workflowId: string) => fit(`dependsOn.${workflowId}.failed`),
} as const;

/** Function key of the workflow-level handler: input validation and the workflow steps' input and outcome. */
export const workflowFunctionKey = (workflowId: string) => `${workflowId}.workflow`;
