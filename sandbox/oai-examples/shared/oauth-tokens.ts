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
