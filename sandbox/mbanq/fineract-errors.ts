import type { Problem, SandboxErrorSpec, SandboxResponse } from '../http/index.js';

/** One entry of the `errors` list of Fineract's envelope. */
export interface FineractParameterError {
  readonly developerMessage: string;
  readonly defaultUserMessage: string;
  readonly userMessageGlobalisationCode: string;
  readonly parameterName: string;
  readonly value: unknown;
  readonly args: readonly { readonly value: unknown }[];
}

/** A broken domain rule: the code names the rule, the message says what to fix. */
export interface DomainRule {
  readonly code: string;
  readonly message: string;
  readonly args?: readonly unknown[];
}

interface Envelope {
  readonly developerMessage: string;
  readonly defaultUserMessage: string;
  readonly userMessageGlobalisationCode: string;
}

/** Fineract's error envelope; `httpStatusCode` is a string there. */
export function fineractError(status: number, envelope: Envelope, errors: readonly FineractParameterError[] = [], headers?: Record<string, string>): SandboxResponse {
  return { status, headers, body: { ...envelope, httpStatusCode: String(status), errors } };
}

/** What Fineract's `ApiParameterError.generalError` builds: parameterName "id", no value. */
export function generalError(code: string, message: string, args: readonly unknown[] = []): FineractParameterError {
  return { developerMessage: message, defaultUserMessage: message, userMessageGlobalisationCode: code, parameterName: 'id', value: null, args: args.map((value) => ({ value })) };
}

export function parameterError(parameterName: string, code: string, message: string, value: unknown = null, args: readonly unknown[] = []): FineractParameterError {
  return { developerMessage: message, defaultUserMessage: message, userMessageGlobalisationCode: code, parameterName, value, args: args.map((v) => ({ value: v })) };
}

/** 403: PlatformDomainRuleException, one entry per broken rule. */
export function domainRuleViolation(rules: readonly DomainRule[]): SandboxResponse {
  return fineractError(
    403,
    {
      developerMessage: 'Request was understood but caused a domain rule violation.',
      defaultUserMessage: 'Errors contain reason for domain rule violation.',
      userMessageGlobalisationCode: 'validation.msg.domain.rule.violation',
    },
    rules.map((r) => generalError(r.code, r.message, r.args)),
  );
}

/** 400: PlatformApiDataValidationException. */
export function validationErrors(errors: readonly FineractParameterError[]): SandboxResponse {
  return fineractError(
    400,
    {
      developerMessage: 'The request was invalid. This typically will happen due to validation errors which are provided.',
      defaultUserMessage: 'Validation errors exist.',
      userMessageGlobalisationCode: 'validation.msg.validation.errors.exist',
    },
    errors,
  );
}

/** 404: a resource of this tenant that does not exist. */
export function resourceNotFound(code: string, message: string, args: readonly unknown[]): SandboxResponse {
  return fineractError(
    404,
    {
      developerMessage: 'The requested resource is not available.',
      defaultUserMessage: 'The requested resource is not available.',
      userMessageGlobalisationCode: 'error.msg.resource.not.found',
    },
    [generalError(code, message, args)],
  );
}

export function unauthenticated(detail: string): SandboxResponse {
  return fineractError(
    401,
    {
      developerMessage: `Invalid authentication details were passed in api request: ${detail}.`,
      defaultUserMessage: 'Unauthenticated. Please login.',
      userMessageGlobalisationCode: 'error.msg.not.authenticated',
    },
    [],
    { 'www-authenticate': 'Bearer realm="mbanq"' },
  );
}

/** Fineract's tenant filter answers an unknown or missing tenant with 400 before authentication. */
export function invalidTenant(detail: string): SandboxResponse {
  return fineractError(400, {
    developerMessage: detail,
    defaultUserMessage: 'Invalid tenant identifier provided with request.',
    userMessageGlobalisationCode: 'error.msg.invalid.tenant.identifier',
  });
}

/** RFC 6749 section 5.2, what the token endpoint answers. */
export function oauthError(status: number, error: string, description: string, headers?: Record<string, string>): SandboxResponse {
  return { status, headers: { 'cache-control': 'no-store', pragma: 'no-cache', ...headers }, body: { error, error_description: description } };
}

/** The part of Fineract's message codes that says what is wrong. */
function problemSuffix(problem: Problem): string {
  if (problem.code.startsWith('missing')) return 'cannot.be.blank';
  if (/additional properties/i.test(problem.detail ?? '')) return 'unsupported';
  return 'is.invalid';
}

/** Validation problems of the shared validator, as the entries of Fineract's 400 envelope. `resource` prefixes the codes (`client`, `clientIdentifier`). */
export function problemsToErrors(problems: readonly Problem[], resource: string): FineractParameterError[] {
  return problems.map((problem) => {
    const name = problem.source?.parameter ?? (problem.source?.pointer ?? '').replace(/^\//, '').replaceAll('/', '.');
    const suffix = problemSuffix(problem);
    const code =
      suffix === 'unsupported' ? 'error.msg.parameter.unsupported' : name ? `validation.msg.${resource}.${name}.${suffix}` : `validation.msg.${resource}.${problem.code.replaceAll('_', '.')}`;
    const message = suffix === 'unsupported' ? `The parameter ${name} is not supported.` : (problem.detail ?? problem.title);
    return parameterError(name || 'body', code, message);
  });
}

// RFC 6749 section 5.2 codes a token client branches on.
const OAUTH_CODES = new Set(['invalid_request', 'invalid_client', 'invalid_grant', 'unauthorized_client', 'unsupported_grant_type', 'invalid_scope']);

/**
 * The envelope of answers the shared skeleton makes (faults, unknown paths, 405, 413, crashes):
 * RFC 6749 on the token endpoint, Fineract's elsewhere.
 */
export function renderMbanqError(spec: SandboxErrorSpec): SandboxResponse {
  const detail = spec.detail ?? spec.title;
  if (spec.route?.operationId === 'requestAccessToken') {
    const error = OAUTH_CODES.has(spec.code) ? spec.code : spec.status === 503 ? 'temporarily_unavailable' : spec.status >= 500 ? 'server_error' : 'invalid_request';
    return oauthError(spec.status, error, detail, spec.headers);
  }
  const code = spec.status === 404 ? 'error.msg.resource.not.found' : `error.msg.${spec.code.replaceAll('_', '.')}`;
  const errors = (spec.problems ?? []).map((p) => generalError(`error.msg.${p.code.replaceAll('_', '.')}`, p.detail ?? p.title));
  return fineractError(spec.status, { developerMessage: detail, defaultUserMessage: spec.title, userMessageGlobalisationCode: code }, errors, spec.headers);
}
