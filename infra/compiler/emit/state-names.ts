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
} as const;

/** Function key of the workflow-level handler (input validation). */
export const inputsFunctionKey = (workflowId: string) => `${workflowId}.inputs`;
