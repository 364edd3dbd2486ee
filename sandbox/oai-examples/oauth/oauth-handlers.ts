import type { SandboxResponse } from '../../http/index.js';
import { makeToken } from '../shared/make-token.js';
import { readClientAuthentication, sameSecret, type OAuthClient } from '../shared/oauth-clients.js';
import type { ExampleContext, ExampleHandler } from '../shared/start-example-sandbox.js';
import type { OAuthScenario } from './oauth-scenario.js';
import { mintToken, type TokenRecord } from '../shared/oauth-tokens.js';
import type { OAuthStore } from './oauth-store.js';

type Ctx = ExampleContext<OAuthStore, OAuthScenario>;
type Handler = ExampleHandler<OAuthStore, OAuthScenario>;

const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

function unknownScopes(scope: string, scenario: OAuthScenario): string[] {
  return scope.split(/\s+/).filter((s) => s && !scenario.scopes.includes(s));
}


function tokenResponse(ctx: Ctx, clientId: string, scope: string, grant: TokenRecord['grant'], withRefresh: boolean): { response: SandboxResponse; minted: string[] } {
  const accessToken = mintToken(ctx, 'access_token', clientId, scope, grant);
  const refreshToken = withRefresh ? mintToken(ctx, 'refresh_token', clientId, scope, grant) : undefined;
  const body = {
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: ctx.scenario.accessTokenTtlSeconds,
    ...(refreshToken ? { refresh_token: refreshToken } : {}),
    ...(scope ? { scope } : {}),
  };
  return { response: { status: 200, headers: NO_STORE, body }, minted: refreshToken ? [accessToken, refreshToken] : [accessToken] };
}

export function oauthHandlers(clients: ReadonlyMap<string, OAuthClient>): Record<string, Handler> {
  /**
   * The browser leg of the authorization code grant, collapsed: the end user is logged in and
   * answers the consent screen as the scenario says. The description gives the endpoint a 200
   * (no redirect), so the authorization response (`code`, `state`) comes back as JSON, with
   * `location`, the redirect a browser would have followed.
   */
  const authorize: Handler = (ctx) => {
    const q = ctx.request.query as { client_id: string; redirect_uri: string; response_type: string; scope: string; state: string };
    const client = clients.get(q.client_id);
    // RFC 6749 §4.1.2.1: with an unknown client or redirect URI the server must not redirect.
    if (!client) return ctx.fail(400, 'invalid_request', 'Unknown client', `unknown client_id ${q.client_id}`);
    if (!client.redirectUris.includes(q.redirect_uri)) return ctx.fail(400, 'invalid_request', 'Unregistered redirect_uri', 'redirect_uri is not registered for this client');
    if (q.response_type !== 'code') return ctx.fail(400, 'unsupported_response_type', 'Unsupported response type', 'only response_type=code is supported');
    const unknown = unknownScopes(q.scope, ctx.scenario);
    if (unknown.length) return ctx.fail(400, 'invalid_scope', 'Invalid scope', `unknown scope ${unknown.join(' ')}`);
    const location = new URL(q.redirect_uri);
    location.searchParams.set('state', q.state);
    if (ctx.scenario.consent === 'deny') {
      location.searchParams.set('error', 'access_denied');
      return { status: 403, headers: NO_STORE, body: { error: 'access_denied', error_description: 'the user denied the request', state: q.state, location: location.href } };
    }
    const code = makeToken(16);
    ctx.store.codes.set(code, { clientId: q.client_id, redirectUri: q.redirect_uri, scope: q.scope, expiresAt: ctx.now() + ctx.scenario.codeTtlSeconds * 1000, used: false, issued: [] });
    ctx.store.issued.codes += 1;
    location.searchParams.set('code', code);
    return { status: 200, headers: NO_STORE, body: { code, state: q.state, location: location.href } };
  };

  const getToken: Handler = (ctx) => {
    const body = (ctx.request.body ?? {}) as Record<string, string | undefined>;
    const auth = readClientAuthentication(ctx.exchange.headers.authorization, body);
    const client = auth.clientId === undefined ? undefined : clients.get(auth.clientId);
    if (auth.conflicting || !client || auth.clientSecret === undefined || !sameSecret(client.secret, auth.clientSecret)) {
      return ctx.fail(401, 'invalid_client', 'Client authentication failed', auth.conflicting ? 'HTTP Basic and the form name different clients or secrets' : 'unknown client or wrong secret', {
        'www-authenticate': 'Basic realm="example-oauth"',
      });
    }
    const clientId = auth.clientId!;

    switch (body.grant_type) {
      case 'client_credentials': {
        const scope = body.scope ?? '';
        const unknown = unknownScopes(scope, ctx.scenario);
        if (unknown.length) return ctx.fail(400, 'invalid_scope', 'Invalid scope', `unknown scope ${unknown.join(' ')}`);
        // RFC 6749 §4.4.3: no refresh token for client credentials.
        return tokenResponse(ctx, clientId, scope, 'client_credentials', false).response;
      }
      case 'authorization_code': {
        const record = body.code === undefined ? undefined : ctx.store.codes.get(body.code);
        if (!record || record.clientId !== clientId) return ctx.fail(400, 'invalid_grant', 'Invalid authorization code', 'unknown authorization code');
        if (record.used) {
          // RFC 6749 §4.1.2: a replayed code revokes what it was exchanged for.
          for (const token of record.issued) ctx.store.tokens.get(token)!.active = false;
          return ctx.fail(400, 'invalid_grant', 'Authorization code used', 'the authorization code was already exchanged; its tokens are revoked');
        }
        if (record.expiresAt <= ctx.now()) return ctx.fail(400, 'invalid_grant', 'Authorization code expired', 'the authorization code expired');
        if (body.redirect_uri !== record.redirectUri) return ctx.fail(400, 'invalid_grant', 'redirect_uri mismatch', 'redirect_uri differs from the authorization request');
        record.used = true;
        const { response, minted } = tokenResponse(ctx, clientId, record.scope, 'authorization_code', true);
        record.issued.push(...minted);
        return response;
      }
      case 'refresh_token': {
        const record = body.refresh_token === undefined ? undefined : ctx.store.tokens.get(body.refresh_token);
        if (!record || record.kind !== 'refresh_token' || record.clientId !== clientId || !record.active) {
          return ctx.fail(400, 'invalid_grant', 'Invalid refresh token', 'unknown, revoked or already rotated refresh token');
        }
        // Rotation (OAuth 2.0 Security BCP §4.14): the old refresh token stops working.
        record.active = false;
        return tokenResponse(ctx, clientId, record.scope, 'refresh_token', true).response;
      }
      default:
        return ctx.fail(400, 'unsupported_grant_type', 'Unsupported grant type', `grant_type ${body.grant_type ?? '(none)'} is not supported`);
    }
  };

  return { authorize, 'get-token': getToken };
}
