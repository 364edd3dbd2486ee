import type { ConnectFiHandler } from '../connectfi-context.js';
import type { CustomerRecord } from '../connectfi-store.js';
import { makeConnectFiId } from '../make-connectfi-id.js';
import { parseConnectFiTags } from '../parse-connectfi-tags.js';
import { renderCustomer } from '../render-kyc.js';

interface CustomerInitBody {
  reference: string;
  customerType: 'individual';
  customer: Record<string, unknown> & { email: string };
}

const initCustomer: ConnectFiHandler = (ctx) => {
  const body = ctx.request.body as CustomerInitBody;
  const login = ctx.login!;
  const referenceKey = `${login}\n${body.reference}`;
  const existing = ctx.store.customersByReference.get(referenceKey);
  if (existing !== undefined) {
    return ctx.fail(400, 'referenceExists', 'Reference already exists. Please enter a unique reference ID.', { reference: body.reference, entityId: existing });
  }
  const customer: CustomerRecord = {
    customerId: makeConnectFiId('csta'),
    owner: login,
    reference: body.reference,
    customerType: body.customerType,
    details: { ...body.customer },
    createdAt: new Date(ctx.now()).toISOString(),
    tags: parseConnectFiTags(body.customer.email),
  };
  ctx.store.customers.set(customer.customerId, customer);
  ctx.store.customersByReference.set(referenceKey, customer.customerId);
  ctx.stats.customersCreated += 1;
  return ctx.ok({ customer: renderCustomer(customer) });
};

export const customerHandlers: Readonly<Record<string, ConnectFiHandler>> = { initCustomer };
