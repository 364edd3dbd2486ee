export * from './callback-log-entry.js';
export * from './connectfi-scenario.js';
export * from './connectfi-stats.js';
export * from './parse-connectfi-tags.js';
export * from './plan-kyc-process.js';
export * from './start-connectfi-sandbox.js';
