import { createHash } from 'node:crypto';
import type { SandboxResponse } from '../../http/index.js';
import { makeToken } from '../shared/make-token.js';
import { mintToken } from '../shared/oauth-tokens.js';
import type { ExampleContext, ExampleHandler } from '../shared/start-example-sandbox.js';
import type { FapiScenario } from './fapi-scenario.js';
import type { FapiStore } from './fapi-store.js';
import { halfHash, signJwt, type SigningKey } from './signing-key.js';

type Ctx = ExampleContext<FapiStore, FapiScenario>;
type Handler = ExampleHandler<FapiStore, FapiScenario>;

/** A third-party provider registered with the authorization server. */
export interface FapiClient {
  readonly redirectUris: readonly string[];
}

const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };
const REQUEST_URI_PREFIX = 'urn:ietf:params:oauth:request_uri:';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

export const FAPI_PATHS = { par: '/as/par.oauth2', authorize: '/as/authorize.oauth2', token: '/as/token.oauth2', jwks: '/public/jwks' } as const;

const seconds = (ms: number) => Math.floor(ms / 1000);

/** RFC 7636 S256: BASE64URL(SHA256(code_verifier)). */
export function pkceChallenge(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

/**
 * RFC 7523 client authentication. The example sends the assertion's claims as a JSON object in
 * the query (its description declares `content: application/json`) rather than a signed JWT, so
 * the sandbox checks the claims: issuer and subject are the client, the audience is this server
 * or the endpoint called, and it has not expired.
 */
function authenticateClient(ctx: Ctx, clients: ReadonlyMap<string, FapiClient>): { clientId: string } | { denied: SandboxResponse } {
  const q = ctx.request.query as { client_id: string; client_assertion_type: string; client_assertion?: unknown };
  const deny = (detail: string) => ({ denied: ctx.fail(401, 'invalid_client', 'Client authentication failed', detail) });
  if (!clients.has(q.client_id)) return deny(`unknown client_id ${q.client_id}`);
  if (q.client_assertion_type !== JWT_BEARER) return deny(`client_assertion_type must be ${JWT_BEARER}`);
  let claims: Record<string, unknown>;
  try {
    claims = typeof q.client_assertion === 'string' ? (JSON.parse(q.client_assertion) as Record<string, unknown>) : {};
  } catch {
    return deny('client_assertion is not a JSON object');
  }
  if (!claims || typeof claims !== 'object' || Array.isArray(claims)) return deny('client_assertion is not a JSON object');
  if (claims.iss !== q.client_id || claims.sub !== q.client_id) return deny('client_assertion iss and sub must be the client_id');
  const audiences = [ctx.exchange.baseUrl, `${ctx.exchange.baseUrl}${ctx.exchange.path}`];
  if (typeof claims.aud !== 'string' || !audiences.includes(claims.aud.replace(/\/+$/, ''))) return deny(`client_assertion aud must be ${ctx.exchange.baseUrl} or the endpoint URL`);
  const exp = Number(claims.exp);
  if (!Number.isFinite(exp) || exp <= seconds(ctx.now())) return deny('client_assertion expired (exp)');
  if (claims.iat !== undefined && !(Number(claims.iat) <= seconds(ctx.now()) + 60)) return deny('client_assertion iat is in the future');
  if (typeof claims.jti !== 'string' || claims.jti === '') return deny('client_assertion needs a jti');
  return { clientId: q.client_id };
}


export function fapiHandlers(clients: ReadonlyMap<string, FapiClient>, key: SigningKey): Record<string, Handler> {
  const WellKnown: Handler = (ctx) => {
    const issuer = ctx.exchange.baseUrl;
    // The description types every list as a string: space-delimited, as OAuth writes scopes.
    return {
      status: 200,
      body: {
        issuer,
        authorization_endpoint: `${issuer}${FAPI_PATHS.authorize}`,
        token_endpoint: `${issuer}${FAPI_PATHS.token}`,
        jwks_uri: `${issuer}${FAPI_PATHS.jwks}`,
        pushed_authorization_request_endpoint: `${issuer}${FAPI_PATHS.par}`,
        require_pushed_authorization_requests: true,
        scopes_supported: 'openid accounts payments',
        response_types_supported: 'code',
        response_modes_supported: 'query',
        grant_types_supported: 'authorization_code refresh_token client_credentials',
        subject_types_supported: 'public',
        id_token_signing_alg_values_supported: 'ES256',
        token_endpoint_auth_methods_supported: 'private_key_jwt',
        request_uri_parameter_supported: 'true',
        code_challenge_methods_supported: 'S256',
      },
    };
  };

  const JWKS: Handler = () => ({ status: 200, body: { keys: [key.jwk] } });

  const Par: Handler = (ctx) => {
    const auth = authenticateClient(ctx, clients);
    if ('denied' in auth) return auth.denied;
    const body = (ctx.request.body ?? {}) as Record<string, string | undefined>;
    const invalid = (detail: string) => ctx.fail(400, 'invalid_request', 'Invalid authorization request', detail);
    if (body.client_id !== undefined && body.client_id !== auth.clientId) return invalid('client_id in the body differs from the authenticated client');
    if (body.response_type !== 'code') return ctx.fail(400, 'unsupported_response_type', 'Unsupported response type', 'response_type must be code');
    if (!body.redirect_uri || !clients.get(auth.clientId)!.redirectUris.includes(body.redirect_uri)) return invalid('redirect_uri is not registered for this client');
    // FAPI 1.0 Advanced with PAR: PKCE with S256 is mandatory.
    if (body.code_challenge_method !== 'S256' || !body.code_challenge) return invalid('PKCE is required: code_challenge with code_challenge_method S256');
    const requestUri = `${REQUEST_URI_PREFIX}${makeToken(18)}`;
    const ttl = ctx.scenario.requestUriTtlSeconds;
    ctx.store.pushed.set(requestUri, {
      clientId: auth.clientId,
      redirectUri: body.redirect_uri,
      scope: body.scope ?? 'openid',
      ...(body.state !== undefined ? { state: body.state } : {}),
      ...(body.nonce !== undefined ? { nonce: body.nonce } : {}),
      ...(body.sub !== undefined ? { subject: body.sub } : {}),
      ...(body.consent_id !== undefined ? { consentId: body.consent_id } : {}),
      codeChallenge: body.code_challenge,
      expiresAt: ctx.now() + ttl * 1000,
      used: false,
    });
    ctx.store.issued.pushedRequests += 1;
    // The description types expires_in as a string.
    return { status: 200, headers: NO_STORE, body: { request_uri: requestUri, expires_in: String(ttl) } };
  };

  /**
   * The browser leg, collapsed: the end user authenticates and answers as the scenario says. The
   * answer is the standard redirect (302, `Location: <redirect_uri>?code=…&state=…&iss=…`) and,
   * because an Arazzo 1.0 step cannot read a query parameter of a header, the same parameters as
   * a JSON body, which is where the example reads `code`.
   */
  const Authorization: Handler = (ctx) => {
    const q = ctx.request.query as { request_uri: string; client_id: string };
    const pushed = ctx.store.pushed.get(q.request_uri);
    if (!pushed || pushed.used || pushed.expiresAt <= ctx.now() || pushed.clientId !== q.client_id) {
      // RFC 9126 §4: no redirect for a bad request_uri: the redirect URI cannot be trusted.
      return ctx.fail(400, 'invalid_request_uri', 'Invalid request_uri', 'unknown, expired or already used request_uri, or another client');
    }
    pushed.used = true;
    const issuer = ctx.exchange.baseUrl;
    const params: Record<string, string> = { ...(pushed.state !== undefined ? { state: pushed.state } : {}), iss: issuer };
    if (ctx.scenario.consent === 'deny') {
      Object.assign(params, { error: 'access_denied', error_description: 'the user denied the request' });
    } else {
      const code = makeToken(24);
      ctx.store.codes.set(code, { request: pushed, subject: pushed.subject ?? ctx.scenario.subject, authTime: seconds(ctx.now()), expiresAt: ctx.now() + ctx.scenario.codeTtlSeconds * 1000, used: false, issued: [] });
      ctx.store.issued.codes += 1;
      params.code = code;
    }
    const location = new URL(pushed.redirectUri);
    for (const [k, v] of Object.entries(params)) location.searchParams.set(k, v);
    return { status: 302, headers: { location: location.href, ...NO_STORE }, body: params };
  };

  const Token: Handler = (ctx) => {
    const auth = authenticateClient(ctx, clients);
    if ('denied' in auth) return auth.denied;
    const body = ctx.request.body as Record<string, string | undefined>;
    const invalidGrant = (detail: string) => ctx.fail(400, 'invalid_grant', 'Invalid grant', detail);
    switch (body.grant_type) {
      case 'authorization_code': {
        const record = body.code ? ctx.store.codes.get(body.code) : undefined;
        if (!record || record.request.clientId !== auth.clientId) return invalidGrant('unknown authorization code');
        if (record.used) {
          for (const token of record.issued) ctx.store.tokens.get(token)!.active = false;
          return invalidGrant('the authorization code was already exchanged; its tokens are revoked');
        }
        if (record.expiresAt <= ctx.now()) return invalidGrant('the authorization code expired');
        if (body.redirect_uri !== record.request.redirectUri) return invalidGrant('redirect_uri differs from the authorization request');
        if (!body.code_verifier || pkceChallenge(body.code_verifier) !== record.request.codeChallenge) return invalidGrant('code_verifier does not match the code_challenge (PKCE)');
        record.used = true;
        const { scope } = record.request;
        const accessToken = mintToken(ctx, 'access_token', auth.clientId, scope, 'authorization_code');
        const refreshToken = mintToken(ctx, 'refresh_token', auth.clientId, scope, 'authorization_code');
        record.issued.push(accessToken, refreshToken);
        const now = seconds(ctx.now());
        const idToken = signJwt(key, {
          iss: ctx.exchange.baseUrl,
          sub: record.subject,
          aud: auth.clientId,
          iat: now,
          exp: now + ctx.scenario.accessTokenTtlSeconds,
          auth_time: record.authTime,
          ...(record.request.nonce !== undefined ? { nonce: record.request.nonce } : {}),
          ...(record.request.state !== undefined ? { s_hash: halfHash(record.request.state) } : {}),
          ...(record.request.consentId !== undefined ? { openbanking_intent_id: record.request.consentId } : {}),
        });
        ctx.store.issued.idTokens += 1;
        return {
          status: 200,
          headers: NO_STORE,
          body: { access_token: accessToken, refresh_token: refreshToken, id_token: idToken, token_type: 'Bearer', expires_in: ctx.scenario.accessTokenTtlSeconds, scope },
        };
      }
      case 'client_credentials': {
        const accessToken = mintToken(ctx, 'access_token', auth.clientId, body.scope ?? '', 'client_credentials');
        return { status: 200, headers: NO_STORE, body: { access_token: accessToken, token_type: 'Bearer', expires_in: ctx.scenario.accessTokenTtlSeconds, scope: body.scope ?? '' } };
      }
      case 'refresh_token': {
        const record = body.refresh_token ? ctx.store.tokens.get(body.refresh_token) : undefined;
        if (!record || record.kind !== 'refresh_token' || record.clientId !== auth.clientId || !record.active) return invalidGrant('unknown, revoked or already rotated refresh token');
        record.active = false;
        const accessToken = mintToken(ctx, 'access_token', auth.clientId, record.scope, 'refresh_token');
        const refreshToken = mintToken(ctx, 'refresh_token', auth.clientId, record.scope, 'refresh_token');
        return { status: 200, headers: NO_STORE, body: { access_token: accessToken, refresh_token: refreshToken, token_type: 'Bearer', expires_in: ctx.scenario.accessTokenTtlSeconds, scope: record.scope } };
      }
      default:
        return ctx.fail(400, 'unsupported_grant_type', 'Unsupported grant type', `grant_type ${body.grant_type ?? '(none)'} is not supported`);
    }
  };

  return { WellKnown, JWKS, Par, Authorization, Token };
}
