/**
 * Arazzo 1.1 Selector Objects end to end: the spec's selector examples (selectors.arazzo.yaml)
 * compiled and run on the embedded engine against the invoices simulator over real HTTP, which
 * answers JSON and XML. Every kind is read in outputs, parameters, payloads, replacements and criteria.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startInvoicesSandbox, type InvoicesSandbox } from '../../sandbox/oai-examples/index.js';
import { compileExample, createOaiRunner, describeDiagnostics, errorsOf, type OaiRunner } from './support/oai-harness.js';

const FILE = 'selectors.arazzo.yaml';

let sandbox: InvoicesSandbox;
let runner: OaiRunner;

beforeAll(async () => {
  sandbox = await startInvoicesSandbox();
  runner = createOaiRunner();
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

describe('Selector Objects (Arazzo 1.1)', () => {
  it('compile, with the xpath-30 versions named as read by the XPath 3.1 engine', async () => {
    const result = await compileExample(FILE);
    expect(errorsOf(result), describeDiagnostics(result.diagnostics)).toEqual([]);
    expect(result.diagnostics.map((d) => `${d.line}:${d.col} ${d.code}`)).toEqual(['86:26 ASFN2100', '124:26 ASFN2100', '130:28 ASFN2100']);
  });

  it('select from JSON and XML answers into outputs, parameters, payloads and replacements, and judge criteria of each kind', async () => {
    const run = await runner.run(FILE, 'orderFromInvoice', { userId: 'u-1', invoiceId: 'inv-1' }, sandbox);
    expect(run.execution.status, run.execution.cause).toBe('SUCCEEDED');
    expect(run.calls).toEqual([
      ['GET', 'getUser', 200],
      ['GET', 'fetchXml', 200],
      // The parameter is the first line's sku attribute, selected from the invoice by XPath.
      ['GET', 'getInventory', 200],
      ['POST', 'createOrder', 201],
      ['POST', 'sendEnvelope', 200],
    ]);
    expect(sandbox.requestLog[2].path).toBe('/v1/inventory/ABC123');
    // The payload's Selector Object took the invoice number; the JSONPath replacement set only ABC123's quantity to the stock read by a selector.
    expect(sandbox.store.orders).toEqual([
      { orderId: 'ord-1', invoiceId: 'INV-2026-0042', email: 'ada@example.com', items: [{ sku: 'ABC123', quantity: 5 }, { sku: 'XYZ9', quantity: 3 }] },
    ]);
    // The XPath replacement wrote the customer id, selected from the invoice, into the XML payload.
    expect(sandbox.store.envelopes).toEqual(['<Envelope><Header><CustomerId>C-7</CustomerId></Header></Envelope>']);
    expect(run.execution.output).toEqual({
      email: 'ada@example.com',
      profileName: 'Ada',
      invoiceNumber: 'INV-2026-0042',
      skus: ['ABC123', 'XYZ9'],
      orderId: 'ord-1',
      quantities: [5, 3],
      firstQuantity: 5,
      receiptCustomer: 'C-7',
    });
  });

  it('fail a step whose XPath criterion does not hold on the answer (an invoice without lines)', async () => {
    const run = await runner.run(FILE, 'orderFromInvoice', { userId: 'u-1', invoiceId: 'inv-empty' }, sandbox);
    expect(run.execution.status).toBe('FAILED');
    expect(run.execution.error).toBe('Arazzo.StepFailed');
    expect(run.execution.cause).toContain('count(/Invoice/Lines/Line) > 0');
    expect(run.calls.map((c) => c[1])).toEqual(['getUser', 'fetchXml']);
  });
});
