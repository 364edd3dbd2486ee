import type { ParameterPlan } from '../../core/plan.js';
import type { ArazzoStep } from '../validate/arazzo-schema.js';

const IDEMPOTENCY_HEADERS = new Set(['idempotency-key', 'x-idempotency-key', 'x-request-id']);
const RETRY_SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

/**
 * Whether a provider fault may be retried by the Task (`transport.retrySafe`): the method is
 * idempotent, the request carries an idempotency key, or it mints an OAuth token (a token
 * request, a form body with `grant_type`, is harmless to repeat).
 */
export function isRetrySafe(method: string, parameters: readonly ParameterPlan[], contentType: string, requestBody: ArazzoStep['requestBody']): boolean {
  const headerNames = parameters.filter((p) => p.in === 'header').map((p) => p.name.toLowerCase());
  const isTokenRequest =
    contentType.startsWith('application/x-www-form-urlencoded') &&
    typeof requestBody?.payload === 'object' && requestBody.payload !== null && 'grant_type' in (requestBody.payload as object);
  return RETRY_SAFE_METHODS.has(method) || headerNames.some((h) => IDEMPOTENCY_HEADERS.has(h)) || isTokenRequest;
}
