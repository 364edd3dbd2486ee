export * from './build-signature-base.js';
export * from './digest-body.js';
export * from './kms-signing-keys.js';
export * from './sign-request.js';
export * from './signing-keys.js';
export * from './signing-public-key.js';
