export * from './callback-store.js';
export * from './callback-url.js';
export * from './receive-callback.js';
export * from './task-token-client.js';
