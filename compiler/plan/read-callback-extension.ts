import type { CallbackPolicy, CallbackVerification } from '../../core/plan.js';
import type { Diagnostic } from '../diagnostics/index.js';
import type { LoadedArazzo } from '../load/load-arazzo.js';
import { diagnosticAt } from '../load/parse-yaml-source.js';

export const CALLBACK_EXTENSION = 'x-arazzo-sfn-callback';
const MAX_SECONDS = 31_536_000; // a Standard execution lives at most a year
const POINTER = /^(\/([^~/]|~[01])*)+$/;

/**
 * Reads `x-arazzo-sfn-callback` (Arazzo has no callback construct): where the step's request
 * carries the callback URL, where the callback carries the status, which statuses keep waiting,
 * how long to wait, and which step takes over when the callback is late or lost.
 */
export function readCallbackExtension(
  loaded: LoadedArazzo,
  value: unknown,
  pointer: string,
  context: { readonly stepIds: readonly string[]; readonly sendsJsonBody: boolean },
  diagnostics: Diagnostic[],
): CallbackPolicy | undefined {
  if (value === undefined) return undefined;
  const at = (p: string, message: string) => diagnostics.push(diagnosticAt(loaded.source, p, 'callbackExtension', message));
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    at(pointer, `${CALLBACK_EXTENSION} must be an object with urlTarget, statusPointer, pending, heartbeatSeconds, timeoutSeconds and optionally onTimeout`);
    return undefined;
  }
  const v = value as Record<string, unknown>;
  const before = diagnostics.length;
  for (const key of Object.keys(v)) {
    if (!['urlTarget', 'statusPointer', 'pending', 'heartbeatSeconds', 'timeoutSeconds', 'onTimeout', 'verify'].includes(key)) at(`${pointer}/${key}`, `${CALLBACK_EXTENSION}: unknown key "${key}"`);
  }
  for (const key of ['urlTarget', 'statusPointer'] as const) {
    if (typeof v[key] !== 'string' || !POINTER.test(v[key] as string)) at(`${pointer}/${key}`, `${CALLBACK_EXTENSION}.${key} must be a JSON pointer such as "/webhookURL"`);
  }
  if (!Array.isArray(v.pending) || !v.pending.every((s) => typeof s === 'string')) at(`${pointer}/pending`, `${CALLBACK_EXTENSION}.pending must be a list of the statuses that keep the step waiting`);
  for (const key of ['heartbeatSeconds', 'timeoutSeconds'] as const) {
    const n = v[key];
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_SECONDS) at(`${pointer}/${key}`, `${CALLBACK_EXTENSION}.${key} must be whole seconds between 1 and ${MAX_SECONDS}`);
  }
  if (typeof v.heartbeatSeconds === 'number' && typeof v.timeoutSeconds === 'number' && v.heartbeatSeconds > v.timeoutSeconds) {
    at(`${pointer}/heartbeatSeconds`, `${CALLBACK_EXTENSION}.heartbeatSeconds must not exceed timeoutSeconds`);
  }
  if (v.onTimeout !== undefined && (typeof v.onTimeout !== 'string' || !context.stepIds.includes(v.onTimeout))) {
    at(`${pointer}/onTimeout`, `${CALLBACK_EXTENSION}.onTimeout must name a step of this workflow (steps: ${context.stepIds.join(', ')})`);
  }
  if (!context.sendsJsonBody) at(pointer, `${CALLBACK_EXTENSION} needs a JSON request body on the step: the callback URL is written into it at urlTarget`);
  const verify = readWebhookVerification(loaded, v.verify, `${pointer}/verify`, diagnostics, `${CALLBACK_EXTENSION}.verify`);
  if (diagnostics.length > before) return undefined;
  return {
    urlTarget: v.urlTarget as string,
    statusPointer: v.statusPointer as string,
    pending: v.pending as string[],
    heartbeatSeconds: v.heartbeatSeconds as number,
    timeoutSeconds: v.timeoutSeconds as number,
    ...(v.onTimeout !== undefined ? { onTimeout: v.onTimeout as string } : {}),
    ...(verify ? { verify } : {}),
  };
}

const SCHEMES = ['hmac-sha256', 'fintecture'] as const;
/** Five minutes either way: the window providers' own SDKs allow for clock skew and retries in flight. */
const DEFAULT_TOLERANCE_SECONDS = 300;
const HEADER_NAME = /^[A-Za-z0-9-]{1,64}$/;
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;

/**
 * Reads a webhook verification declaration (the callback extension's `verify`, or a receive
 * step's `x-arazzo-sfn-verify`, named by `label` in messages): the provider's webhook signature,
 * its key as a secret reference name (never the key itself), and the replay window.
 */
export function readWebhookVerification(loaded: LoadedArazzo, value: unknown, pointer: string, diagnostics: Diagnostic[], label: string): CallbackVerification | undefined {
  if (value === undefined) return undefined;
  const at = (p: string, message: string) => diagnostics.push(diagnosticAt(loaded.source, p, 'callbackVerification', message));
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    at(pointer, `${label} must be an object with scheme (${SCHEMES.join(' or ')}), secret and optionally header, keyId, toleranceSeconds`);
    return undefined;
  }
  const v = value as Record<string, unknown>;
  const before = diagnostics.length;
  for (const key of Object.keys(v)) {
    if (!['scheme', 'secret', 'header', 'keyId', 'toleranceSeconds'].includes(key)) at(`${pointer}/${key}`, `${label}: unknown key "${key}"`);
  }
  const scheme = v.scheme as CallbackVerification['scheme'];
  if (!SCHEMES.includes(scheme)) at(`${pointer}/scheme`, `${label}.scheme must be one of ${SCHEMES.join(', ')}`);
  if (typeof v.secret !== 'string' || !SECRET_NAME.test(v.secret)) {
    at(`${pointer}/secret`, `${label}.secret must name the secret that holds the key (a Secrets Manager name; locally, the local secrets provider's), never the key itself`);
  }
  if (v.header !== undefined && (scheme !== 'hmac-sha256' || typeof v.header !== 'string' || !HEADER_NAME.test(v.header))) {
    at(`${pointer}/header`, `${label}.header is the hmac-sha256 scheme's signature header name (letters, digits, '-')`);
  }
  if (scheme === 'fintecture' && (typeof v.keyId !== 'string' || v.keyId === '')) {
    at(`${pointer}/keyId`, `${label}.keyId must be the Fintecture application id that signs the webhooks`);
  }
  if (v.keyId !== undefined && scheme !== 'fintecture') at(`${pointer}/keyId`, `${label}.keyId belongs to the fintecture scheme`);
  const tolerance = v.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (typeof tolerance !== 'number' || !Number.isInteger(tolerance) || tolerance < 1 || tolerance > 3_600) {
    at(`${pointer}/toleranceSeconds`, `${label}.toleranceSeconds must be whole seconds between 1 and 3600`);
  }
  if (diagnostics.length > before) return undefined;
  return {
    scheme,
    secret: v.secret as string,
    ...(scheme === 'hmac-sha256' ? { header: ((v.header as string | undefined) ?? 'x-webhook-signature').toLowerCase() } : {}),
    ...(scheme === 'fintecture' ? { keyId: v.keyId as string } : {}),
    toleranceSeconds: tolerance as number,
  };
}
