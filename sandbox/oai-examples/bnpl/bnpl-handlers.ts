import { randomBytes, randomUUID } from 'node:crypto';
import type { ExampleContext, ExampleHandler } from '../shared/start-example-sandbox.js';
import type { BnplScenario } from './bnpl-scenario.js';
import type { BnplCustomer, BnplStore, CurrencyAndAmount, LoanRecord, LoanStatus, QuotedProduct } from './bnpl-store.js';

type Ctx = ExampleContext<BnplStore, BnplScenario>;
type Handler = ExampleHandler<BnplStore, BnplScenario>;

/** The hosted page `GET /auth` sends the customer to; served by the simulator's fallback. */
export const CONSENT_PAGE_PREFIX = '/bnpl/consent/';

// Products the lender never finances, whatever their price.
const EXCLUDED_PRODUCTS = /^(GIFT|FOOD|CASH)-/i;

const cents = (n: number) => Math.round(n * 100);
const fromCents = (n: number) => n / 100;

function isCurrencyAndAmount(value: unknown): value is CurrencyAndAmount {
  const v = value as CurrencyAndAmount | undefined;
  return typeof v === 'object' && v !== null && typeof v.currency === 'string' && typeof v.amount === 'number';
}

function customerByUri(store: BnplStore, uri: string): BnplCustomer | undefined {
  for (const customer of store.customers.values()) if (customer.uri === uri) return customer;
  return undefined;
}

/** What the customer still owes in `currency` across their loans. */
function outstanding(store: BnplStore, uri: string, currency: string): number {
  let total = 0;
  for (const loan of store.loans.values()) {
    if (loan.customerUri === uri && loan.totalAmount.currency === currency && loan.authorization !== 'declined') total += cents(loan.totalAmount.amount);
  }
  return total;
}

function ageOn(dateOfBirth: string, now: number): number {
  const born = new Date(dateOfBirth);
  const today = new Date(now);
  let age = today.getUTCFullYear() - born.getUTCFullYear();
  const beforeBirthday = today.getUTCMonth() < born.getUTCMonth() || (today.getUTCMonth() === born.getUTCMonth() && today.getUTCDate() < born.getUTCDate());
  if (beforeBirthday) age -= 1;
  return age;
}

function schedule(total: CurrencyAndAmount, instalments: number, start: number): LoanRecord['paymentSchedule'] {
  const all = cents(total.amount);
  const each = Math.floor(all / instalments);
  return Array.from({ length: instalments }, (_, i) => {
    const date = new Date(start);
    date.setUTCMonth(date.getUTCMonth() + i + 1);
    const last = i === instalments - 1;
    // The rounding remainder goes to the last instalment, so the schedule adds up to the loan.
    const amount = last ? all - each * (instalments - 1) : each;
    return { paymentDate: date.toISOString().slice(0, 10), amount: { currency: total.currency, amount: fromCents(amount) }, lastPayment: last };
  });
}

function renderLoan(loan: LoanRecord): Record<string, unknown> {
  return {
    customer: loan.customerUri,
    products: loan.products.map((p) => ({ productCode: p.productCode, netAmount: p.netAmount, purchaseAmount: p.purchaseAmount, ...(p.merchantCategoryCode ? { merchantCategoryCode: p.merchantCategoryCode } : {}) })),
    status: loan.status,
    totalAmount: loan.totalAmount,
    paymentSchedule: loan.paymentSchedule,
  };
}

interface ProductInput {
  readonly productCode: string;
  readonly netAmount: unknown;
  readonly purchaseAmount?: CurrencyAndAmount;
  readonly merchantCategoryCode?: string;
}

const findEligibleProducts: Handler = (ctx) => {
  const body = ctx.request.body as { customer?: string; products: ProductInput[] };
  const { min, max } = ctx.scenario.productAmount;
  const eligible: QuotedProduct[] = [];
  for (const product of body.products) {
    const price = product.purchaseAmount ?? (isCurrencyAndAmount(product.netAmount) ? product.netAmount : undefined);
    if (!price || EXCLUDED_PRODUCTS.test(product.productCode) || price.amount < min || price.amount > max) continue;
    eligible.push({ productCode: product.productCode, netAmount: product.netAmount, purchaseAmount: price, ...(product.merchantCategoryCode ? { merchantCategoryCode: product.merchantCategoryCode } : {}) });
  }
  const currencies = new Set(eligible.map((p) => p.purchaseAmount.currency));
  if (currencies.size > 1) return ctx.fail(400, 'mixed_currencies', 'Mixed currencies', `one loan is in one currency; the basket has ${[...currencies].join(', ')}`);
  const currency = [...currencies][0];
  const total = eligible.reduce((sum, p) => sum + cents(p.purchaseAmount.amount), 0);

  let existingCustomerNotEligible: boolean | undefined;
  if (body.customer !== undefined) {
    const customer = customerByUri(ctx.store, body.customer);
    if (!customer) return ctx.fail(400, 'unknown_customer', 'Unknown customer', `no enrolled customer at ${body.customer}`);
    existingCustomerNotEligible = currency !== undefined && outstanding(ctx.store, customer.uri, currency) + total > cents(ctx.scenario.creditLimit);
  }
  const accepted = existingCustomerNotEligible ? [] : eligible;
  for (const product of accepted) ctx.store.quotes.set(product.productCode, product);
  return {
    status: 200,
    body: {
      ...(existingCustomerNotEligible !== undefined ? { existingCustomerNotEligible } : {}),
      productCodes: accepted.map((p) => p.productCode),
      eligibilityCheckRequired: body.customer === undefined,
      ...(accepted.length > 0 ? { totalAmount: { currency, amount: fromCents(total) } } : {}),
    },
  };
};

const TERMS = [
  'You agree to repay the loan in the instalments shown in your payment plan.',
  'Instalments are collected from your nominated account on their due dates; a missed instalment may incur a late fee.',
  'The lender may check your identity and credit history before approving a loan.',
];

const getTermsAndConditions: Handler = () => ({ status: 200, body: TERMS });

const createCustomer: Handler = (ctx) => {
  const body = ctx.request.body as Omit<BnplCustomer, 'id' | 'uri'> & { termsAndConditionsAccepted: boolean };
  // Not eligible is a 200 with a reason, as the description has it; only eligible customers become resources.
  if (!body.termsAndConditionsAccepted) return { status: 200, body: { reasonCode: 'TERMS_NOT_ACCEPTED' } };
  if (ageOn(body.dateOfBirth, ctx.now()) < ctx.scenario.minimumAge) return { status: 200, body: { reasonCode: 'UNDERAGE' } };
  if (ctx.scenario.declinedPostalCodes.includes(body.postalCode.trim().toUpperCase())) return { status: 200, body: { reasonCode: 'POSTAL_CODE_NOT_SERVED' } };

  const identity = [body.firstName, body.lastName, body.dateOfBirth.slice(0, 10), body.postalCode].map((s) => s.trim().toLowerCase()).join('\u0000');
  const existingId = ctx.store.customersByIdentity.get(identity);
  const customer = existingId ? ctx.store.customers.get(existingId)! : undefined;
  if (customer) return { status: 201, body: { customerId: customer.id, links: { self: customer.uri } } };
  const id = `cus_${randomBytes(9).toString('base64url')}`;
  const created: BnplCustomer = { id, uri: `${ctx.serverUrl}/customers/${id}`, firstName: body.firstName, lastName: body.lastName, dateOfBirth: body.dateOfBirth, postalCode: body.postalCode };
  ctx.store.customers.set(id, created);
  ctx.store.customersByIdentity.set(identity, id);
  return { status: 201, headers: { location: created.uri }, body: { customerId: id, links: { self: created.uri } } };
};

const createBnplTransaction: Handler = (ctx) => {
  const body = ctx.request.body as { enrolledCustomer?: string; newCustomer?: string; products: string[]; totalAmount: CurrencyAndAmount };
  if ((body.enrolledCustomer === undefined) === (body.newCustomer === undefined)) {
    return ctx.fail(400, 'customer_required', 'Customer required', 'give exactly one of enrolledCustomer and newCustomer');
  }
  const uri = (body.enrolledCustomer ?? body.newCustomer)!;
  const customer = customerByUri(ctx.store, uri);
  if (!customer) return ctx.fail(400, 'unknown_customer', 'Unknown customer', `no customer at ${uri}`);
  const products: QuotedProduct[] = [];
  for (const code of body.products) {
    const quote = ctx.store.quotes.get(code);
    if (!quote) return ctx.fail(400, 'product_not_eligible', 'Product not eligible', `product ${code} has not passed the eligibility check (POST /products)`);
    products.push(quote);
  }
  const quoted = products.reduce((sum, p) => sum + cents(p.purchaseAmount.amount), 0);
  const currency = products[0].purchaseAmount.currency;
  if (body.totalAmount.currency !== currency || cents(body.totalAmount.amount) !== quoted) {
    return ctx.fail(400, 'amount_mismatch', 'Amount mismatch', `the products were quoted ${fromCents(quoted)} ${currency}, not ${body.totalAmount.amount} ${body.totalAmount.currency}`);
  }
  if (outstanding(ctx.store, uri, currency) + quoted > cents(ctx.scenario.creditLimit)) {
    return ctx.fail(400, 'credit_limit_exceeded', 'Credit limit exceeded', 'the customer cannot take on this loan');
  }

  const needsAuthorization = body.newCustomer !== undefined || ctx.scenario.enrolledCustomersAuthorize;
  const id = `loan_${randomBytes(9).toString('base64url')}`;
  const loan: LoanRecord = {
    id,
    customerUri: uri,
    products,
    totalAmount: { currency, amount: fromCents(quoted) },
    status: needsAuthorization ? 'Pending' : 'Finalised',
    paymentSchedule: schedule({ currency, amount: fromCents(quoted) }, ctx.scenario.instalments, ctx.now()),
  };
  ctx.store.loans.set(id, loan);
  let redirectAuthToken: string | undefined;
  if (needsAuthorization) {
    redirectAuthToken = randomUUID();
    ctx.store.authTokens.set(redirectAuthToken, { loanId: id, used: false });
  }
  const self = `${ctx.serverUrl}/loan-transactions/${id}`;
  return { status: 202, headers: { location: self }, body: { ...(redirectAuthToken ? { redirectAuthToken } : {}), loanTransactionId: id, links: { self } } };
};

const getAuthorization: Handler = (ctx) => {
  const token = ctx.request.query.AuthorizationToken as string;
  const entry = ctx.store.authTokens.get(token);
  if (!entry) return ctx.fail(404, 'unknown_token', 'Unknown authorisation token', 'no loan waits for this token');
  if (entry.used) return ctx.fail(400, 'token_used', 'Authorisation token used', 'the token was already used; a loan is authorised once');
  entry.used = true;
  const loan = ctx.store.loans.get(entry.loanId)!;
  // The sandbox plays the customer on the hosted page, who answers as the scenario says.
  loan.authorization = ctx.scenario.authorization === 'approve' ? 'approved' : 'declined';
  if (loan.authorization === 'approved') loan.status = 'Finalised';
  return { status: 302, headers: { location: `${ctx.exchange.baseUrl}${CONSENT_PAGE_PREFIX}${loan.id}` } };
};

function findLoan(ctx: Ctx): { readonly loan: LoanRecord } | { readonly error: ReturnType<Ctx['fail']> } {
  const id = ctx.request.path.loanTransactionId as string;
  const loan = ctx.store.loans.get(id);
  return loan ? { loan } : { error: ctx.fail(404, 'not_found', 'Loan transaction not found', `no loan transaction ${id}`) };
}

const retrieveBnplLoanTransaction: Handler = (ctx) => {
  const found = findLoan(ctx);
  return 'error' in found ? found.error : { status: 200, body: renderLoan(found.loan) };
};

// Pending -> Finalised happens on the customer's authorisation; the merchant only completes a finalised loan.
const MERCHANT_TRANSITIONS: Readonly<Record<LoanStatus, readonly LoanStatus[]>> = { Pending: [], Finalised: ['Completed'], Completed: [] };

const updateBnplLoanTransactionStatus: Handler = (ctx) => {
  const found = findLoan(ctx);
  if ('error' in found) return found.error;
  const { loan } = found;
  const wanted = (ctx.request.body as { status: LoanStatus }).status;
  if (wanted === loan.status) return { status: 204 };
  if (!MERCHANT_TRANSITIONS[loan.status].includes(wanted)) {
    const detail = loan.status === 'Pending' ? `the customer has not authorised loan ${loan.id}${loan.authorization === 'declined' ? ' (they declined it)' : ''}` : `a ${loan.status} loan cannot become ${wanted}`;
    return ctx.fail(409, 'invalid_transition', 'Conflict', detail);
  }
  loan.status = wanted;
  return { status: 204 };
};

export const bnplHandlers: Readonly<Record<string, Handler>> = {
  findEligibleProducts,
  getTermsAndConditions,
  createCustomer,
  createBnplTransaction,
  getAuthorization,
  retrieveBnplLoanTransaction,
  updateBnplLoanTransactionStatus,
};
