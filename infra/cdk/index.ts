export * from './arazzo-workflow.js';
export * from './nag-suppressions.js';
export * from './seed-workflows-stack.js';
export * from './project-root.js';
