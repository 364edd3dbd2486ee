import type { SigningAlgorithm, SigningPlan, SigningScheme } from '../../core/plan.js';
import { ExpressionSyntaxError, formatExpression, parseTemplate } from '../../core/expressions/index.js';
import type { DiagnosticKind } from '../diagnostics/codes.js';
import { diagnosticAt, decodePointer, encodePointer } from '../load/parse-yaml-source.js';
import type { ArazzoStep } from '../validate/arazzo-schema.js';
import { producedHeaders } from '../../functions/runtime/signing/sign-request.js';
import type { BoundOperation } from './bind-operation.js';
import { reportAt, type PlanContext } from './plan-context.js';

/**
 * The signing declaration (issue 18): on an OpenAPI security scheme
 * (`components.securitySchemes.<name>.x-arazzo-sfn-signing`), or given by configuration for a
 * source description (CompileOptions `signing`: a construct prop, the CLI's config file), so a
 * seed signs without being edited. It names the scheme, the algorithm, the covered components,
 * the key (a name in the runtime's key configuration, never key material) and the key id.
 */
export const SIGNING_EXTENSION = 'x-arazzo-sfn-signing';

/** A declaration as written (YAML names). */
export interface SigningDeclaration {
  readonly scheme: SigningScheme;
  readonly algorithm: SigningAlgorithm;
  readonly components: readonly string[];
  /** `Digest` or `Content-Digest`; defaults to the digest header the components cover. */
  readonly digest?: string;
  readonly key: string;
  /** A literal, or a runtime expression / template that reads only `$inputs` (evaluated at send time). */
  readonly keyId: string;
  readonly expiresIn?: number;
  readonly label?: string;
}

/** The algorithms each scheme defines (what a declaration may name). */
export const SIGNING_ALGORITHMS: Readonly<Record<SigningScheme, readonly SigningAlgorithm[]>> = {
  'draft-cavage': ['rsa-sha256', 'hs2019'],
  rfc9421: ['rsa-pss-sha512', 'rsa-v1_5-sha256', 'ecdsa-p256-sha256', 'ed25519'],
};
const CAVAGE_PSEUDO = new Set(['(request-target)', '(created)', '(expires)']);
const RFC9421_DERIVED = new Set(['@method', '@authority', '@scheme', '@target-uri', '@path', '@query', '@request-target']);
/** Headers that carry a request signature: an operation requiring one is signed by someone. */
export const SIGNATURE_HEADERS = new Set(['signature', 'signature-input', 'digest', 'content-digest']);
const TOKEN = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A declaration's problem, with the diagnostic that reports it. */
export interface SigningDeclarationProblem {
  readonly problem: string;
  readonly kind: DiagnosticKind;
}

/**
 * A keyId that is a runtime expression (`$inputs.appId`) or holds some (`{$inputs.tenant}-app`):
 * evaluated when the request is signed, so it may read only what is known when the execution
 * starts, the workflow's inputs (credential inputs included), never a step's outputs or the
 * request being signed. Returns the inputs it reads, or the problem.
 */
export function readKeyIdExpression(keyId: string): { inputs: string[] } | { problem: string } {
  let parts;
  try {
    parts = parseTemplate(keyId);
  } catch (err) {
    if (!(err instanceof ExpressionSyntaxError)) throw err;
    return { problem: `keyId ${JSON.stringify(keyId)} is not a valid runtime expression: ${err.message}` };
  }
  const inputs: string[] = [];
  for (const part of parts) {
    if (part.kind !== 'expression') continue;
    if (part.expression.kind !== 'inputs')
      return {
        problem: `keyId reads ${formatExpression(part.expression)}: it may read only $inputs (known when the execution starts), never a step's outputs or the request or response being signed`,
      };
    inputs.push(part.expression.name);
  }
  return { inputs };
}

/** Checks a declaration; returns the plan (without the scheme name) or the problem. */
export function readSigningDeclaration(raw: unknown): Omit<SigningPlan, 'schemeName'> | SigningDeclarationProblem {
  const found = readDeclaration(raw);
  return 'problem' in found ? { problem: found.problem, kind: found.kind ?? 'signingDeclaration' } : found;
}

function readDeclaration(raw: unknown): Omit<SigningPlan, 'schemeName'> | { problem: string; kind?: DiagnosticKind } {
  if (!isObject(raw)) return { problem: 'must be an object with scheme, algorithm, components, key and keyId' };
  const scheme = raw.scheme as SigningScheme;
  if (!(scheme in SIGNING_ALGORITHMS)) return { problem: `scheme must be draft-cavage or rfc9421 (is ${JSON.stringify(raw.scheme)})` };
  const algorithm = raw.algorithm as SigningAlgorithm;
  if (!SIGNING_ALGORITHMS[scheme].includes(algorithm))
    return { problem: `algorithm ${JSON.stringify(raw.algorithm)} is not one of ${scheme}'s: ${SIGNING_ALGORITHMS[scheme].join(', ')}` };
  if (!Array.isArray(raw.components) || !raw.components.length || !raw.components.every((c) => typeof c === 'string'))
    return { problem: 'components must be a non-empty list of component names' };
  const components = (raw.components as string[]).map((c) => c.toLowerCase());
  for (const c of components) {
    const known = scheme === 'draft-cavage' ? CAVAGE_PSEUDO.has(c) || TOKEN.test(c) : RFC9421_DERIVED.has(c) || (TOKEN.test(c) && !c.startsWith('@'));
    if (!known)
      return {
        problem: `component ${JSON.stringify(c)} is not a header name${scheme === 'draft-cavage' ? ', (request-target), (created) or (expires)' : ` or one of ${[...RFC9421_DERIVED].join(', ')}`}`,
      };
  }
  if (new Set(components).size !== components.length) return { problem: 'components lists a component twice' };
  // draft-cavage-12 §2.3: (created) and (expires) are not allowed with an algorithm named after its hash (rsa-sha256).
  if (scheme === 'draft-cavage' && algorithm !== 'hs2019' && components.some((c) => c === '(created)' || c === '(expires)'))
    return { problem: `(created) and (expires) cannot be covered with ${algorithm} (draft-cavage-12 §2.3): use hs2019` };
  if (components.includes('(expires)') && raw.expiresIn === undefined) return { problem: '(expires) is covered, so expiresIn (seconds) is required' };
  if (raw.expiresIn !== undefined && (typeof raw.expiresIn !== 'number' || !Number.isInteger(raw.expiresIn) || raw.expiresIn < 1 || raw.expiresIn > 86_400))
    return { problem: 'expiresIn must be a whole number of seconds from 1 to 86400' };
  let digest: 'digest' | 'content-digest' | undefined;
  if (raw.digest !== undefined) {
    const named = typeof raw.digest === 'string' ? raw.digest.toLowerCase() : '';
    if (named !== 'digest' && named !== 'content-digest') return { problem: `digest must be Digest or Content-Digest (is ${JSON.stringify(raw.digest)})` };
    digest = named;
  } else digest = components.includes('content-digest') ? 'content-digest' : components.includes('digest') ? 'digest' : undefined;
  if (typeof raw.key !== 'string' || !raw.key.trim()) return { problem: 'key must name a signing key of the runtime (a KMS key or a PEM secret)' };
  if (/BEGIN|PRIVATE KEY|\n/.test(raw.key))
    return { problem: 'key must be the name of a signing key, never key material: the plan is bundled into the Lambda' };
  if (typeof raw.keyId !== 'string' || !raw.keyId) return { problem: 'keyId must be the id the provider registered the public key under' };
  if (raw.keyId.includes('$')) {
    const expression = readKeyIdExpression(raw.keyId);
    if ('problem' in expression) return { problem: expression.problem, kind: 'signingKeyId' };
  }
  if (raw.label !== undefined && (typeof raw.label !== 'string' || !/^[a-z*][a-z0-9_.*-]*$/.test(raw.label)))
    return { problem: 'label must be a structured-field key (lower-case)' };
  return {
    scheme,
    algorithm,
    components,
    ...(digest ? { digest } : {}),
    key: raw.key,
    keyId: raw.keyId,
    ...(raw.expiresIn !== undefined ? { expiresInSeconds: raw.expiresIn as number } : {}),
    ...(raw.label !== undefined ? { label: raw.label as string } : {}),
  };
}

interface FoundDeclaration {
  readonly raw: unknown;
  readonly schemeName?: string;
  /** Where to report a problem: the scheme in its OpenAPI description, or the step (configuration). */
  readonly report: (message: string, kind: DiagnosticKind) => void;
  /** Whether the operation's security requirements name the scheme. */
  readonly required: boolean;
}

function operationRequirements(document: Record<string, unknown> | undefined, operation: BoundOperation): unknown[] {
  let node: unknown = document;
  for (const token of decodePointer(operation.operation.pointer)) node = isObject(node) ? node[token] : undefined;
  if (isObject(node) && Array.isArray(node.security)) return node.security;
  return Array.isArray(document?.security) ? document.security : [];
}

/**
 * The signing plan of an operation step: the configured declaration for its source, else a
 * security scheme's `x-arazzo-sfn-signing`. A declaration applies to the operations whose
 * security requirements name its scheme; one no requirement names (configuration, or a scheme
 * declared for signing only) applies to the operations that declare a header it produces
 * (`Signature`). Problems are reported once per declaration.
 */
export function planStepSigning(
  ctx: PlanContext,
  step: ArazzoStep,
  stepPointer: string,
  operation: BoundOperation,
  reported: Set<string>,
): SigningPlan | undefined {
  const openapi = ctx.loaded.openapis.get(operation.source);
  const document = openapi?.document as Record<string, unknown> | undefined;
  const found: FoundDeclaration[] = [];
  const configured = ctx.options.signing?.[operation.source];
  if (configured !== undefined) {
    found.push({
      raw: configured,
      report: (m, kind) => reportAt(ctx, stepPointer, kind, `signing configured for source "${operation.source}": ${m}`),
      required: false,
    });
  } else if (openapi) {
    const schemes = isObject(document?.components) && isObject(document.components.securitySchemes) ? document.components.securitySchemes : {};
    const requirements = operationRequirements(document, operation);
    for (const [name, scheme] of Object.entries(schemes)) {
      if (!isObject(scheme) || scheme[SIGNING_EXTENSION] === undefined) continue;
      const pointer = encodePointer(['components', 'securitySchemes', name, SIGNING_EXTENSION]);
      found.push({
        raw: scheme[SIGNING_EXTENSION],
        schemeName: name,
        report: (m, kind) => ctx.diagnostics.push(diagnosticAt(openapi.source, pointer, kind, `${SIGNING_EXTENSION} of security scheme "${name}": ${m}`)),
        required: requirements.some((r) => isObject(r) && name in r),
      });
    }
  }
  for (const declaration of found) {
    const plan = readSigningDeclaration(declaration.raw);
    if ('problem' in plan) {
      const key = `${operation.source}\u0000${declaration.schemeName ?? ''}`;
      if (!reported.has(key)) {
        reported.add(key);
        declaration.report(plan.problem, plan.kind);
      }
      continue;
    }
    const produced = producedHeaders(plan);
    const applies = declaration.required || operation.operation.parameters.some((p) => p.in === 'header' && produced.includes(p.name.toLowerCase()));
    if (!applies) continue;
    if (step.requestBody && /^multipart\//i.test(step.requestBody.contentType ?? '')) {
      reportAt(
        ctx,
        `${stepPointer}/requestBody`,
        'signingUnsupported',
        `step "${step.stepId}" is signed (${declaration.schemeName ?? 'configuration'}), but a multipart body cannot be: its boundary is chosen when it is sent`,
      );
    }
    return { ...plan, ...(declaration.schemeName ? { schemeName: declaration.schemeName } : {}) };
  }
  return undefined;
}
