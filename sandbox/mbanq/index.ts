export type { DomainRule, FineractParameterError } from './fineract-errors.js';
export { DOCUMENT_TYPES } from './handlers/index.js';
export * from './mbanq-scenario.js';
export * from './mbanq-stats.js';
export type { ClientRecord, ClientStatus, KycVerificationType, MbanqTenant } from './mbanq-store.js';
export * from './start-mbanq-sandbox.js';
