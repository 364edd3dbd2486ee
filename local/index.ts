// The local runner (`arazzo-sfn/local`): compiled workflows on the embedded Step Functions engine.
export { LocalWorkflow, stateMachineArnOf, type ExecutionStatus, type LocalExecution, type LocalRunOptions } from './run-workflow.js';
export { LocalWorkflowSet } from './workflow-set.js';
export { moveCredentialsToSecrets, parseInputPairs } from './prepare-inputs.js';
export { formatHistory, historyToJson, type FormatHistoryOptions, type HistoryEventJson } from './history/index.js';
export type { StepLogEntry, StepRuntime } from '../functions/runtime/handle-step.js';
export {
  AesGcmSealer,
  ChainedSecretsProvider,
  EnvironmentSecretsProvider,
  InMemorySecretsProvider,
  type Sealer,
  type SecretsProvider,
} from '../functions/runtime/secrets/index.js';
