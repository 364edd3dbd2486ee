export { PSD2_BANK_ACCOUNTS, PSD2_BANK_PATHS } from './psd2-bank-handlers.js';
export * from './psd2-bank-scenario.js';
export type { BankTokenRecord, Psd2BankRefusal, Psd2BankStore } from './psd2-bank-store.js';
export * from './start-psd2-bank-sandbox.js';
export { verifyClientAssertion, type AssertionCheck, type AssertionVerdict } from './verify-client-assertion.js';
