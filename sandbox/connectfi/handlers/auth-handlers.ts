import { timingSafeEqual } from 'node:crypto';
import type { ConnectFiHandler } from '../connectfi-context.js';
import { randomBase62 } from '../make-connectfi-id.js';

function samePassword(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

const getToken: ConnectFiHandler = (ctx) => {
  const { user } = ctx.request.body as { user: { login: string; password: string } };
  const expected = ctx.users.get(user.login);
  if (expected === undefined || !samePassword(expected, user.password)) return ctx.fail(401, 'unauthorized', 'Authentication error');

  const now = ctx.now();
  for (const [token, record] of ctx.store.tokens) if (record.expiresAt <= now) ctx.store.tokens.delete(token);
  // connectFi's tokens are 66 base62 characters in its examples.
  const token = randomBase62(66);
  const expiresAt = now + ctx.scenario.tokens.expiresInSeconds * 1000;
  ctx.store.tokens.set(token, { login: user.login, expiresAt });
  ctx.stats.tokensIssued += 1;
  return ctx.ok({ token, dtsExpireAt: new Date(expiresAt).toISOString() }, { 'cache-control': 'no-store' });
};

export const authHandlers: Readonly<Record<string, ConnectFiHandler>> = { getToken };
