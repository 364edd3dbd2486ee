export * from './secrets-provider.js';
export * from './sealer.js';
export * from './secrets-manager-provider.js';
export * from './kms-sealer.js';
export * from './secret-forms.js';
export * from './load-private-key.js';
