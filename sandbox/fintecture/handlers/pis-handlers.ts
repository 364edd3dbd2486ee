import { createHash, randomUUID } from 'node:crypto';
import { stableStringify, type SandboxResponse } from '../../http/index.js';
import type { FintectureContext, FintectureHandler } from '../fintecture-context.js';
import type { PaymentStatus } from '../fintecture-scenario.js';
import type { PaymentRecord } from '../fintecture-store.js';
import { parseSandboxTags } from '../parse-sandbox-tags.js';

interface ConnectBody {
  meta: Record<string, unknown>;
  data: { type?: string; attributes: Record<string, unknown> };
}

const iso = (ctx: FintectureContext) => new Date(ctx.now()).toISOString();

/** The first `pendingPolls` reads (and the creation answer) say `payment_pending`; later ones the planned status. */
function currentStatus(payment: PaymentRecord): PaymentStatus {
  return payment.payerDone || payment.reads >= payment.plan.pendingPolls ? payment.plan.status : 'payment_pending';
}

/** Real API: status at `meta.status`; seed 001 reads `status`, so it is at both. */
function renderPayment(payment: PaymentRecord): Record<string, unknown> {
  const status = currentStatus(payment);
  return {
    meta: { session_id: payment.id, status },
    id: payment.id,
    type: 'PIS',
    attributes: payment.attributes,
    status,
    created_at: payment.createdAt,
    updated_at: payment.updatedAt,
  };
}

function findPayment(ctx: FintectureContext): PaymentRecord | SandboxResponse {
  const id = String(ctx.request.path.payment_id);
  const payment = ctx.store.payments.get(id);
  if (payment && payment.owner === ctx.clientId) return payment;
  return ctx.fail(404, 'payment_not_found', 'Payment not found', `no payment session ${id}`);
}

const isResponse = (value: unknown): value is SandboxResponse => typeof (value as SandboxResponse).status === 'number';

/** With signatures not verified (verifySignatures false), a sent `Digest` must still match the body (verified, it already did). */
function digestProblem(ctx: FintectureContext): SandboxResponse | undefined {
  const digest = ctx.request.headers.digest;
  if (typeof digest !== 'string') return undefined;
  const expected = `SHA-256=${createHash('sha256').update(ctx.exchange.rawBody).digest('base64')}`;
  if (digest.trim() === expected) return undefined;
  return ctx.fail(400, 'invalid_digest', 'Invalid digest', 'the Digest header does not match the SHA-256 of the body');
}

const createPisV2Connect: FintectureHandler = (ctx) => {
  const invalidDigest = digestProblem(ctx);
  if (invalidDigest) return invalidDigest;
  const body = ctx.request.body as ConnectBody;
  const requestId = String(ctx.request.headers['x-request-id']);
  const key = `${ctx.clientId}\n${requestId}`;
  const fingerprint = stableStringify(body);

  // x-request-id is the idempotency key: a retried creation must not open a second payment.
  const existingId = ctx.store.paymentsByRequest.get(key);
  if (existingId !== undefined) {
    const existing = ctx.store.payments.get(existingId)!;
    if (existing.fingerprint !== fingerprint) {
      return ctx.fail(409, 'idempotency_conflict', 'x-request-id already used', `x-request-id ${requestId} was used for a different payment; send a new id`);
    }
    ctx.stats.idempotentReplays += 1;
    return { status: 200, body: existing.connectResponse };
  }

  const tags = parseSandboxTags(typeof body.meta.psu_email === 'string' ? body.meta.psu_email : undefined);
  const plan = {
    pendingPolls: tags.pendingPolls ?? ctx.scenario.payment.pendingPolls,
    status: tags.paymentStatus ?? ctx.scenario.payment.status,
  };
  // Fintecture session ids are 32 hex characters.
  const id = randomUUID().replaceAll('-', '');
  const now = iso(ctx);
  const payment: PaymentRecord = {
    id,
    owner: ctx.clientId!,
    requestId,
    fingerprint,
    plan,
    attributes: { ...body.data.attributes },
    meta: { ...body.meta },
    createdAt: now,
    updatedAt: now,
    reads: 0,
    connectResponse: { meta: { session_id: id, status: plan.pendingPolls === 0 ? plan.status : 'payment_pending', url: `${ctx.exchange.baseUrl}/connect/${id}` } },
  };
  ctx.store.payments.set(id, payment);
  ctx.store.paymentsByRequest.set(key, id);
  ctx.stats.paymentsCreated += 1;
  ctx.stats.paymentCreationsByRequestId[requestId] = (ctx.stats.paymentCreationsByRequestId[requestId] ?? 0) + 1;
  ctx.paymentOpened(payment);
  return { status: 200, body: payment.connectResponse };
};

const getPaymentSession: FintectureHandler = (ctx) => {
  const payment = findPayment(ctx);
  if (isResponse(payment)) return payment;
  const body = renderPayment(payment);
  payment.reads += 1;
  return { status: 200, body };
};

const getPisV2Payments: FintectureHandler = (ctx) => {
  const { query } = ctx.request;
  const status = query['filter[status]'];
  const from = query['filter[from]'] as string | undefined;
  const to = query['filter[to]'] as string | undefined;
  const data = [...ctx.store.payments.values()]
    .filter((p) => p.owner === ctx.clientId)
    .filter((p) => status === undefined || currentStatus(p) === status)
    .filter((p) => from === undefined || p.createdAt.slice(0, 10) >= from)
    .filter((p) => to === undefined || p.createdAt.slice(0, 10) <= to)
    .map(renderPayment);
  return { status: 200, body: { data, meta: { count: data.length } } };
};

const patchPisV2PaymentSession: FintectureHandler = (ctx) => {
  const payment = findPayment(ctx);
  if (isResponse(payment)) return payment;
  const body = (ctx.request.body ?? {}) as { meta?: Record<string, unknown>; data?: { attributes?: Record<string, unknown> } };
  payment.meta = { ...payment.meta, ...body.meta };
  payment.attributes = { ...payment.attributes, ...body.data?.attributes };
  payment.updatedAt = iso(ctx);
  return { status: 200, body: renderPayment(payment) };
};

const getPisV2PaymentRefunds: FintectureHandler = (ctx) => {
  const payment = findPayment(ctx);
  return isResponse(payment) ? payment : { status: 200, body: { data: [] } };
};

const getPisV2Settlements: FintectureHandler = () => ({ status: 200, body: { data: [] } });

const getSettlementById: FintectureHandler = (ctx) =>
  ctx.fail(404, 'settlement_not_found', 'Settlement not found', `no settlement ${String(ctx.request.path.settlement_id)}`);

export const pisHandlers: Readonly<Record<string, FintectureHandler>> = {
  createPisV2Connect,
  getPaymentSession,
  getPisV2Payments,
  patchPisV2PaymentSession,
  getPisV2PaymentRefunds,
  getPisV2Settlements,
  getSettlementById,
};
