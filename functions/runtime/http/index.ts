export * from './build-request.js';
export * from './send-request.js';
