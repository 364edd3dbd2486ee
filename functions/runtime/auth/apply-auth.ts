import { AUTH_CREDENTIAL_VALUES } from '../../../core/credential-names.js';
import { ErrorCodes, expressionError, isErrorCode, planError, secretError } from '../../../core/errors.js';
import { evaluateValue, type ExpressionContext } from '../../../core/expressions/index.js';
import type { AuthPlan } from '../../../core/plan.js';
import type { EvaluatedParameter } from '../http/build-request.js';
import { parseSecretReference } from '../secrets/index.js';
import type { Dispatcher } from 'undici';
import type { ClientCertificateAgents } from '../http/client-certificate-agents.js';
import type { SigningKeys } from '../signing/signing-keys.js';
import { signClientAssertion, type ClientAssertionAlgorithm } from './client-assertion.js';
import { discoverOpenId, pickClientAuthMethod } from './discover-openid.js';
import { requestToken, type TokenTransport } from './request-token.js';
import { TokenCache } from './token-cache.js';

export interface AuthOptions extends TokenTransport {
  /** The step's expression context, with its credential inputs already resolved. */
  readonly ctx: ExpressionContext;
  /** The server URL the step calls (after any override) and the one its OpenAPI description names. */
  readonly serverUrl: string;
  readonly describedServerUrl: string;
  readonly cache: TokenCache;
  /** How messages name the step. */
  readonly where: string;
  /** Signs private_key_jwt client assertions (KMS on AWS, PEM secrets otherwise). */
  readonly signingKeys: SigningKeys;
  /** The agents that present mutualTLS client certificates. */
  readonly clientCertificates: ClientCertificateAgents;
  /** Epoch ms, for client assertions. @default Date.now */
  readonly now?: () => number;
  /** Set by applyAuth when a mutualTLS entry supplies the connection's certificate (tls_client_auth needs one). */
  readonly presentsCertificate?: boolean;
}

export interface AppliedAuth {
  /** Headers, query parameters and cookies to send, in `x-security` order. */
  readonly parameters: EvaluatedParameter[];
  /** Every credential this applied (values read, tokens minted): outputs carrying one are sealed, answers quoting one redacted. */
  readonly opened: string[];
  /** Cache keys of the tokens sent that were minted by an earlier step: evicted and renewed if the provider answers 401. */
  readonly cachedTokenKeys: string[];
  /** mutualTLS: the agent that presents the client certificate, for the step's request (its token requests used it too). */
  readonly dispatcher?: Dispatcher;
}

/**
 * A URL of a scheme, for this run: a relative one (OpenAPI 3.1 allows them) resolves against
 * the step's server; an absolute one on the server the description names follows the step's
 * server when a run points the source elsewhere (`--server`, the sandbox).
 */
export function resolveAuthUrl(url: string, serverUrl: string, describedServerUrl: string): string {
  const server = serverUrl.replace(/\/+$/, '');
  if (!/^[a-z][a-z0-9+.-]*:/i.test(url)) return new URL(url.replace(/^\//, ''), `${server}/`).toString();
  const described = describedServerUrl.replace(/\/+$/, '');
  if (described && server !== described) {
    if (url === described || url.startsWith(`${described}/`)) return server + url.slice(described.length);
    try {
      const a = new URL(url);
      const d = new URL(described);
      if (a.origin === d.origin) return new URL(a.pathname + a.search, new URL(server).origin).toString();
    } catch {
      /* an invalid URL fails when it is requested */
    }
  }
  return url;
}

function valueOf(entry: AuthPlan, name: string, options: AuthOptions, opened: string[]): string | undefined {
  const written = entry.values[name];
  if (written === undefined) return undefined;
  let value: unknown;
  try {
    value = evaluateValue(written, options.ctx);
  } catch (err) {
    if (isErrorCode(err, ErrorCodes.Expression)) throw expressionError(`${options.where} x-security value ${name}: ${err.message}`, { cause: err });
    throw err;
  }
  if (value === undefined || value === null || value === '')
    throw expressionError(`${options.where} x-security value ${name} (${written}) evaluated to no value`);
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  if (AUTH_CREDENTIAL_VALUES.has(name)) {
    // A reference left unresolved, or a sealed value left unopened, would be sent as the credential.
    if (parseSecretReference(text)) throw secretError(`${options.where} x-security value ${name} is a secret reference the step did not resolve`);
    if (/^sealed:v\d+:/.test(text))
      throw planError(`${options.where} x-security value ${name} is still sealed; this is a bug in arazzo-sfn's reading of the step's expressions`);
    opened.push(text);
  }
  return text;
}

const header = (value: string): EvaluatedParameter => ({ name: 'authorization', in: 'header', value });

async function bearerFor(entry: AuthPlan, options: AuthOptions, opened: string[], cachedKeys: string[]): Promise<string> {
  const given = valueOf(entry, 'accessToken', options, opened);
  if (given !== undefined) return given;
  const scheme = entry.scheme;
  const clientId = valueOf(entry, 'clientId', options, opened)!;
  const clientSecret = valueOf(entry, 'clientSecret', options, opened);
  const username = valueOf(entry, 'username', options, opened);
  const password = valueOf(entry, 'password', options, opened);
  const scope = valueOf(entry, 'scope', options, opened);
  const asked = entry.values.clientAuthMethod;
  const assertionKey = entry.values.clientAssertionKey;
  const assertionKeyId = valueOf(entry, 'clientAssertionKeyId', options, opened);
  let tokenUrl: string;
  let authMethods: readonly string[] | undefined;
  if (scheme.type === 'openIdConnect') {
    const url = resolveAuthUrl(scheme.openIdConnectUrl, options.serverUrl, options.describedServerUrl);
    const config = await options.cache.discovery(url, () => discoverOpenId(url, options));
    tokenUrl = config.tokenEndpoint;
    authMethods = config.authMethods;
  } else if (scheme.type === 'oauth2' && scheme.tokenUrl) {
    tokenUrl = resolveAuthUrl(scheme.tokenUrl, options.serverUrl, options.describedServerUrl);
  } else {
    throw planError(`${options.where}: x-security entry ${entry.schemeName ?? scheme.type} has no accessToken and no token URL`);
  }
  const grant = username !== undefined || password !== undefined ? 'password' : 'client_credentials';
  const clientAuthMethod = pickClientAuthMethod(asked, authMethods);
  if (clientAuthMethod === 'tls_client_auth' && !options.presentsCertificate) {
    throw planError(`${options.where}: x-security entry ${entry.schemeName ?? scheme.type} asks for tls_client_auth, but the step presents no client certificate (no mutualTLS entry)`);
  }
  if (clientAuthMethod === 'private_key_jwt' && assertionKey === undefined) {
    throw planError(`${options.where}: x-security entry ${entry.schemeName ?? scheme.type} asks for private_key_jwt but names no clientAssertionKey`);
  }
  const assertion = clientAuthMethod === 'private_key_jwt' ? [assertionKey, entry.values.clientAssertionAlgorithm, assertionKeyId] : [];
  const key = TokenCache.keyOf([tokenUrl, grant, clientId, clientSecret, username, password, scope, clientAuthMethod, ...assertion]);
  const { accessToken, cached } = await options.cache.token(key, async () => {
    // Signed for this request only: a cached token makes none, and every request carries a new jti.
    const clientAssertion =
      clientAuthMethod === 'private_key_jwt'
        ? await signClientAssertion(
            {
              clientId,
              tokenUrl,
              key: assertionKey!,
              algorithm: entry.values.clientAssertionAlgorithm as ClientAssertionAlgorithm | undefined,
              ...(assertionKeyId !== undefined ? { keyId: assertionKeyId } : {}),
              now: (options.now ?? Date.now)(),
            },
            options.signingKeys,
          )
        : undefined;
    if (clientAssertion) opened.push(clientAssertion);
    return requestToken({ tokenUrl, grant, clientId, clientSecret, username, password, scope, clientAuthMethod, ...(clientAssertion ? { clientAssertion } : {}) }, options);
  });
  if (cached) cachedKeys.push(key);
  opened.push(accessToken);
  return accessToken;
}

/**
 * The agent of the step's mutualTLS entry (the last one, if several): its certificate, key and
 * trusted CAs are credential values, read like any other and never shown.
 */
function clientCertificateOf(auth: readonly AuthPlan[], options: AuthOptions, opened: string[]): Pick<AppliedAuth, 'dispatcher'> {
  const entry = auth.findLast((e) => e.scheme.type === 'mutualTLS');
  if (!entry) return {};
  if (!/^https:/i.test(options.serverUrl)) {
    throw planError(`${options.where}: x-security mutualTLS needs an https server, and the step's server is ${options.serverUrl.replace(/[?#].*$/, '')}`);
  }
  const cert = valueOf(entry, 'clientCert', options, opened)!;
  const key = valueOf(entry, 'clientKey', options, opened)!;
  const ca = valueOf(entry, 'caCert', options, opened);
  return {
    dispatcher: options.clientCertificates.agentFor({ cert, key, ...(ca !== undefined ? { ca } : {}) }, `${options.where} x-security ${entry.schemeName ?? 'mutualTLS'}`),
  };
}

/**
 * Turns a step's `x-security` entries into the headers, query parameters and cookies that carry
 * them: an API key where its scheme says, HTTP Basic (`username:password`, base64), a bearer
 * token, and for oauth2/openIdConnect the given `accessToken` or one requested from the token
 * endpoint (client credentials or password grant, the client authenticated by its secret or a
 * private_key_jwt assertion; openIdConnect finds the endpoint by discovery), cached until it
 * expires. A mutualTLS entry adds no parameter: it gives the agent that presents the client
 * certificate, which the step's token requests and its own request go through.
 */
export async function applyAuth(auth: readonly AuthPlan[], options: AuthOptions): Promise<AppliedAuth> {
  const parameters: EvaluatedParameter[] = [];
  const opened: string[] = [];
  const cachedTokenKeys: string[] = [];
  const tls = clientCertificateOf(auth, options, opened);
  const sending: AuthOptions = tls.dispatcher ? { ...options, dispatcher: tls.dispatcher, presentsCertificate: true } : options;
  for (const entry of auth) {
    const { scheme } = entry;
    if (scheme.type === 'mutualTLS') continue;
    let parameter: EvaluatedParameter;
    if (scheme.type === 'apiKey') parameter = { name: scheme.name, in: scheme.in, value: valueOf(entry, 'apiKey', options, opened) };
    else if (scheme.type === 'http' && scheme.scheme === 'basic') {
      const user = valueOf(entry, 'username', options, opened)!;
      const password = valueOf(entry, 'password', options, opened)!;
      // RFC 7617: user-id and password joined by a colon, UTF-8, base64.
      parameter = header(`Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`);
    } else if (scheme.type === 'http') parameter = header(`Bearer ${valueOf(entry, 'token', options, opened)}`);
    else parameter = header(`Bearer ${await bearerFor(entry, sending, opened, cachedTokenKeys)}`);
    // A later entry replaces an earlier one of the same place and name (Respect applies them in order).
    const at = parameters.findIndex((p) => sameTarget(p, parameter));
    if (at >= 0) parameters.splice(at, 1);
    parameters.push(parameter);
  }
  return { parameters, opened, cachedTokenKeys, ...tls };
}

/** Header names compare without case; query and cookie names with it. */
function sameTarget(a: EvaluatedParameter, b: EvaluatedParameter): boolean {
  return a.in === b.in && (a.in === 'header' ? a.name.toLowerCase() === b.name.toLowerCase() : a.name === b.name);
}

/** The step's parameters with those the auth parameters replace left out, then the auth parameters: `x-security` wins, as in Respect. */
export function joinAuthParameters(parameters: readonly EvaluatedParameter[], auth: readonly EvaluatedParameter[]): EvaluatedParameter[] {
  return [...parameters.filter((p) => !auth.some((a) => sameTarget(p, a))), ...auth];
}
