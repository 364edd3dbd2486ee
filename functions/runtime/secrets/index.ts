export * from './secrets-provider.js';
export * from './sealer.js';
