import { planError } from '../../../core/errors.js';
import type { SigningPlan } from '../../../core/plan.js';
import type { BuiltRequest } from '../http/build-request.js';
import { buildCavageBase, buildRfc9421Base, type SignatureParameters } from './build-signature-base.js';
import { digestBody } from './digest-body.js';
import type { SigningKeys } from './signing-keys.js';

/** The headers a signing declaration produces (lower-case): they win over an Arazzo parameter of the same name. */
export function producedHeaders(plan: SigningPlan): string[] {
  const produced = plan.scheme === 'rfc9421' ? ['signature', 'signature-input'] : ['signature'];
  if (plan.digest) produced.push(plan.digest);
  if (plan.components.includes('date')) produced.push('date');
  return produced;
}

/**
 * Signs the final request (after auth and body encoding): sets `Date` when covered, the body
 * digest, then the signature over the covered components, made by `keys` (KMS on AWS). Called on
 * every attempt, so every retry carries a fresh date and signature. Returns a copy: the
 * request's `parts` (what `$request.*` reads, and so what history may show) keep no signature
 * header, and the signature base is never returned, logged or thrown.
 */
export async function signRequest(request: BuiltRequest, plan: SigningPlan, keys: SigningKeys, now: number, where: string): Promise<BuiltRequest> {
  if (request.body !== undefined && typeof request.body !== 'string') {
    throw planError(`${where}: a multipart body cannot be signed (its boundary is chosen when it is sent)`);
  }
  const headers: Record<string, string> = { ...request.headers };
  const created = Math.floor(now / 1000);
  if (plan.components.includes('date')) headers.date = new Date(created * 1000).toUTCString();
  if (plan.digest) headers[plan.digest] = digestBody(plan.digest, Buffer.from(request.body ?? '', 'utf8'));
  const expires = plan.expiresInSeconds !== undefined ? created + plan.expiresInSeconds : undefined;
  const message = { method: request.method, url: request.url, headers };

  if (plan.scheme === 'draft-cavage') {
    const covers = (c: string) => plan.components.includes(c);
    // Cavage-12 §2.1.4/§2.1.5: created/expires are sent when covered (or when a lifetime is set).
    const params: SignatureParameters = { created: covers('(created)') ? created : undefined, expires };
    const base = buildCavageBase(message, plan.components, params, where);
    const signature = Buffer.from(await keys.sign(plan.key, plan.algorithm, Buffer.from(base, 'utf8'))).toString('base64');
    const fields = [`keyId=${JSON.stringify(plan.keyId)}`, `algorithm=${JSON.stringify(plan.algorithm)}`];
    if (params.created !== undefined) fields.push(`created=${params.created}`);
    if (params.expires !== undefined) fields.push(`expires=${params.expires}`);
    fields.push(`headers=${JSON.stringify(plan.components.join(' '))}`, `signature=${JSON.stringify(signature)}`);
    headers.signature = fields.join(',');
  } else {
    const label = plan.label ?? 'sig1';
    const { base, signatureParams } = buildRfc9421Base(message, plan.components, { created, expires, keyid: plan.keyId }, where);
    const signature = Buffer.from(await keys.sign(plan.key, plan.algorithm, Buffer.from(base, 'utf8'))).toString('base64');
    headers['signature-input'] = `${label}=${signatureParams}`;
    headers.signature = `${label}=:${signature}:`;
  }
  return { ...request, headers };
}
