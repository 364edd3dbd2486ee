import type { FaultRule } from '../../http/index.js';
import { renderProblemDetails } from '../shared/render-problem-details.js';
import { startExampleSandbox, type ExampleHandler, type ExampleSandbox, type ExampleSandboxOptions, type ExampleSimulator } from '../shared/start-example-sandbox.js';

/** Written for arazzo-sfn: the API of the Arazzo 1.1 Selector Object examples (see the description's header). */
export const INVOICES_OPENAPI_FILE = 'invoices.openapi.yaml';

export interface InvoiceRecord {
  readonly id: string;
  readonly number: string;
  readonly customerId: string;
  readonly lines: readonly { readonly sku: string; readonly quantity: number }[];
}

export interface InvoicesStore {
  readonly users: Map<string, { readonly id: string; readonly email: string; readonly name: string }>;
  readonly invoices: Map<string, InvoiceRecord>;
  readonly stock: Map<string, number>;
  readonly orders: { readonly orderId: string; readonly invoiceId: string; readonly email?: string; readonly items: readonly { sku: string; quantity: number }[] }[];
  readonly envelopes: string[];
}

export type InvoicesScenario = Readonly<Record<string, never>>;

export interface InvoicesSandboxOptions extends ExampleSandboxOptions<InvoicesScenario> {
  readonly faults?: readonly FaultRule[];
}

export type InvoicesSandbox = ExampleSandbox<InvoicesStore, InvoicesScenario, InvoicesScenario>;

type Handler = ExampleHandler<InvoicesStore, InvoicesScenario>;

const escapeXml = (text: string) => text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

function invoiceXml(invoice: InvoiceRecord): string {
  const lines = invoice.lines.map((l) => `<Line sku="${escapeXml(l.sku)}"><Quantity>${l.quantity}</Quantity></Line>`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?><Invoice xmlns:ext="urn:example:ext"><Header><InvoiceNumber>${escapeXml(invoice.number)}</InvoiceNumber><CustomerId>${escapeXml(invoice.customerId)}</CustomerId><ext:Channel>web</ext:Channel></Header><Lines>${lines}</Lines></Invoice>`;
}

export function createInvoicesStore(): InvoicesStore {
  return {
    users: new Map([['u-1', { id: 'u-1', email: 'ada@example.com', name: 'Ada' }]]),
    invoices: new Map([
      ['inv-1', { id: 'inv-1', number: 'INV-2026-0042', customerId: 'C-7', lines: [{ sku: 'ABC123', quantity: 2 }, { sku: 'XYZ9', quantity: 1 }] }],
      ['inv-empty', { id: 'inv-empty', number: 'INV-2026-0043', customerId: 'C-8', lines: [] }],
    ]),
    stock: new Map([['ABC123', 5], ['XYZ9', 0]]),
    orders: [],
    envelopes: [],
  };
}

/**
 * Starts the invoices API: users and stock answer JSON, invoices and envelope receipts answer
 * XML, and an order echoes what it was sent, so a workflow's Selector Objects and replacements
 * can be checked on both sides of the wire. Errors are RFC 9457 problem details.
 */
export async function startInvoicesSandbox(options: InvoicesSandboxOptions = {}): Promise<InvoicesSandbox> {
  const getUser: Handler = (ctx) => {
    const user = ctx.store.users.get(ctx.request.path.userId as string);
    return user ? { status: 200, body: { user: { id: user.id, profile: { email: user.email, name: user.name } } } } : ctx.fail(404, 'not_found', 'User not found');
  };
  const fetchXml: Handler = (ctx) => {
    const invoice = ctx.store.invoices.get(ctx.request.path.invoiceId as string);
    return invoice ? { status: 200, text: invoiceXml(invoice), contentType: 'application/xml' } : ctx.fail(404, 'not_found', 'Invoice not found');
  };
  const getInventory: Handler = (ctx) => {
    const sku = ctx.request.path.sku as string;
    const quantity = ctx.store.stock.get(sku);
    return quantity === undefined ? ctx.fail(404, 'not_found', 'Article not found') : { status: 200, body: { sku, newQuantity: quantity } };
  };
  const createOrder: Handler = (ctx) => {
    const body = ctx.request.body as { invoiceId: string; email?: string; items: { sku: string; quantity: number }[] };
    if (!ctx.store.invoices.has(body.invoiceId) && ![...ctx.store.invoices.values()].some((i) => i.number === body.invoiceId)) {
      return ctx.fail(400, 'unknown_invoice', 'Unknown invoice', 'invoiceId names no invoice (by id or number)');
    }
    const order = { orderId: `ord-${ctx.store.orders.length + 1}`, invoiceId: body.invoiceId, ...(body.email ? { email: body.email } : {}), items: body.items };
    ctx.store.orders.push(order);
    return { status: 201, body: order };
  };
  const sendEnvelope: Handler = (ctx) => {
    const text = ctx.request.body as string;
    ctx.store.envelopes.push(text);
    const customer = /<CustomerId>([^<]*)<\/CustomerId>/.exec(text)?.[1] ?? '';
    return { status: 200, text: `<Receipt><CustomerId>${customer}</CustomerId><Accepted>true</Accepted></Receipt>`, contentType: 'application/xml' };
  };

  const simulator: ExampleSimulator<InvoicesStore, InvoicesScenario, InvoicesScenario> = {
    title: 'Invoices',
    descriptions: [INVOICES_OPENAPI_FILE],
    basePath: '/v1',
    createStore: () => createInvoicesStore(),
    resolveScenario: () => ({}),
    handlers: { getUser, fetchXml, getInventory, createOrder, sendEnvelope },
    renderError: (spec) => renderProblemDetails(spec),
  };
  return startExampleSandbox(simulator, options);
}
