import { makeToken } from './make-token.js';

export interface TokenRecord {
  readonly kind: 'access_token' | 'refresh_token';
  readonly clientId: string;
  readonly scope: string;
  readonly grant: 'client_credentials' | 'authorization_code' | 'refresh_token';
  /** Epoch milliseconds; refresh tokens do not expire here. */
  readonly expiresAt?: number;
  active: boolean;
}

/** RFC 7662 token introspection, as a resource server would ask the authorization server. */
export interface TokenIntrospection {
  readonly active: boolean;
  readonly token_type?: 'access_token' | 'refresh_token';
  readonly client_id?: string;
  readonly scope?: string;
  /** Seconds since the epoch. */
  readonly exp?: number;
}

export function introspectToken(tokens: ReadonlyMap<string, TokenRecord>, token: string, now: number): TokenIntrospection {
  const record = tokens.get(token);
  if (!record || !record.active || (record.expiresAt !== undefined && record.expiresAt <= now)) return { active: false };
  return {
    active: true,
    token_type: record.kind,
    client_id: record.clientId,
    scope: record.scope,
    ...(record.expiresAt !== undefined ? { exp: Math.floor(record.expiresAt / 1000) } : {}),
  };
}

/** What minting needs of an authorization server simulator (the OAuth and the FAPI one share it). */
export interface TokenMintingContext {
  now(): number;
  readonly scenario: { readonly accessTokenTtlSeconds: number };
  readonly store: { readonly tokens: Map<string, TokenRecord>; readonly issued: { accessTokens: number; refreshTokens: number } };
}

/** Issues a token and records it; access tokens expire after the scenario's TTL, refresh tokens do not. */
export function mintToken(ctx: TokenMintingContext, kind: TokenRecord['kind'], clientId: string, scope: string, grant: TokenRecord['grant']): string {
  const token = makeToken(32);
  const expiresAt = kind === 'access_token' ? ctx.now() + ctx.scenario.accessTokenTtlSeconds * 1000 : undefined;
  ctx.store.tokens.set(token, { kind, clientId, scope, grant, active: true, ...(expiresAt !== undefined ? { expiresAt } : {}) });
  if (kind === 'access_token') ctx.store.issued.accessTokens += 1;
  else ctx.store.issued.refreshTokens += 1;
  return token;
}
