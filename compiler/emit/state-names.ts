/**
 * State names are the Arazzo step ids, so the console graph reads like the workflow; helper
 * states are named after their step. Step ids match [A-Za-z0-9_-]+ (Arazzo), so names with a
 * dot or a space can never collide with a step.
 */
export const StateNames = {
  validateInputs: 'Validate inputs',
  inputsInvalid: 'Validate inputs.failed',
  step: (stepId: string) => stepId,
  route: (stepId: string) => `${stepId}.route`,
  end: (stepId: string) => `${stepId}.end`,
  failed: (stepId: string) => `${stepId}.failed`,
  limit: (stepId: string) => `${stepId}.limit`,
  wait: (stepId: string, action: string, several: boolean) => (several ? `${stepId}.wait.${action}` : `${stepId}.wait`),
  /** The nested execution of a workflow step (`<stepId>` itself prepares its input). */
  run: (stepId: string) => `${stepId}.run`,
  /** Decides a workflow step's outcome from its nested execution. */
  result: (stepId: string) => `${stepId}.result`,
  gotoWorkflow: (stepId: string, workflowId: string) => `${stepId}.goto.${workflowId}`,
  /** What a `retry` with a stepId or workflowId runs before the step is retried. */
  runFirst: (stepId: string, target: string) => `${stepId}.retry.${target}`,
  dependsOn: (workflowId: string) => `dependsOn.${workflowId}`,
  dependsOnFailed: (workflowId: string) => `dependsOn.${workflowId}.failed`,
} as const;

/** Function key of the workflow-level handler: input validation and the workflow steps' input and outcome. */
export const workflowFunctionKey = (workflowId: string) => `${workflowId}.workflow`;
