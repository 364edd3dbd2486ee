import type { PaymentStatus, VerificationOutcome } from './fintecture-scenario.js';
import type { SandboxTags } from './parse-sandbox-tags.js';

export interface TokenRecord {
  readonly clientId: string;
  /** Lower-case scope names. */
  readonly scopes: ReadonlySet<string>;
  /** Epoch milliseconds, per the sandbox clock. */
  readonly expiresAt: number;
}

export interface CustomerRecord {
  readonly id: string;
  /** The application (client id) that created it; other applications do not see it. */
  readonly owner: string;
  readonly resource: Readonly<Record<string, unknown>>;
  readonly tags: SandboxTags;
}

export interface BankAccountRecord {
  readonly id: string;
  readonly customerId: string;
  readonly resource: Readonly<Record<string, unknown>>;
}

export interface VerificationRecord {
  readonly id: string;
  readonly customerId: string;
  readonly providerId?: string;
  readonly expectedName?: string;
  readonly createdAt: string;
  /** Fixed when the verification starts, so a later scenario change does not move it mid-poll. */
  readonly plan: { readonly pendingPolls: number; readonly outcome: VerificationOutcome; readonly matchScore?: number };
  reads: number;
  settledAt?: string;
}

export interface PaymentRecord {
  readonly id: string;
  readonly owner: string;
  readonly requestId: string;
  /** Canonical JSON of the creating body: a replay must match it. */
  readonly fingerprint: string;
  readonly connectResponse: Readonly<Record<string, unknown>>;
  readonly plan: { readonly pendingPolls: number; readonly status: PaymentStatus };
  attributes: Record<string, unknown>;
  meta: Record<string, unknown>;
  readonly createdAt: string;
  updatedAt: string;
  reads: number;
  /** The payer finished the connect flow (with webhooks on): reads answer the planned status from now on. */
  payerDone?: boolean;
}

/** Everything a Fintecture sandbox remembers; one per sandbox instance, never shared. */
export interface FintectureStore {
  readonly tokens: Map<string, TokenRecord>;
  readonly customers: Map<string, CustomerRecord>;
  readonly bankAccounts: Map<string, BankAccountRecord>;
  readonly verifications: Map<string, VerificationRecord>;
  readonly payments: Map<string, PaymentRecord>;
  /** `${clientId}\n${x-request-id}` -> payment id: the idempotency index of createPisV2Connect. */
  readonly paymentsByRequest: Map<string, string>;
}

export function createFintectureStore(): FintectureStore {
  return {
    tokens: new Map(),
    customers: new Map(),
    bankAccounts: new Map(),
    verifications: new Map(),
    payments: new Map(),
    paymentsByRequest: new Map(),
  };
}
