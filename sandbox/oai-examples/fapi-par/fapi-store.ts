import type { TokenRecord } from '../shared/oauth-tokens.js';

/** An authorization request pushed to `/as/par.oauth2` (RFC 9126), redeemed once at the authorize endpoint. */
export interface PushedRequest {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly scope: string;
  readonly state?: string;
  readonly nonce?: string;
  readonly codeChallenge: string;
  /** The end user the request names (`sub`), else the scenario's. */
  readonly subject?: string;
  readonly consentId?: string;
  readonly expiresAt: number;
  used: boolean;
}

export interface FapiCodeRecord {
  readonly request: PushedRequest;
  readonly subject: string;
  readonly authTime: number;
  readonly expiresAt: number;
  used: boolean;
  readonly issued: string[];
}

export interface FapiStore {
  readonly pushed: Map<string, PushedRequest>;
  readonly codes: Map<string, FapiCodeRecord>;
  readonly tokens: Map<string, TokenRecord>;
  readonly issued: { pushedRequests: number; codes: number; accessTokens: number; refreshTokens: number; idTokens: number };
}

export function createFapiStore(): FapiStore {
  return { pushed: new Map(), codes: new Map(), tokens: new Map(), issued: { pushedRequests: 0, codes: 0, accessTokens: 0, refreshTokens: 0, idTokens: 0 } };
}
