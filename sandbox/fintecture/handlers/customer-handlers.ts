import type { SandboxResponse } from '../../http/index.js';
import type { FintectureContext, FintectureHandler } from '../fintecture-context.js';
import type { CustomerRecord, VerificationRecord } from '../fintecture-store.js';
import { makeId } from '../make-id.js';
import { parseSandboxTags } from '../parse-sandbox-tags.js';

const CUSTOMER_FIELDS = ['first_name', 'last_name', 'company_name', 'email', 'phone', 'external_id'] as const;
const BANK_ACCOUNT_FIELDS = ['iban', 'bic', 'holder_name', 'currency'] as const;
/** Score of an `unverified` outcome when no `+scoreNN` tag chooses one: a clear mismatch. */
const UNVERIFIED_SCORE = 0.21;

const iso = (ctx: FintectureContext) => new Date(ctx.now()).toISOString();

function pick(source: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => source[k] !== undefined).map((k) => [k, source[k]]));
}

/** The caller's customer named by the path, or a 404 (another application's customers do not exist for it). */
function findCustomer(ctx: FintectureContext): CustomerRecord | SandboxResponse {
  const id = String(ctx.request.path.customer_id);
  const customer = ctx.store.customers.get(id);
  if (customer && customer.owner === ctx.clientId) return customer;
  return ctx.fail(404, 'customer_not_found', 'Customer not found', `no customer ${id}`);
}

const isResponse = (value: unknown): value is SandboxResponse => typeof (value as SandboxResponse).status === 'number';

/**
 * The verification as a client sees it. Each `read` (a GET poll) spends one of the plan's
 * `pendingPolls`: the first N polls answer `pending`, later ones the outcome, which then stays.
 * The initiating POST always answers `pending`; a `peek` (list) shows the state without spending a poll.
 */
function renderVerification(ctx: FintectureContext, v: VerificationRecord, mode: 'initiated' | 'read' | 'peek'): Record<string, unknown> {
  const settled = mode !== 'initiated' && v.reads >= v.plan.pendingPolls;
  if (mode === 'read') v.reads += 1;
  if (settled && !v.settledAt) v.settledAt = iso(ctx);
  const status = settled ? v.plan.outcome : 'pending';
  return {
    id: v.id,
    customer_id: v.customerId,
    status,
    ...(v.providerId !== undefined ? { provider_id: v.providerId } : {}),
    ...(settled && v.plan.matchScore !== undefined ? { match_score: v.plan.matchScore } : {}),
    ...(status === 'verified' && v.settledAt ? { verified_at: v.settledAt } : {}),
    created_at: v.createdAt,
  };
}

const listAllCustomers: FintectureHandler = (ctx) => {
  const own = [...ctx.store.customers.values()].filter((c) => c.owner === ctx.clientId);
  const size = Math.max(1, Number(ctx.request.query['page[size]'] ?? 50));
  const page = Math.max(1, Number(ctx.request.query['page[number]'] ?? 1));
  const data = own.slice((page - 1) * size, page * size).map((c) => c.resource);
  return { status: 200, body: { data, meta: { count: own.length } } };
};

const createCustomer: FintectureHandler = (ctx) => {
  const body = ctx.request.body as Record<string, unknown>;
  const id = makeId('cus');
  const resource = { id, ...pick(body, CUSTOMER_FIELDS), created_at: iso(ctx) };
  ctx.store.customers.set(id, { id, owner: ctx.clientId!, resource, tags: parseSandboxTags(String(body.email)) });
  ctx.stats.customersCreated += 1;
  return { status: 201, body: resource };
};

const getCustomerById: FintectureHandler = (ctx) => {
  const customer = findCustomer(ctx);
  return isResponse(customer) ? customer : { status: 200, body: customer.resource };
};

const listAllCustomerBankAccounts: FintectureHandler = (ctx) => {
  const customer = findCustomer(ctx);
  if (isResponse(customer)) return customer;
  const data = [...ctx.store.bankAccounts.values()].filter((a) => a.customerId === customer.id).map((a) => a.resource);
  return { status: 200, body: { data } };
};

const createCustomerBankAccount: FintectureHandler = (ctx) => {
  const customer = findCustomer(ctx);
  if (isResponse(customer)) return customer;
  const id = makeId('ba');
  const resource = { id, ...pick(ctx.request.body as Record<string, unknown>, BANK_ACCOUNT_FIELDS), verified: false };
  ctx.store.bankAccounts.set(id, { id, customerId: customer.id, resource });
  return { status: 201, body: resource };
};

const getBankAccountById: FintectureHandler = (ctx) => {
  const customer = findCustomer(ctx);
  if (isResponse(customer)) return customer;
  const id = String(ctx.request.path.account_id);
  const account = ctx.store.bankAccounts.get(id);
  if (!account || account.customerId !== customer.id) return ctx.fail(404, 'bank_account_not_found', 'Bank account not found', `no bank account ${id}`);
  return { status: 200, body: account.resource };
};

const initiateCustomerVerification: FintectureHandler = (ctx) => {
  const customer = findCustomer(ctx);
  if (isResponse(customer)) return customer;
  const body = (ctx.request.body ?? {}) as { provider_id?: string; expected_name?: string };
  const defaults = ctx.scenario.verification;
  const outcome = customer.tags.verificationOutcome ?? defaults.outcome;
  const matchScore =
    outcome === 'verified' ? (customer.tags.matchScore ?? defaults.matchScore) : outcome === 'unverified' ? (customer.tags.matchScore ?? UNVERIFIED_SCORE) : undefined;
  const verification: VerificationRecord = {
    id: makeId('ver'),
    customerId: customer.id,
    providerId: body.provider_id,
    expectedName: body.expected_name,
    createdAt: iso(ctx),
    plan: { pendingPolls: customer.tags.pendingPolls ?? defaults.pendingPolls, outcome, matchScore },
    reads: 0,
  };
  ctx.store.verifications.set(verification.id, verification);
  ctx.stats.verificationsCreated += 1;
  return { status: 201, body: renderVerification(ctx, verification, 'initiated') };
};

const listAllCustomerVerifications: FintectureHandler = (ctx) => {
  const customer = findCustomer(ctx);
  if (isResponse(customer)) return customer;
  const data = [...ctx.store.verifications.values()].filter((v) => v.customerId === customer.id).map((v) => renderVerification(ctx, v, 'peek'));
  return { status: 200, body: { data } };
};

const getCustomerVerificationById: FintectureHandler = (ctx) => {
  const customer = findCustomer(ctx);
  if (isResponse(customer)) return customer;
  const id = String(ctx.request.path.verification_id);
  const verification = ctx.store.verifications.get(id);
  if (!verification || verification.customerId !== customer.id) {
    return ctx.fail(404, 'verification_not_found', 'Verification not found', `no verification ${id} for customer ${customer.id}`);
  }
  return { status: 200, body: renderVerification(ctx, verification, 'read') };
};

export const customerHandlers: Readonly<Record<string, FintectureHandler>> = {
  listAllCustomers,
  createCustomer,
  getCustomerById,
  listAllCustomerBankAccounts,
  createCustomerBankAccount,
  getBankAccountById,
  initiateCustomerVerification,
  listAllCustomerVerifications,
  getCustomerVerificationById,
};
