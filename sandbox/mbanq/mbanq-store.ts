/** A calendar date, as Fineract keeps dates (no time of day, no zone). */
export interface LocalDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

/** API users and OAuth clients of one banking instance. */
export interface MbanqTenant {
  /** username -> password of API users (the password grant). */
  readonly users: Readonly<Record<string, string>>;
  /** client_id -> client_secret of registered applications. */
  readonly oauthClients: Readonly<Record<string, string>>;
}

export type ClientStatus = 'pending' | 'verified' | 'active';
export type KycVerificationType = 'FULL' | 'PARTIAL';

export interface AddressRecord {
  readonly addressTypeId: number;
  readonly addressLine1: string;
  readonly addressLine2?: string;
  readonly city: string;
  readonly stateCode?: string;
  readonly postalCode: string;
  readonly countryCode: string;
  readonly isPrimary: boolean;
}

export interface IdentifierRecord {
  readonly id: number;
  readonly clientId: number;
  readonly documentTypeId: number;
  readonly documentKey: string;
  readonly description?: string;
}

export interface ClientRecord {
  readonly id: number;
  readonly tenantId: string;
  readonly officeId: number;
  readonly legalFormId: number;
  readonly firstname: string;
  readonly middlename?: string;
  readonly lastname: string;
  readonly externalId?: string;
  readonly emailAddress?: string;
  readonly mobileNo?: string;
  readonly dateOfBirth?: LocalDate;
  readonly submittedOn: LocalDate;
  readonly addresses: readonly AddressRecord[];
  readonly identifiers: IdentifierRecord[];
  status: ClientStatus;
  kycVerificationType?: KycVerificationType;
  activatedOn?: LocalDate;
}

export interface TokenRecord {
  readonly tenantId: string;
  readonly username: string;
  /** Epoch milliseconds, per the sandbox clock. */
  readonly expiresAt: number;
}

/** Everything an Mbanq sandbox remembers; one per sandbox instance, never shared. Tenants are configuration, not state. */
export interface MbanqStore {
  readonly tokens: Map<string, TokenRecord>;
  /** Keyed by `clientKey(tenantId, id)`: ids are per tenant, as each banking instance has its own database. */
  readonly clients: Map<string, ClientRecord>;
  /** Last id handed out per tenant, for clients and for identifiers. */
  readonly sequences: Map<string, { client: number; identifier: number }>;
}

export const clientKey = (tenantId: string, id: number) => `${tenantId}\n${id}`;

export function createMbanqStore(): MbanqStore {
  return { tokens: new Map(), clients: new Map(), sequences: new Map() };
}

export function nextId(store: MbanqStore, tenantId: string, kind: 'client' | 'identifier'): number {
  let sequence = store.sequences.get(tenantId);
  if (!sequence) store.sequences.set(tenantId, (sequence = { client: 0, identifier: 0 }));
  sequence[kind] += 1;
  return sequence[kind];
}
