import { timingSafeEqual } from 'node:crypto';
import type { ExampleHandler } from '../shared/start-example-sandbox.js';
import { makeToken } from '../shared/make-token.js';
import type { PetstoreStore, UserRecord } from './petstore-store.js';
import type { PetstoreScenario } from './petstore-scenario.js';

type Handler = ExampleHandler<PetstoreStore, PetstoreScenario>;

function samePassword(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The session token a request carries: `Authorization: <token>`, `Authorization: Bearer <token>` or `api_key: <token>`. */
export function sessionTokenOf(headers: Readonly<Record<string, string | string[] | undefined>>): string | undefined {
  const authorization = headers.authorization;
  const value = typeof authorization === 'string' ? authorization.replace(/^Bearer\s+/i, '').trim() : undefined;
  const apiKey = typeof headers.api_key === 'string' ? headers.api_key.trim() : undefined;
  return value || apiKey || undefined;
}

function publicUser(user: UserRecord): Record<string, unknown> {
  const { password: _password, ...rest } = user;
  return rest;
}

const loginUser: Handler = (ctx) => {
  const { username, password } = ctx.request.query as { username?: string; password?: string };
  const user = username === undefined ? undefined : ctx.store.users.get(username);
  if (!user || password === undefined || !samePassword(user.password, password)) {
    return ctx.fail(400, 'invalid_credentials', 'Invalid username/password supplied', 'unknown user or wrong password');
  }
  for (const [token, session] of ctx.store.sessions) if (session.expiresAt <= ctx.now()) ctx.store.sessions.delete(token);
  const token = makeToken();
  const expiresAt = ctx.now() + ctx.scenario.sessions.expiresInSeconds * 1000;
  ctx.store.sessions.set(token, { username: user.username, expiresAt });
  ctx.store.logins.set(user.username, (ctx.store.logins.get(user.username) ?? 0) + 1);
  return {
    status: 200,
    headers: { 'x-rate-limit': String(ctx.scenario.rateLimitPerHour), 'x-expires-after': new Date(expiresAt).toISOString(), 'cache-control': 'no-store' },
    // The description types the body as a string: the session token itself, which later calls send back.
    body: token,
  };
};

const logoutUser: Handler = (ctx) => {
  const token = sessionTokenOf(ctx.exchange.headers);
  if (token) ctx.store.sessions.delete(token);
  return { status: 200 };
};

const createUser: Handler = (ctx) => {
  const body = (ctx.request.body ?? {}) as Partial<UserRecord>;
  if (!body.username || !body.password) return ctx.fail(400, 'invalid_input', 'Invalid input', 'a user needs a username and a password');
  const existing = ctx.store.users.get(body.username);
  const user: UserRecord = { ...body, username: body.username, password: body.password, id: existing?.id ?? ctx.store.nextUserId++ };
  ctx.store.users.set(user.username, user);
  return { status: 200, body: publicUser(user) };
};

const getUserByName: Handler = (ctx) => {
  const user = ctx.store.users.get(ctx.request.path.username as string);
  return user ? { status: 200, body: publicUser(user) } : ctx.fail(404, 'not_found', 'User not found', `no user ${String(ctx.request.path.username)}`);
};

export const userHandlers: Readonly<Record<string, Handler>> = { loginUser, logoutUser, createUser, getUserByName };
