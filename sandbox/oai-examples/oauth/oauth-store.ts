import type { TokenRecord } from '../shared/oauth-tokens.js';

export interface AuthorizationCodeRecord {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly scope: string;
  readonly expiresAt: number;
  used: boolean;
  /** Tokens minted from this code, revoked if the code is replayed (RFC 6749 §4.1.2). */
  readonly issued: string[];
}

export interface OAuthStore {
  readonly codes: Map<string, AuthorizationCodeRecord>;
  readonly tokens: Map<string, TokenRecord>;
  readonly issued: { accessTokens: number; refreshTokens: number; codes: number };
}

export function createOAuthStore(): OAuthStore {
  return { codes: new Map(), tokens: new Map(), issued: { accessTokens: 0, refreshTokens: 0, codes: 0 } };
}
