/**
 * Compile-time checks of Selector Objects, Expression Type Objects and targetSelectorType
 * (Arazzo 1.1): each problem at its file:line:col with its own code.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileFile, formatDiagnostic } from '../../../compiler/index.js';
import type { StepPlan } from '../../../core/plan.js';

const ROOT = join(import.meta.dirname, '../../..');
const OPENAPI = join(ROOT, 'test/fixtures/oai-examples/invoices.openapi.yaml');

async function compileText(doc: string, version = '1.1.0') {
  const dir = await mkdtemp(join(tmpdir(), 'selectors-'));
  const file = join(dir, 'doc.arazzo.yml');
  await writeFile(
    file,
    `arazzo: ${version}
info: { title: t, version: '1' }
sourceDescriptions:
- { name: inv, url: ${OPENAPI}, type: openapi }
workflows:
- workflowId: w
  steps:
${doc}`,
  );
  const result = await compileFile(file);
  const lines = result.diagnostics.map((d) => formatDiagnostic(d).replace(file, 'doc.arazzo.yml'));
  return { result, errors: lines.filter((l) => l.includes(' error ')), warnings: lines.filter((l) => l.includes(' warning ')) };
}

describe('Selector Objects at compile time', () => {
  it('report a selector that does not parse as its type, at the selector, for each type', async () => {
    const { errors } = await compileText(`  - stepId: get
    operationId: getUser
    parameters: [{ name: userId, in: path, value: u }]
    outputs:
      a: { context: $response.body, selector: '$.user[', type: jsonpath }
      b: { context: $response.body, selector: 'user/profile', type: jsonpointer }
      c: { context: $response.body, selector: '/Invoice[', type: xpath }
      d: { context: $response.body, selector: '/Invoice[', type: { type: xpath, version: xpath-10 } }
`);
    expect(errors.map((e) => e.replace(/: (not|a JSON|expected).*$/, ''))).toEqual([
      'doc.arazzo.yml:12:47: error ASFN1101 jsonpath selector "$.user[" is not jsonpath (rfc9535)',
      'doc.arazzo.yml:13:47: error ASFN1101 jsonpointer selector "user/profile" is not jsonpointer (rfc6901)',
      'doc.arazzo.yml:14:47: error ASFN1101 xpath selector "/Invoice[" is not xpath (xpath-31)',
      'doc.arazzo.yml:15:47: error ASFN1101 xpath selector "/Invoice[" is not xpath (xpath-10)',
    ]);
    expect(errors[0]).toMatch(/\(at offset 7\) \[selector-syntax\]$/);
  });

  it('report a type or version the spec does not allow, a context that is not a runtime expression, and Goessner filters', async () => {
    const { errors } = await compileText(`  - stepId: get
    operationId: getUser
    parameters: [{ name: userId, in: path, value: u }]
    outputs:
      a: { context: $response.body, selector: '$.a', type: yaml }
      b: { context: $response.body, selector: '/a', type: { type: xpath, version: xpath-40 } }
      c: { context: response.body, selector: '/a', type: jsonpointer }
      d: { context: $response.body, selector: '$.a[?@.b]', type: { type: jsonpath, version: draft-goessner-dispatch-jsonpath-00 } }
      e: { context: $response.body, selector: '$.a.b', type: { type: jsonpath, version: draft-goessner-dispatch-jsonpath-00 } }
      f: { context: $response.body, selector: '$.a[?(@.b * 2)]', type: { type: jsonpath, version: draft-goessner-dispatch-jsonpath-00 } }
`);
    expect(errors.map((e) => e.replace(/ \[[a-z-]+\]$/, ''))).toEqual([
      'doc.arazzo.yml:12:60: error ASFN1100 Selector Object: type "yaml" is not one of "jsonpath", "xpath", "jsonpointer"',
      'doc.arazzo.yml:13:83: error ASFN1100 Selector Object: xpath version "xpath-40" is not one of "xpath-31", "xpath-30", "xpath-20", "xpath-10" (Arazzo 1.1 § Expression Type Object)',
      expect.stringMatching(/^doc\.arazzo\.yml:14:21: error ASFN1009 Selector Object: context "response\.body" is not a runtime expression/),
      expect.stringMatching(/^doc\.arazzo\.yml:15:93: error ASFN1102 JSONPath version "draft-goessner-dispatch-jsonpath-00": a filter not written as Goessner's "\[\?\(\.\.\.\)\]" is not read/),
      expect.stringMatching(/^doc\.arazzo\.yml:17:47: error ASFN1136 jsonpath selector "\$\.a\[\?\(@\.b \* 2\)\]": .*"\*" starts script/),
    ]);
  });

  it('check replacement targets against targetSelectorType and the payload, and plan selectors apart from literal values', async () => {
    const { errors, result } = await compileText(`  - stepId: order
    operationId: createOrder
    requestBody:
      contentType: application/json
      payload:
        invoiceId: { context: $inputs.xml, selector: /Invoice/Number, type: xpath }
        items: []
        note: { context: a, selector: b, type: c, extra: d }
      replacements:
        - { target: '/Envelope/Id', targetSelectorType: xpath, value: 1 }
        - { target: '$.items[', targetSelectorType: jsonpath, value: 1 }
        - { target: '/items/0', value: { context: $inputs.stock, selector: $.newQuantity, type: jsonpath } }
  - stepId: envelope
    operationId: sendEnvelope
    requestBody:
      contentType: application/xml
      payload: <Envelope><Id/></Envelope>
      replacements:
        - { target: '/Envelope/Id', targetSelectorType: jsonpointer, value: 1 }
`);
    expect(errors.map((e) => e.replace(/ \[[a-z-]+\]$/, '').replace(/(is not jsonpath \(rfc9535\)): .*$/, '$1'))).toEqual([
      'doc.arazzo.yml:17:21: error ASFN1103 an XPath target applies to an XML payload written as text; this payload is not one (use a JSON pointer or JSONPath target)',
      'doc.arazzo.yml:18:21: error ASFN1101 jsonpath target "$.items[" is not jsonpath (rfc9535)',
      'doc.arazzo.yml:26:21: error ASFN1103 a JSON pointer target cannot address an XML payload written as text; write the target as an XPath',
    ]);
    expect(result.workflows).toEqual([]);
  });

  it('plan the payload Selector Objects as selections, a look-alike with another member as data, and an untyped XML target as XPath 3.1', async () => {
    const { errors, result } = await compileText(`  - stepId: order
    operationId: createOrder
    requestBody:
      contentType: application/json
      payload:
        invoiceId: { context: $inputs.xml, selector: /Invoice/Number, type: xpath }
        items: [{ sku: a, quantity: { context: $inputs.stock, selector: /n, type: jsonpointer } }]
        note: { context: a, selector: b, type: c, extra: d }
      replacements:
        - { target: '/items/0/sku', value: { context: $inputs.stock, selector: $.sku, type: jsonpath } }
  - stepId: envelope
    operationId: sendEnvelope
    requestBody:
      contentType: application/xml
      payload: <Envelope><Id/></Envelope>
      replacements:
        - { target: '/Envelope/Id', value: x }
`);
    expect(errors).toEqual([]);
    const [order, envelope] = result.workflows[0].plan.steps as StepPlan[];
    expect(order.requestBody).toEqual({
      contentType: 'application/json',
      payload: { invoiceId: null, items: [{ sku: 'a', quantity: null }], note: { context: 'a', selector: 'b', type: 'c', extra: 'd' } },
      selections: [
        { pointer: '/invoiceId', selector: { context: '$inputs.xml', selector: '/Invoice/Number', type: { type: 'xpath', version: 'xpath-31' } } },
        { pointer: '/items/0/quantity', selector: { context: '$inputs.stock', selector: '/n', type: { type: 'jsonpointer', version: 'rfc6901' } } },
      ],
      replacements: [{ target: '/items/0/sku', value: null, selector: { context: '$inputs.stock', selector: '$.sku', type: { type: 'jsonpath', version: 'rfc9535' } } }],
    });
    expect(envelope.requestBody?.replacements).toEqual([{ target: '/Envelope/Id', value: 'x' }]);
  });

  it('in a 1.0.x document a payload look-alike stays data, and a Selector Object as an output is a 1.1 field', async () => {
    const { errors, result } = await compileText(
      `  - stepId: get
    operationId: getUser
    parameters: [{ name: userId, in: path, value: { context: $inputs.x, selector: /a, type: jsonpointer } }]
    outputs:
      a: { context: $response.body, selector: /a, type: jsonpointer }
`,
      '1.0.1',
    );
    expect(errors.map((e) => e.replace(/ \[[a-z-]+\]$/, ''))).toEqual([
      'doc.arazzo.yml:12:10: error ASFN1063 a Selector Object is Arazzo 1.1; this document declares arazzo: 1.0.1 (arazzo-sfn upgrade rewrites it to 1.1.0)',
    ]);
    expect(result.workflows).toEqual([]);
  });
});
