import { randomBytes, timingSafeEqual } from 'node:crypto';
import { oauthError } from '../fineract-errors.js';
import type { MbanqContext, MbanqHandler } from '../mbanq-context.js';

function sameSecret(expected: string | undefined, given: string): boolean {
  if (expected === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

function sweepExpiredTokens(ctx: MbanqContext): void {
  const now = ctx.now();
  for (const [token, record] of ctx.store.tokens) if (record.expiresAt <= now) ctx.store.tokens.delete(token);
}

/**
 * The resource owner password grant: the application authenticates with client_id/client_secret
 * (401 invalid_client), the API user with username/password (400 invalid_grant, RFC 6749 5.2).
 * Tokens belong to the tenant they were minted for.
 */
const requestAccessToken: MbanqHandler = (ctx) => {
  const body = ctx.request.body as { username: string; password: string; client_id: string; client_secret: string };
  if (!Object.hasOwn(ctx.tenant.oauthClients, body.client_id) || !sameSecret(ctx.tenant.oauthClients[body.client_id], body.client_secret)) {
    return oauthError(401, 'invalid_client', 'Bad client credentials', { 'www-authenticate': 'Basic realm="mbanq"' });
  }
  if (!Object.hasOwn(ctx.tenant.users, body.username) || !sameSecret(ctx.tenant.users[body.username], body.password)) {
    return oauthError(400, 'invalid_grant', 'Bad credentials');
  }
  sweepExpiredTokens(ctx);
  const accessToken = randomBytes(32).toString('base64url');
  const expiresIn = ctx.scenario.tokens.expiresInSeconds;
  ctx.store.tokens.set(accessToken, { tenantId: ctx.tenantId, username: body.username, expiresAt: ctx.now() + expiresIn * 1000 });
  ctx.stats.tokensIssued += 1;
  // RFC 6749 section 5.1: token responses must not be cached.
  const headers = { 'cache-control': 'no-store', pragma: 'no-cache' };
  return { status: 200, headers, body: { access_token: accessToken, token_type: 'bearer', expires_in: expiresIn, scope: 'all' } };
};

export const oauthHandlers: Readonly<Record<string, MbanqHandler>> = { requestAccessToken };
