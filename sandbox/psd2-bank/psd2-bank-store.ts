/** An access token the bank issued, bound to the certificate of the connection that asked for it (RFC 8705). */
export interface BankTokenRecord {
  readonly clientId: string;
  readonly scope: string;
  readonly expiresAt: number;
  /** `cnf.x5t#S256` of the client certificate, when the token request came over mutual TLS. */
  readonly certificateThumbprint?: string;
}

/** Why a token request or an API call was refused, counted by reason. */
export type Psd2BankRefusal =
  | 'unknown-client'
  | 'bad-assertion-type'
  | 'bad-signature'
  | 'bad-claims'
  | 'expired'
  | 'too-long-lived'
  | 'replayed'
  | 'client-id-mismatch'
  | 'invalid-token'
  | 'certificate-mismatch';

export interface Psd2BankStore {
  readonly tokens: Map<string, BankTokenRecord>;
  /** `<client id> <jti>` of every assertion accepted, until its `exp` (epoch ms): RFC 7523 §3 item 7. */
  readonly seenAssertions: Map<string, number>;
  readonly issued: { accessTokens: number };
  readonly refused: Partial<Record<Psd2BankRefusal, number>>;
  /** Subjects (CN) of the client certificates seen on requests, in order. */
  readonly certificatesSeen: string[];
}

export function createPsd2BankStore(): Psd2BankStore {
  return { tokens: new Map(), seenAssertions: new Map(), issued: { accessTokens: 0 }, refused: {}, certificatesSeen: [] };
}
