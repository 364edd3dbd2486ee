export * from './fintecture-scenario.js';
export * from './fintecture-stats.js';
export * from './parse-sandbox-tags.js';
export * from './start-fintecture-sandbox.js';
export * from './sandbox-signing.js';
export * from './create-payment-webhooks.js';
export * from './payment-webhook-log-entry.js';
export * from './sign-fintecture-webhook.js';
