import { AUTH_CREDENTIAL_VALUES } from '../../core/credential-names.js';
import { ExpressionSyntaxError, parseTemplate } from '../../core/expressions/index.js';
import type { AuthPlan, AuthScheme, ParameterPlan } from '../../core/plan.js';
import { splitCredentialPath } from '../../core/credential-names.js';
import { decodePointer, encodePointer } from '../load/parse-yaml-source.js';
import type { BoundOperation } from './bind-operation.js';
import type { ArazzoWorkflow } from '../validate/arazzo-schema.js';
import { checkValueExpressions } from './check-expressions.js';
import { reportAt, type PlanContext } from './plan-context.js';
import { qualifiedSource, sourceNames } from './source-reference.js';

/**
 * Redocly Respect's `x-security` extension, with its field names: a list of entries, each
 * `{ schemeName, values }` (a key of the source's `components.securitySchemes`, or
 * `$sourceDescriptions.<name>.<key>`) or `{ scheme, values }` (an inline OpenAPI Security Scheme
 * Object), on a workflow (merged into each of its operation steps, first) or on a step.
 */
export const SECURITY_EXTENSION = 'x-security';

/** An entry as read from the document, before its scheme is resolved for a step. */
interface SecurityEntry {
  readonly pointer: string;
  readonly schemeName?: string;
  readonly scheme?: Record<string, unknown>;
  readonly values: Readonly<Record<string, string>>;
}

/** The values of a private_key_jwt client assertion: the key's name (a KMS key or PEM secret), its algorithm, its `kid`. */
const CLIENT_ASSERTION_VALUES = ['clientAssertionKey', 'clientAssertionAlgorithm', 'clientAssertionKeyId'] as const;

/** The value names each scheme reads: Respect's (`x-security-scheme-required-values`), plus the token request's. */
const VALUE_NAMES: Readonly<Record<Exclude<AuthScheme['type'], 'http'> | 'basic' | 'bearer', readonly string[]>> = {
  apiKey: ['apiKey'],
  basic: ['username', 'password'],
  bearer: ['token'],
  oauth2: ['accessToken', 'clientId', 'clientSecret', 'username', 'password', 'scope', 'clientAuthMethod', ...CLIENT_ASSERTION_VALUES],
  openIdConnect: ['accessToken', 'clientId', 'clientSecret', 'username', 'password', 'scope', 'clientAuthMethod', ...CLIENT_ASSERTION_VALUES],
  // Respect's names (its --mtls option): PEM texts, each from a secret.
  mutualTLS: ['clientCert', 'clientKey', 'caCert'],
};

const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'tls_client_auth'];

/** RFC 7518 algorithms a client assertion may be signed with: what KMS and PEM keys both sign. */
const CLIENT_ASSERTION_ALGORITHMS = ['RS256', 'PS256', 'ES256'];

/** Whether an oauth2/openIdConnect entry authenticates its client with a private_key_jwt assertion (RFC 7523 §2.2). */
const usesClientAssertion = (values: Readonly<Record<string, string>>) =>
  values.clientAuthMethod === 'private_key_jwt' || values.clientAssertionKey !== undefined;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Whether a value holds a runtime expression (whole, or embedded with braces). */
function holdsExpression(text: string): boolean {
  try {
    return parseTemplate(text).some((part) => part.kind === 'expression');
  } catch (err) {
    if (err instanceof ExpressionSyntaxError) return true; // reported as ASFN1009 by the expression check
    throw err;
  }
}

/** Reads the `x-security` list of a workflow or step; malformed entries are reported and left out. */
function readEntries(ctx: PlanContext, owner: object, pointer: string): SecurityEntry[] {
  const raw = (owner as Record<string, unknown>)[SECURITY_EXTENSION];
  if (raw === undefined) return [];
  const at = `${pointer}/${SECURITY_EXTENSION}`;
  if (!Array.isArray(raw)) {
    reportAt(ctx, at, 'securityExtension', `${SECURITY_EXTENSION} must be a list of { schemeName, values } or { scheme, values } entries`);
    return [];
  }
  const entries: SecurityEntry[] = [];
  raw.forEach((entry: unknown, i) => {
    const ep = `${at}/${i}`;
    if (!isObject(entry)) {
      reportAt(ctx, ep, 'securityExtension', `${SECURITY_EXTENSION}[${i}] must be an object with schemeName or scheme, and values`);
      return;
    }
    const hasName = entry.schemeName !== undefined;
    const hasScheme = entry.scheme !== undefined;
    if (hasName === hasScheme) {
      reportAt(
        ctx,
        ep,
        'securityExtension',
        hasName
          ? `${SECURITY_EXTENSION}[${i}] has both scheme and schemeName: give one (Respect's no-x-security-both-scheme-and-scheme-name)`
          : `${SECURITY_EXTENSION}[${i}] needs schemeName (a key of components.securitySchemes) or scheme (an inline security scheme)`,
      );
      return;
    }
    if (hasName && typeof entry.schemeName !== 'string') {
      reportAt(ctx, `${ep}/schemeName`, 'securityExtension', `${SECURITY_EXTENSION}[${i}].schemeName must be a string`);
      return;
    }
    if (hasScheme && !isObject(entry.scheme)) {
      reportAt(ctx, `${ep}/scheme`, 'securityExtension', `${SECURITY_EXTENSION}[${i}].scheme must be a security scheme object (type, ...)`);
      return;
    }
    const values: Record<string, string> = {};
    if (entry.values !== undefined && !isObject(entry.values)) {
      reportAt(ctx, `${ep}/values`, 'securityExtension', `${SECURITY_EXTENSION}[${i}].values must be an object of names to values`);
      return;
    }
    let valuesOk = true;
    for (const [name, value] of Object.entries(entry.values ?? {})) {
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') values[name] = String(value);
      else {
        reportAt(
          ctx,
          `${ep}/values${encodePointer([name])}`,
          'securityExtension',
          `${SECURITY_EXTENSION}[${i}].values.${name} must be a string or a runtime expression`,
        );
        valuesOk = false;
      }
    }
    checkValueExpressions(ctx.loaded.source, values, `${ep}/values`, ctx.diagnostics);
    for (const [name, value] of Object.entries(values)) {
      if (AUTH_CREDENTIAL_VALUES.has(name) && !holdsExpression(value)) {
        reportAt(
          ctx,
          `${ep}/values${encodePointer([name])}`,
          'securityLiteralSecret',
          `${SECURITY_EXTENSION}[${i}].values.${name} is a literal: a credential must come from a runtime expression (an input the execution carries as a "secret:<name>" reference, or a sealed step output), never from the document, which is bundled into the plan and the Lambda`,
        );
        valuesOk = false;
      }
    }
    if (!valuesOk) return;
    entries.push({
      pointer: ep,
      ...(hasName ? { schemeName: entry.schemeName as string } : { scheme: entry.scheme as Record<string, unknown> }),
      values,
    });
  });
  return entries;
}


/** The Security Scheme Object an entry names, from the step's source or the one it qualifies. */
function lookUpScheme(ctx: PlanContext, name: string, source: string): { scheme?: Record<string, unknown>; where: string } {
  const qualified = qualifiedSource(name, sourceNames(ctx.loaded.document));
  const from = qualified ? qualified[1] : source;
  const key = qualified ? qualified[2] : name;
  const schemes = ctx.loaded.openapis.get(from)?.document.components?.securitySchemes as Record<string, unknown> | undefined;
  const found = schemes && Object.hasOwn(schemes, key) ? schemes[key] : undefined;
  return { ...(isObject(found) ? { scheme: found } : {}), where: `components.securitySchemes of source "${from}"` };
}

const flowUrl = (flows: Record<string, unknown>, flow: string): string | undefined => {
  const f = flows[flow];
  return isObject(f) && typeof f.tokenUrl === 'string' && f.tokenUrl !== '' ? f.tokenUrl : undefined;
};

/**
 * The runtime form of a scheme, or a message saying why arazzo-sfn cannot apply it (`kind`
 * tells a malformed scheme from one it does not support).
 */
function normaliseScheme(
  scheme: Record<string, unknown>,
  values: Readonly<Record<string, string>>,
): AuthScheme | { problem: string; kind: 'securityExtension' | 'securityUnsupported' } {
  switch (scheme.type) {
    case 'apiKey': {
      if (typeof scheme.name !== 'string' || scheme.name === '') return { problem: 'an apiKey scheme needs a name', kind: 'securityExtension' };
      if (scheme.in !== 'header' && scheme.in !== 'query' && scheme.in !== 'cookie')
        return { problem: 'an apiKey scheme is in header, query or cookie', kind: 'securityExtension' };
      return { type: 'apiKey', in: scheme.in, name: scheme.name };
    }
    case 'http': {
      // RFC 7235: the auth-scheme name is case-insensitive.
      const name = typeof scheme.scheme === 'string' ? scheme.scheme.toLowerCase() : undefined;
      if (name === 'basic' || name === 'bearer') return { type: 'http', scheme: name };
      return { problem: `http scheme "${String(scheme.scheme)}" is not supported (basic and bearer are)`, kind: 'securityUnsupported' };
    }
    case 'oauth2': {
      const flows = isObject(scheme.flows) ? scheme.flows : {};
      // A token given as accessToken is sent as it is: no flow is needed (Respect reads only accessToken).
      const password = values.username !== undefined || values.password !== undefined;
      const flow = password ? 'password' : 'clientCredentials';
      const tokenUrl = flowUrl(flows, flow);
      if (values.accessToken !== undefined) return { type: 'oauth2', flow, tokenUrl: tokenUrl ?? '' };
      if (!tokenUrl) {
        return {
          problem: `an oauth2 scheme without accessToken needs flows.${flow}.tokenUrl (arazzo-sfn requests tokens with the clientCredentials and password flows; ${password ? 'username and password select the password flow' : 'without username and password, the clientCredentials flow'})`,
          kind: 'securityUnsupported',
        };
      }
      return { type: 'oauth2', flow, tokenUrl };
    }
    case 'openIdConnect':
      if (typeof scheme.openIdConnectUrl !== 'string' || scheme.openIdConnectUrl === '')
        return { problem: 'an openIdConnect scheme needs openIdConnectUrl', kind: 'securityExtension' };
      return { type: 'openIdConnect', openIdConnectUrl: scheme.openIdConnectUrl };
    case 'mutualTLS':
      return { type: 'mutualTLS' };
    default:
      return {
        problem: `security scheme type "${String(scheme.type)}" is not supported (apiKey, http basic and bearer, oauth2, openIdConnect, mutualTLS are)`,
        kind: 'securityUnsupported',
      };
  }
}

/** The values a scheme needs that the entry does not give (Respect's names). */
function missingValues(scheme: AuthScheme, values: Readonly<Record<string, string>>): string[] {
  const lacking = (names: readonly string[]) => names.filter((n) => values[n] === undefined);
  switch (scheme.type) {
    case 'apiKey':
      return lacking(['apiKey']);
    case 'http':
      return lacking(scheme.scheme === 'basic' ? ['username', 'password'] : ['token']);
    case 'mutualTLS':
      return lacking(['clientCert', 'clientKey']);
    case 'oauth2':
    case 'openIdConnect': {
      if (values.accessToken !== undefined) return [];
      const password = values.username !== undefined || values.password !== undefined;
      // A public client of the password flow may have no secret (RFC 6749 §4.3); a private_key_jwt client proves itself with its key.
      // tls_client_auth (RFC 8705 §2.1): the connection's client certificate is the proof; the id alone is sent.
      const client = usesClientAssertion(values) ? ['clientId', 'clientAssertionKey'] : values.clientAuthMethod === 'tls_client_auth' ? ['clientId'] : ['clientId', 'clientSecret'];
      const needed = password ? ['clientId', 'username', 'password', ...(usesClientAssertion(values) ? ['clientAssertionKey'] : [])] : client;
      const missing = lacking(needed);
      return missing.length ? [`accessToken, or ${missing.join(' and ')}`] : [];
    }
  }
}

const knownValues = (scheme: AuthScheme): readonly string[] => (scheme.type === 'http' ? VALUE_NAMES[scheme.scheme] : VALUE_NAMES[scheme.type]);

/** Where an entry puts its credential: the parameter it would replace (none for mutualTLS: the certificate goes on the connection). */
const targetOf = (scheme: AuthScheme): { in: ParameterPlan['in']; name: string } | undefined =>
  scheme.type === 'mutualTLS' ? undefined : scheme.type === 'apiKey' ? { in: scheme.in, name: scheme.name } : { in: 'header', name: 'Authorization' };

/**
 * What is wrong with an entry's private_key_jwt values, if anything. The key is a NAME (a KMS key
 * of the construct's `signingKeys`, else a PEM secret), fixed in the document so the construct
 * can grant exactly that key: never key material, never an expression.
 */
function clientAssertionProblem(values: Readonly<Record<string, string>>): { value: string; problem: string } | undefined {
  const method = values.clientAuthMethod;
  if (values.clientAssertionKey !== undefined && method !== undefined && method !== 'private_key_jwt')
    return { value: 'clientAuthMethod', problem: `clientAssertionKey signs a private_key_jwt client assertion, but clientAuthMethod is ${method}` };
  const key = values.clientAssertionKey;
  if (key !== undefined) {
    if (/BEGIN|PRIVATE KEY|\n/.test(key))
      return { value: 'clientAssertionKey', problem: 'clientAssertionKey must be the name of a signing key (a KMS key or a PEM secret), never key material: the plan is bundled into the Lambda' };
    if (holdsExpression(key) || !/^[A-Za-z0-9_./+=@-]{1,128}$/.test(key))
      return { value: 'clientAssertionKey', problem: `clientAssertionKey must be a key name (letters, digits and _./+=@-, at most 128), written in the document so the construct can grant that key alone; ${JSON.stringify(key.slice(0, 40))} is not` };
  }
  const algorithm = values.clientAssertionAlgorithm;
  if (algorithm !== undefined && !CLIENT_ASSERTION_ALGORITHMS.includes(algorithm))
    return { value: 'clientAssertionAlgorithm', problem: `clientAssertionAlgorithm is ${CLIENT_ASSERTION_ALGORITHMS.join(', ')} (is ${JSON.stringify(algorithm.slice(0, 20))})` };
  if (!usesClientAssertion(values)) {
    const stray = CLIENT_ASSERTION_VALUES.find((name) => values[name] !== undefined);
    if (stray) return { value: stray, problem: `${stray} is used by a private_key_jwt client assertion only: set clientAuthMethod: private_key_jwt and clientAssertionKey` };
  }
  return undefined;
}

/** What `x-security` a workflow declares, read once (its problems reported once), resolved per step. */
export interface WorkflowSecurity {
  readonly entries: readonly SecurityEntry[];
}

/** Reads and checks the workflow-level `x-security` (Respect's `x-security-scheme-name-reference` as a warning). */
export function readWorkflowSecurity(ctx: PlanContext, workflow: ArazzoWorkflow, workflowPointer: string): WorkflowSecurity {
  const entries = readEntries(ctx, workflow, workflowPointer);
  if (ctx.loaded.document.sourceDescriptions.length > 1) {
    for (const e of entries) {
      if (e.schemeName !== undefined && !qualifiedSource(e.schemeName, sourceNames(ctx.loaded.document))) {
        reportAt(
          ctx,
          `${e.pointer}/schemeName`,
          'securitySchemeUnqualified',
          `workflow-level schemeName "${e.schemeName}" names no source, and the document has several: it is looked up in each step's own source; write $sourceDescriptions.<name>.${e.schemeName} to name one (Respect requires it)`,
          'warning',
        );
      }
    }
  }
  return { entries };
}

/** A step that runs a workflow makes no call of its own: its `x-security` has nothing to apply to. */
export function checkWorkflowStepSecurity(ctx: PlanContext, step: object, stepPointer: string): void {
  if ((step as Record<string, unknown>)[SECURITY_EXTENSION] === undefined) return;
  reportAt(
    ctx,
    `${stepPointer}/${SECURITY_EXTENSION}`,
    'securityOnWorkflowStep',
    `${SECURITY_EXTENSION} on a step that runs a workflow is not applied: it makes no HTTP call (declare it on the child workflow)`,
    'warning',
  );
}

/**
 * The `x-security` of an operation step: the workflow's entries, then the step's own, each with
 * its scheme resolved against the step's source. A workflow-level entry's problem is reported
 * once, at the first step it applies to.
 */
export function planStepSecurity(
  ctx: PlanContext,
  step: object,
  stepPointer: string,
  operation: BoundOperation,
  workflowSecurity: WorkflowSecurity,
  parameters: readonly ParameterPlan[],
  reported: Set<string>,
): AuthPlan[] {
  const planned: AuthPlan[] = [];
  const once = (key: string, report: () => void) => {
    if (reported.has(key)) return;
    reported.add(key);
    report();
  };
  const { source } = operation;
  for (const entry of [...workflowSecurity.entries, ...readEntries(ctx, step, stepPointer)]) {
    let raw = entry.scheme;
    if (entry.schemeName !== undefined) {
      const found = lookUpScheme(ctx, entry.schemeName, source);
      if (!found.scheme) {
        once(`${entry.pointer}\u0000${found.where}`, () =>
          reportAt(ctx, `${entry.pointer}/schemeName`, 'securityUnknownScheme', `schemeName "${entry.schemeName}" names no security scheme in ${found.where}`),
        );
        continue;
      }
      raw = found.scheme;
    }
    const scheme = normaliseScheme(raw!, entry.values);
    if ('problem' in scheme) {
      once(`${entry.pointer}\u0000${scheme.problem}`, () =>
        reportAt(ctx, entry.schemeName !== undefined ? `${entry.pointer}/schemeName` : `${entry.pointer}/scheme`, scheme.kind, scheme.problem),
      );
      continue;
    }
    const missing = missingValues(scheme, entry.values);
    if (missing.length) {
      const kind = scheme.type === 'http' ? scheme.scheme : scheme.type;
      once(`${entry.pointer}\u0000missing`, () =>
        reportAt(
          ctx,
          entry.pointer,
          'securityMissingValue',
          `the ${kind} scheme needs values ${missing.join(', ')} (Respect's x-security-scheme-required-values)`,
        ),
      );
      continue;
    }
    const known = knownValues(scheme);
    for (const name of Object.keys(entry.values)) {
      if (!known.includes(name)) {
        once(`${entry.pointer}\u0000value ${name}`, () =>
          reportAt(
            ctx,
            `${entry.pointer}/values${encodePointer([name])}`,
            'securityUnknownValue',
            `value "${name}" is not used by a ${scheme.type} scheme (it reads ${known.join(', ')})`,
            'warning',
          ),
        );
      }
    }
    if (scheme.type === 'openIdConnect' || scheme.type === 'oauth2') {
      const method = entry.values.clientAuthMethod;
      if (method !== undefined && !CLIENT_AUTH_METHODS.includes(method)) {
        once(`${entry.pointer}\u0000clientAuthMethod`, () =>
          reportAt(ctx, `${entry.pointer}/values/clientAuthMethod`, 'securityExtension', `clientAuthMethod is ${CLIENT_AUTH_METHODS.join(', ')}`),
        );
        continue;
      }
      const assertion = clientAssertionProblem(entry.values);
      if (assertion) {
        once(`${entry.pointer}\u0000clientAssertion`, () =>
          reportAt(ctx, `${entry.pointer}/values${encodePointer([assertion.value])}`, 'clientAssertion', assertion.problem),
        );
        continue;
      }
      if (usesClientAssertion(entry.values) && entry.values.clientSecret !== undefined && entry.values.accessToken === undefined) {
        once(`${entry.pointer}\u0000clientSecretUnused`, () =>
          reportAt(
            ctx,
            `${entry.pointer}/values/clientSecret`,
            'clientSecretUnused',
            'clientSecret is not sent: a private_key_jwt client proves itself with its signed assertion (RFC 7523 §2.2), so the secret need not be given',
            'warning',
          ),
        );
      }
    }
    if (scheme.type === 'mutualTLS' && /^http:/i.test(operation.serverUrl)) {
      once(`${stepPointer}\u0000${entry.pointer}\u0000http`, () =>
        reportAt(
          ctx,
          entry.pointer,
          'mutualTlsOverHttp',
          `mutualTLS presents a client certificate on a TLS connection, but the operation's server ${operation.serverUrl} is plain http: the step fails unless its server is overridden with an https URL`,
          'warning',
        ),
      );
    }
    const target = targetOf(scheme);
    const replaced = target && parameters.find(
      (p) => p.in === target.in && (target.in === 'header' ? p.name.toLowerCase() === target.name.toLowerCase() : p.name === target.name),
    );
    if (target && replaced) {
      once(`${stepPointer}\u0000${entry.pointer}\u0000replaces`, () =>
        reportAt(
          ctx,
          entry.pointer,
          'securityReplacesParameter',
          `${SECURITY_EXTENSION} sets the ${target.in} "${target.name}" that a parameter of this step also sets: the ${SECURITY_EXTENSION} value is sent (as Respect does)`,
          'warning',
        ),
      );
    }
    let values = entry.values;
    // private_key_jwt implied by its key: the runtime reads one method name.
    if ((scheme.type === 'oauth2' || scheme.type === 'openIdConnect') && usesClientAssertion(values)) values = { ...values, clientAuthMethod: 'private_key_jwt' };
    // The scopes a token is requested with: `scope` when given, else those the operation's security requirement names for the scheme.
    if (
      (scheme.type === 'oauth2' || scheme.type === 'openIdConnect') &&
      values.accessToken === undefined &&
      values.scope === undefined &&
      entry.schemeName !== undefined
    ) {
      const scopes = requiredScopes(ctx, operation, entry.schemeName);
      if (scopes.length) values = { ...values, scope: scopes.join(' ') };
    }
    planned.push({ ...(entry.schemeName !== undefined ? { schemeName: entry.schemeName } : {}), scheme, values });
  }
  const byCertificate = planned.find((p) => p.values.clientAuthMethod === 'tls_client_auth' && p.values.accessToken === undefined);
  if (byCertificate && !planned.some((p) => p.scheme.type === 'mutualTLS')) {
    once(`${stepPointer}\u0000tlsClientAuth`, () =>
      reportAt(
        ctx,
        stepPointer,
        'clientAssertion',
        `clientAuthMethod tls_client_auth proves the client by its TLS certificate (RFC 8705), but no mutualTLS x-security entry of the step or its workflow supplies one`,
      ),
    );
  }
  if (!planned.some((p) => p.scheme.type === 'mutualTLS')) {
    const required = mutualTlsRequired(ctx, operation);
    if (required) {
      once(`${stepPointer}\u0000mutualTlsNotSupplied`, () =>
        reportAt(
          ctx,
          stepPointer,
          'mutualTlsNotSupplied',
          `the operation requires the mutualTLS scheme "${required}", but no x-security entry of the step or its workflow supplies a client certificate (clientCert, clientKey): the server will refuse the TLS handshake`,
          'warning',
        ),
      );
    }
  }
  return planned;
}

/** The security requirements of the operation: its own `security`, else the description's. */
function securityRequirements(ctx: PlanContext, operation: BoundOperation): unknown[] {
  const document = ctx.loaded.openapis.get(operation.source)?.document;
  let node: unknown = document;
  for (const token of decodePointer(operation.operation.pointer)) node = isObject(node) ? node[token] : undefined;
  return isObject(node) && Array.isArray(node.security) ? node.security : Array.isArray(document?.security) ? document.security : [];
}

/** The mutualTLS scheme every alternative requirement of the operation names, if one does. */
function mutualTlsRequired(ctx: PlanContext, operation: BoundOperation): string | undefined {
  const requirements = securityRequirements(ctx, operation);
  const schemes = ctx.loaded.openapis.get(operation.source)?.document.components?.securitySchemes as Record<string, unknown> | undefined;
  if (!requirements.length || !schemes) return undefined;
  const mutual = (requirement: unknown) =>
    isObject(requirement) ? Object.keys(requirement).find((name) => Object.hasOwn(schemes, name) && isObject(schemes[name]) && schemes[name].type === 'mutualTLS') : undefined;
  const named = requirements.map(mutual);
  return named.every((n) => n !== undefined) ? named[0] : undefined;
}

/** The scopes the operation's first security requirement naming the scheme lists (its own `security`, else the description's). */
function requiredScopes(ctx: PlanContext, operation: BoundOperation, schemeName: string): string[] {
  const qualified = qualifiedSource(schemeName, sourceNames(ctx.loaded.document));
  if (qualified && qualified[1] !== operation.source) return [];
  const key = qualified ? qualified[2] : schemeName;
  const requirements = securityRequirements(ctx, operation);
  // Requirements are alternatives: the first that names the scheme says what this call needs.
  for (const requirement of requirements as unknown[]) {
    const listed = isObject(requirement) ? requirement[key] : undefined;
    if (Array.isArray(listed)) return listed.filter((scope): scope is string => typeof scope === 'string' && scope !== '');
  }
  return [];
}

/** The input names the credential values of the workflow's and its steps' `x-security` read: they are credential inputs. */
export function securityCredentialInputs(workflow: ArazzoWorkflow): string[] {
  const found = new Set<string>();
  const visit = (owner: object) => {
    const raw = (owner as Record<string, unknown>)[SECURITY_EXTENSION];
    if (!Array.isArray(raw)) return;
    for (const entry of raw) {
      if (!isObject(entry) || !isObject(entry.values)) continue;
      for (const [name, value] of Object.entries(entry.values)) {
        if (!AUTH_CREDENTIAL_VALUES.has(name) || typeof value !== 'string') continue;
        for (const m of value.matchAll(/\$inputs\.([A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*)/g)) found.add(m[1]);
      }
    }
  };
  visit(workflow);
  for (const step of workflow.steps) visit(step);
  return [...found];
}

/**
 * An input an x-security credential value reads must not have a `default` in the inputs schema:
 * the default is a literal secret in the document (Respect's examples write one), bundled with the
 * plan, and an execution that left the input out would carry it in clear (Validate inputs refuses it).
 * Reported at the default when the inputs schema is written inline.
 */
export function checkSecurityInputDefaults(
  ctx: PlanContext,
  workflow: ArazzoWorkflow,
  inputsSchema: Record<string, any> | undefined,
  inputsPointer: string,
): void {
  for (const path of securityCredentialInputs(workflow)) {
    let schema: Record<string, any> | undefined = inputsSchema;
    let pointer = '';
    for (const name of splitCredentialPath(path)) {
      schema = schema?.properties?.[name];
      pointer += `/properties${encodePointer([name])}`;
    }
    if (schema && typeof schema === 'object' && 'default' in schema) {
      const inline = (workflow.inputs as Record<string, unknown> | undefined)?.$ref === undefined;
      reportAt(
        ctx,
        inline ? `${inputsPointer}${pointer}/default` : inputsPointer,
        'securityLiteralSecret',
        `input "${path}" carries an x-security credential, so it cannot have a default: the default is a secret written in the document; pass it as a "secret:<name>" reference`,
      );
    }
  }
}
