export { startSfnEndpoint, type SfnEndpoint, type SfnEndpointOptions } from './start-sfn-endpoint.js';
export { EndpointErrors, RESTART_CAUSE } from './executions.js';
export { stateMachineArn, executionArn, parseExecutionArn, parseStateMachineArn, DEFAULT_SCOPE, type ArnScope } from './arns.js';
export { EndpointFileError, type ExecutionRecord, type ExecutionStatus, type StateMachineRecord } from './store.js';
export { EnginePool, DEFAULT_QUOTAS, type EnginePoolOptions } from './engine/engine-pool.js';
export { AWS_QUOTAS, QUOTA_ERRORS, type EngineQuotas } from './engine/protocol.js';
