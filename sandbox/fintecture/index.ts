export * from './fintecture-scenario.js';
export * from './fintecture-stats.js';
export * from './parse-sandbox-tags.js';
export * from './start-fintecture-sandbox.js';
export * from './sandbox-signing.js';
