import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { SandboxResponse } from '../../http/index.js';
import type { FintectureContext, FintectureHandler } from '../fintecture-context.js';
import { KNOWN_SCOPES, normaliseScope } from '../normalise-scope.js';
import { readClientCredentials } from '../read-client-credentials.js';

function sameSecret(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The authenticated client id, or the 401 `invalid_client` answer. */
function authenticateClient(ctx: FintectureContext): { clientId: string } | { denied: SandboxResponse } {
  const body = (ctx.request.body ?? {}) as Record<string, unknown>;
  const { clientId, clientSecret, conflicting } = readClientCredentials(ctx.exchange.headers.authorization, body);
  const expected = clientId === undefined ? undefined : ctx.clients.get(clientId);
  if (conflicting || clientId === undefined || clientSecret === undefined || expected === undefined || !sameSecret(expected, clientSecret)) {
    const detail = conflicting
      ? 'HTTP Basic credentials and the form body name different applications or secrets'
      : 'unknown application or wrong secret';
    return { denied: ctx.fail(401, 'invalid_client', 'Client authentication failed', detail, { 'www-authenticate': 'Basic realm="fintecture"' }) };
  }
  return { clientId };
}

function sweepExpiredTokens(ctx: FintectureContext): void {
  const now = ctx.now();
  for (const [token, record] of ctx.store.tokens) if (record.expiresAt <= now) ctx.store.tokens.delete(token);
}

const createAccessToken: FintectureHandler = (ctx) => {
  const auth = authenticateClient(ctx);
  if ('denied' in auth) return auth.denied;
  const body = ctx.request.body as { grant_type: string; scope?: string };
  if (body.grant_type !== 'client_credentials') {
    return ctx.fail(400, 'unsupported_grant_type', 'Unsupported grant type', `the sandbox issues client_credentials tokens only, not ${body.grant_type}`);
  }
  const requested = (body.scope ?? '').split(/\s+/).filter(Boolean);
  if (requested.length === 0) return ctx.fail(400, 'invalid_scope', 'Missing scope', 'client_credentials needs a scope: PIS, AIS, customer, e-mandate or OAC');
  const unknown = requested.filter((s) => !KNOWN_SCOPES.has(normaliseScope(s)));
  if (unknown.length > 0) return ctx.fail(400, 'invalid_scope', 'Unknown scope', `unknown scope ${unknown.join(' ')}; use PIS, AIS, customer, e-mandate or OAC`);

  sweepExpiredTokens(ctx);
  const accessToken = randomBytes(32).toString('base64url');
  const expiresIn = ctx.scenario.tokens.expiresInSeconds;
  ctx.store.tokens.set(accessToken, {
    clientId: auth.clientId,
    scopes: new Set(requested.map(normaliseScope)),
    expiresAt: ctx.now() + expiresIn * 1000,
  });
  ctx.stats.tokensIssued += 1;
  // RFC 6749 section 5.1: token responses must not be cached.
  const headers = { 'cache-control': 'no-store', pragma: 'no-cache' };
  return { status: 200, headers, body: { access_token: accessToken, token_type: 'Bearer', expires_in: expiresIn, scope: requested.join(' ') } };
};

const createRefreshToken: FintectureHandler = (ctx) => {
  const auth = authenticateClient(ctx);
  if ('denied' in auth) return auth.denied;
  return ctx.fail(400, 'invalid_grant', 'Invalid refresh token', 'the sandbox issues no refresh tokens; mint a new access token instead');
};

export const oauthHandlers: Readonly<Record<string, FintectureHandler>> = { createAccessToken, createRefreshToken };
