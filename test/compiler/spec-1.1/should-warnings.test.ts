/**
 * SHOULDs of Arazzo 1.1.0 that were compiled without a word, now lint warnings (DESIGN: a SHOULD is a warning):
 * - § Step Object, operationPath: "If the referenced operation has an operationId defined then the
 *   operationId SHOULD be preferred over the operationPath" (ASFN2195);
 * - § Step Object, requestBody: for GET, HEAD and DELETE "its use SHOULD be avoided if possible" (ASFN2196);
 * - § Defining Success for Asynchronous Steps: "authors SHOULD define successCriteria for AsyncAPI
 *   receive steps" (ASFN2197), and "MAY omit successCriteria only when" the channel defines a
 *   single message type (and its payload has no error fields, which only its author knows).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileDoc, head, workflow } from './support.js';

const ROOT = join(import.meta.dirname, '../../..');

const BODY_OPENAPI = `openapi: 3.1.0
info: { title: B, version: 1.0.0 }
servers: [{ url: https://b.invalid }]
paths:
  /things:
    get:
      operationId: findThings
      requestBody: { content: { application/json: { schema: { type: object } } } }
      responses: { '200': { description: ok } }
    delete:
      operationId: dropThings
      requestBody: { content: { application/json: { schema: { type: object } } } }
      responses: { '200': { description: ok } }
    post:
      operationId: addThing
      requestBody: { content: { application/json: { schema: { type: object } } } }
      responses: { '201': { description: created } }
`;

describe('SHOULDs warned about (docs/spec-conformance-1.1.md)', () => {
  it('ASFN2195: an operationPath to an operation that has an operationId', async () => {
    const { errors, warnings } = await compileDoc(`${head()}${workflow("      - stepId: a\n        operationPath: '{$sourceDescriptions.pets.url}#/paths/~1pets/get'\n")}`);
    expect(errors).toEqual([]);
    expect(warnings).toEqual([
      `9:24: warning ASFN2195 step "a": the operation at /paths/~1pets/get has operationId "listPets", which Arazzo prefers to operationPath (operationId: $sourceDescriptions.pets.listPets) [prefer-operation-id]`,
    ]);
    // An operation without one can only be named by its path: nothing to prefer.
    const health = await compileDoc(`${head()}${workflow("      - stepId: a\n        operationPath: '{$sourceDescriptions.pets.url}#/paths/~1health/get'\n")}`);
    expect(health.warnings).toEqual([]);
  });

  it('ASFN2196: a request body sent to a GET or a DELETE, not to a POST', async () => {
    const doc = `arazzo: 1.1.0
info: { title: t, version: '1' }
sourceDescriptions:
  - { name: b, url: ./b.openapi.yml, type: openapi }
workflows:
  - workflowId: w
    steps:
      - { stepId: find, operationId: findThings, requestBody: { payload: { a: 1 } } }
      - { stepId: drop, operationId: dropThings, requestBody: { payload: { a: 1 } } }
      - { stepId: add, operationId: addThing, requestBody: { payload: { a: 1 } } }
`;
    const { errors, warnings } = await compileDoc(doc, { 'b.openapi.yml': BODY_OPENAPI });
    expect(errors).toEqual([]);
    expect(warnings).toEqual([
      expect.stringMatching(/^8:\d+: warning ASFN2196 step "find": operation findThings is a GET, for which a request body has no defined semantics \(RFC 9110 §9\.3\).* \[request-body-method\]$/),
      expect.stringMatching(/^9:\d+: warning ASFN2196 step "drop": operation dropThings is a DELETE/),
    ]);
  });

  it('ASFN2197: a receive step without successCriteria on a channel of two message types; one with them, or on a channel of one, is not warned', async () => {
    const single = await readFile(join(ROOT, 'test/fixtures/asyncapi/orders.asyncapi.yml'), 'utf8');
    // The confirmation channel also carries a rejection: the MAY of the spec (a single message type) no longer applies.
    const asyncapi = single.replace(
      "      orderConfirmed:\n        $ref: '#/components/messages/OrderConfirmed'\n",
      "      orderConfirmed:\n        $ref: '#/components/messages/OrderConfirmed'\n      orderRejected:\n        $ref: '#/components/messages/OrderConfirmed'\n",
    );
    expect(asyncapi).not.toBe(single);
    const doc = (criteria: string) => `arazzo: 1.1.0
info: { title: t, version: '1' }
sourceDescriptions:
  - { name: orders, url: ./orders.asyncapi.yml, type: asyncapi }
workflows:
  - workflowId: w
    inputs: { type: object, properties: { id: { type: string } } }
    steps:
      - stepId: r
        operationId: $sourceDescriptions.orders.confirmOrder
        action: receive
        correlationId: $inputs.id
${criteria}`;
    const bare = await compileDoc(doc(''), { 'orders.asyncapi.yml': asyncapi });
    expect(bare.errors).toEqual([]);
    expect(bare.warnings).toEqual([
      expect.stringMatching(/^9:\d+: warning ASFN2197 step "r" receives a message and has no successCriteria, while its channel carries 2 message types: .* \[receive-success-criteria\]$/),
    ]);
    const checked = await compileDoc(doc("        successCriteria: [{ condition: \"$message.payload#/status == 'confirmed'\" }]\n"), { 'orders.asyncapi.yml': asyncapi });
    expect(checked).toEqual({ errors: [], warnings: [] });
    const one = await compileDoc(doc(''), { 'orders.asyncapi.yml': single });
    expect(one).toEqual({ errors: [], warnings: [] });
  });
});

describe('dialects warned about (docs/spec-conformance-1.1.md)', () => {
  it('ASFN2198: a double-quoted string in a simple condition (§ Literals: strings MUST use single quotes) is read as JSON, with a warning naming the standard form', async () => {
    const { errors, warnings } = await compileDoc(`${head()}${workflow(`      - stepId: a
        operationId: getPet
        parameters: [{ name: id, in: path, value: p }]
        successCriteria:
          - condition: '$statusCode == 200 && $response.body#/name == "it''s"'
          - condition: "$response.body#/status == 'ok'"
`)}`);
    expect(errors).toEqual([]);
    expect(warnings).toEqual([
      `12:24: warning ASFN2198 condition "$statusCode == 200 && $response.body#/name == "it's"" writes the string "it's" in double quotes; Arazzo's literals use single quotes ('' escapes one), so it is read as the JSON string it is: write 'it''s' [simple-condition-double-quote]`,
    ]);
  });
});
