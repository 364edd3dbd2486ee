export * from '../../core/errors.js';
export * from './handle-step.js';
export * from '../../core/plan.js';
export * from './validate-inputs.js';
export * from './secrets/index.js';
export * from './handle-workflow-step.js';
export * from './handle-workflow-function.js';
