import type { KycStatus } from './connectfi-scenario.js';
import type { ConnectFiTags } from './parse-connectfi-tags.js';
import type { KycPlan } from './plan-kyc-process.js';

export interface TokenRecord {
  /** The user the token was issued to; customers belong to it. */
  readonly login: string;
  /** Epoch milliseconds, per the sandbox clock. */
  readonly expiresAt: number;
}

/** A document the KYC process asks for (deprecated /customer/kyc flow: a driver licence, front and back). */
export interface KycDocumentRecord {
  readonly id: string;
  readonly label: string;
  readonly type: 'LICENSE';
  readonly documentSide: 'FRONT' | 'BACK';
}

export interface KycRecord {
  /** The truth a status read returns: moves along the plan's sequence whether or not its callback is delivered. */
  status: KycStatus;
  readonly plan: KycPlan;
  readonly documents: readonly KycDocumentRecord[];
  readonly startedAt: string;
}

export interface CustomerRecord {
  readonly customerId: string;
  /** The user that created it; other users get `customerNotFound`. */
  readonly owner: string;
  readonly reference: string;
  readonly customerType: 'individual';
  /** The `customer` object as sent to `/customer/init`. */
  readonly details: Readonly<Record<string, unknown>>;
  readonly createdAt: string;
  /** From the e-mail address, kept for the customer's KYC processes. */
  readonly tags: ConnectFiTags;
  kyc?: KycRecord;
}

/** Everything a connectFi sandbox remembers; one per sandbox instance, never shared. */
export interface ConnectFiStore {
  readonly tokens: Map<string, TokenRecord>;
  readonly customers: Map<string, CustomerRecord>;
  /** `${login}\n${reference}` -> customerId: a reference is unique per user. */
  readonly customersByReference: Map<string, string>;
}

export function createConnectFiStore(): ConnectFiStore {
  return { tokens: new Map(), customers: new Map(), customersByReference: new Map() };
}
