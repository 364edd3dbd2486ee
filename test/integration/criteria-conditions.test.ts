/**
 * Criteria conditions of Arazzo 1.1 end to end (conditions.arazzo.yaml): compiled and run on the
 * embedded Step Functions engine against the invoices simulator over real HTTP (JSON and XML
 * answers). Embedded `{$...}` in xpath, jsonpath and regex conditions; an XPath over a JSON body
 * that is not met and says why in the history; Goessner JSONPath filters.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startInvoicesSandbox, type InvoicesSandbox } from '../../sandbox/oai-examples/index.js';
import { compileExample, createOaiRunner, describeDiagnostics, errorsOf, type OaiRunner } from './support/oai-harness.js';

const FILE = 'conditions.arazzo.yaml';

let sandbox: InvoicesSandbox;
let runner: OaiRunner;

beforeAll(async () => {
  sandbox = await startInvoicesSandbox();
  runner = createOaiRunner();
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

const embedded = { userId: 'u-1', invoiceId: 'inv-1', minLines: 2, channel: 'web', skuPattern: 'ABC\\d+|QQQ', email: 'ada@example.com' };

describe('criteria conditions (Arazzo 1.1)', () => {
  it('compile, with the Goessner filter read as JavaScript named', async () => {
    const result = await compileExample(FILE);
    expect(errorsOf(result), describeDiagnostics(result.diagnostics)).toEqual([]);
    expect(result.diagnostics.map((d) => d.code)).toEqual(['ASFN2135', 'ASFN2135']);
  });

  it('substitute embedded expressions into xpath, jsonpath and regex conditions and judge by them', async () => {
    const run = await runner.run(FILE, 'embeddedConditions', embedded, sandbox);
    expect(run.execution.status, run.execution.cause).toBe('SUCCEEDED');
    expect(run.calls).toEqual([
      ['GET', 'fetchXml', 200],
      ['GET', 'getUser', 200],
    ]);
    expect(run.execution.output).toEqual({ userId: 'u-1' });
  });

  it('fail the step when a substituted value does not hold, and never let a value write the path', async () => {
    // Each run changes one input of the passing run above, so the failure is that criterion's.
    for (const [input, failedStep, note] of [
      [{ minLines: 3 }, 'fetchXml', undefined],
      // XPath 1.0 has no escape for the quote that delimits a literal: not met, with a note, never `... = 'x' or 'a'='a'`.
      [{ channel: "x' or 'a'='a" }, 'fetchXml', "the value of {$inputs.channel} holds the quote (') that delimits it"],
      [{ skuPattern: 'QQQ' }, 'fetchXml', undefined],
      // In the JSONPath literal the quote is escaped: compared as text, not `... || @.email != ""`.
      [{ email: 'x" || @.email != "' }, 'getUser', undefined],
    ] as const) {
      const run = await runner.run(FILE, 'embeddedConditions', { ...embedded, ...input }, sandbox);
      expect(run.execution.status).toBe('FAILED');
      expect(run.execution.error).toBe('Arazzo.StepFailed');
      expect(run.calls.at(-1)?.[1]).toBe(failedStep);
      if (note) expect(run.execution.cause).toContain(note);
      if (typeof Object.values(input)[0] === 'string') expect(run.execution.cause).not.toContain(Object.values(input)[0]);
    }
  });

  it('route an XPath over a JSON answer as an unmet criterion, the step result in the history saying why', async () => {
    const run = await runner.run(FILE, 'xpathOverJson', { userId: 'u-1' }, sandbox);
    expect(run.execution.status, run.execution.cause).toBe('SUCCEEDED');
    expect(run.steps.map((s) => s.outcome)).toEqual(['onFailure.answeredJson']);
    const outputs = run.execution.history.flatMap((e) => [e.taskSucceededEventDetails?.output, e.lambdaFunctionSucceededEventDetails?.output, e.stateExitedEventDetails?.output]).filter(Boolean).join('\n');
    expect(outputs).toContain(
      'step getUser successCriteria[1], xpath criterion \\"/user/profile\\" is not met: the context is an object, not XML text (only a response with a JSON media type is parsed; XML stays text)',
    );
  });

  it("read a Goessner filter with JavaScript's ==, in a criterion and in a selector, and fail the step when the criterion selects nothing", async () => {
    const items = [{ sku: 'ABC123', quantity: 3 }, { sku: 'XYZ9', quantity: 1 }, { sku: 'Q7', quantity: 3 }];
    const ok = await runner.run(FILE, 'goessnerFilter', { items, wanted: '3' }, sandbox);
    expect(ok.execution.status, ok.execution.cause).toBe('SUCCEEDED');
    // The output's Goessner selector selects by the same ==: the numbers 3 equal the text "3".
    expect(ok.execution.output).toEqual({ orderId: 'ord-1', wantedSkus: ['ABC123', 'Q7'] });
    const none = await runner.run(FILE, 'goessnerFilter', { items: [{ sku: 'ABC123', quantity: 3 }], wanted: '4' }, sandbox);
    expect(none.execution.status).toBe('FAILED');
    expect(none.execution.error).toBe('Arazzo.StepFailed');
  });
});
