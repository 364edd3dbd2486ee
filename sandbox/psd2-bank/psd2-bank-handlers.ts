import type { KeyObject } from 'node:crypto';
import type { SandboxResponse } from '../http/index.js';
import { makeToken } from '../oai-examples/shared/make-token.js';
import type { ExampleContext, ExampleHandler } from '../oai-examples/shared/start-example-sandbox.js';
import type { Psd2BankScenario } from './psd2-bank-scenario.js';
import type { Psd2BankRefusal, Psd2BankStore } from './psd2-bank-store.js';
import { ACCEPTED_ASSERTION_ALGORITHMS, verifyClientAssertion } from './verify-client-assertion.js';

type Ctx = ExampleContext<Psd2BankStore, Psd2BankScenario>;
type Handler = ExampleHandler<Psd2BankStore, Psd2BankScenario>;

export const PSD2_BANK_PATHS = { token: '/oauth2/token', discovery: '/.well-known/openid-configuration' } as const;

/** The accounts every consent of the sandbox covers. */
export const PSD2_BANK_ACCOUNTS = Object.freeze([
  { resourceId: 'acc-3dc3d5b3', currency: 'EUR', name: 'Main account' },
  { resourceId: 'acc-7b1f0c22', currency: 'EUR', name: 'Savings' },
]);

const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

function refuse(ctx: Ctx, reason: Psd2BankRefusal, status: number, code: string, detail: string, headers?: Record<string, string>): SandboxResponse {
  ctx.store.refused[reason] = (ctx.store.refused[reason] ?? 0) + 1;
  return ctx.fail(status, code, 'Refused', detail, headers);
}

/** RFC 8705 §2.1.2 tls_client_auth: the client registered the subject its certificate carries. */
function authenticateByCertificate(ctx: Ctx, clientId: string | undefined, certificateClients: ReadonlyMap<string, string>) {
  const subject = clientId === undefined ? undefined : certificateClients.get(clientId);
  if (subject === undefined) return { refused: 'unknown-client' as const, detail: 'client_id names no client registered for tls_client_auth' };
  if (ctx.exchange.clientCertificate?.subject !== subject) return { refused: 'certificate-mismatch' as const, detail: "the connection's certificate is not the one the client registered" };
  return { clientId: clientId! };
}

function noteCertificate(ctx: Ctx): void {
  const seen = ctx.exchange.clientCertificate;
  if (seen) ctx.store.certificatesSeen.push(seen.subject);
}

/**
 * The bank's handlers. `publicKeys` are the client assertion keys the third-party providers
 * registered, by client id: the only way a client authenticates at the token endpoint.
 */
export function psd2BankHandlers(publicKeys: ReadonlyMap<string, KeyObject>, certificateClients: ReadonlyMap<string, string> = new Map()): Record<string, Handler> {
  const getOpenIdConfiguration: Handler = (ctx) => {
    noteCertificate(ctx);
    const issuer = ctx.exchange.baseUrl;
    return {
      status: 200,
      body: {
        issuer,
        token_endpoint: `${issuer}${PSD2_BANK_PATHS.token}`,
        token_endpoint_auth_methods_supported: ['private_key_jwt', 'tls_client_auth'],
        token_endpoint_auth_signing_alg_values_supported: ACCEPTED_ASSERTION_ALGORITHMS,
        tls_client_certificate_bound_access_tokens: true,
      },
    };
  };

  const createToken: Handler = async (ctx) => {
    noteCertificate(ctx);
    const form = ctx.request.body as { grant_type: string; scope?: string; client_id?: string; client_assertion_type?: string; client_assertion?: string };
    const endpoint = `${ctx.exchange.baseUrl}${PSD2_BANK_PATHS.token}`;
    const byCertificate = form.client_assertion === undefined && form.client_assertion_type === undefined;
    const verdict = byCertificate ? authenticateByCertificate(ctx, form.client_id, certificateClients) : await verifyClientAssertion({
      assertionType: form.client_assertion_type,
      assertion: form.client_assertion,
      ...(form.client_id !== undefined ? { clientId: form.client_id } : {}),
      audiences: [endpoint, ctx.exchange.baseUrl],
      publicKeys,
      store: ctx.store,
      scenario: ctx.scenario,
      now: ctx.now(),
    });
    if ('refused' in verdict) return refuse(ctx, verdict.refused, 401, 'invalid_client', verdict.detail, NO_STORE);
    const scope = (form.scope ?? 'accounts').split(/\s+/).filter(Boolean);
    if (scope.some((s) => s !== 'accounts')) return ctx.fail(400, 'invalid_scope', 'Unknown scope', 'the bank grants the accounts scope only', NO_STORE);
    const token = makeToken(32);
    const thumbprint = ctx.exchange.clientCertificate?.thumbprint;
    ctx.store.tokens.set(token, {
      clientId: verdict.clientId,
      scope: scope.join(' '),
      expiresAt: ctx.now() + ctx.scenario.accessTokenTtlSeconds * 1000,
      ...(thumbprint ? { certificateThumbprint: thumbprint } : {}),
    });
    ctx.store.issued.accessTokens += 1;
    return { status: 200, headers: NO_STORE, body: { access_token: token, token_type: 'Bearer', expires_in: ctx.scenario.accessTokenTtlSeconds, scope: scope.join(' ') } };
  };

  const listAccounts: Handler = (ctx) => {
    noteCertificate(ctx);
    const token = /^Bearer\s+(\S+)$/i.exec(String(ctx.exchange.headers.authorization ?? ''))?.[1];
    const record = token ? ctx.store.tokens.get(token) : undefined;
    const challenge = { 'www-authenticate': 'Bearer error="invalid_token"' };
    if (!record || record.expiresAt <= ctx.now()) return refuse(ctx, 'invalid-token', 401, 'invalid_token', 'no valid access token', challenge);
    // RFC 8705 §3: a certificate-bound token is used only over a connection presenting that certificate.
    if (record.certificateThumbprint && record.certificateThumbprint !== ctx.exchange.clientCertificate?.thumbprint)
      return refuse(ctx, 'certificate-mismatch', 401, 'invalid_token', 'the access token is bound to another client certificate', challenge);
    return { status: 200, body: { accounts: PSD2_BANK_ACCOUNTS } };
  };

  return { getOpenIdConfiguration, createToken, listAccounts };
}
