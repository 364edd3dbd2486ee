export interface CurrencyAndAmount {
  readonly currency: string;
  readonly amount: number;
}

export interface BnplCustomer {
  readonly id: string;
  readonly uri: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly dateOfBirth: string;
  readonly postalCode: string;
}

/** A product as the eligibility check saw it, which a loan later names by code. */
export interface QuotedProduct {
  readonly productCode: string;
  readonly netAmount: unknown;
  readonly purchaseAmount: CurrencyAndAmount;
  readonly merchantCategoryCode?: string;
}

export type LoanStatus = 'Pending' | 'Finalised' | 'Completed';

export interface LoanRecord {
  readonly id: string;
  readonly customerUri: string;
  readonly products: readonly QuotedProduct[];
  readonly totalAmount: CurrencyAndAmount;
  status: LoanStatus;
  /** The customer's answer on the authorisation page, once given. */
  authorization?: 'approved' | 'declined';
  readonly paymentSchedule: readonly { readonly paymentDate: string; readonly amount: CurrencyAndAmount; readonly lastPayment: boolean }[];
}

export interface BnplStore {
  readonly customers: Map<string, BnplCustomer>;
  /** Customer id by identity (names, birth date, postal code): enrolling twice returns the same customer. */
  readonly customersByIdentity: Map<string, string>;
  /** The latest quote of each product code that the eligibility check accepted. */
  readonly quotes: Map<string, QuotedProduct>;
  readonly loans: Map<string, LoanRecord>;
  /** redirectAuthToken -> loan id; a token is spent by its first use. */
  readonly authTokens: Map<string, { readonly loanId: string; used: boolean }>;
}

export function createBnplStore(): BnplStore {
  return { customers: new Map(), customersByIdentity: new Map(), quotes: new Map(), loans: new Map(), authTokens: new Map() };
}
