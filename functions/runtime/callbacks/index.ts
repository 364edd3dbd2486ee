export * from './callback-store.js';
export * from './callback-url.js';
export * from './dynamodb-callback-store.js';
export * from './receive-callback.js';
export * from './sfn-task-token-client.js';
export * from './task-token-client.js';
export * from './parse-callback-body.js';
export * from './verify-callback-signature.js';
