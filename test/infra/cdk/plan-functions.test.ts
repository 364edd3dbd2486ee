import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFunctions } from '../../../infra/cdk/plan-functions.js';
import { compileFileOrThrow, type CompiledWorkflow } from '../../../compiler/index.js';

const OPENAPI = resolve('workflows/openapi/fintecture-customers-api-openapi.yml');

// create reads inputs (a parent may hand any of them over sealed); poll reads nothing of the execution; customer reads an earlier step's output.
const DOCUMENT = `arazzo: 1.0.1
info: { title: reads, version: '1' }
sourceDescriptions:
  - { name: customersApi, url: '${OPENAPI}', type: openapi }
workflows:
  - workflowId: reads
    inputs:
      type: object
      properties:
        accessToken: { type: string, format: password }
        email: { type: string }
        customerId: { type: string }
        verificationId: { type: string }
    steps:
      - stepId: create
        operationId: createCustomer
        parameters: [{ name: Authorization, in: header, value: 'Bearer {$inputs.accessToken}' }]
        requestBody: { contentType: application/json, payload: { first_name: Jane, last_name: Doe, email: $inputs.email } }
        outputs: { id: $response.body#/id }
      - stepId: poll
        operationId: getCustomerVerificationById
        parameters:
          - { name: customer_id, in: path, value: cus_0001 }
          - { name: verification_id, in: path, value: ver_0001 }
        outputs: { status: $response.body#/status }
      - stepId: customer
        operationId: getCustomerById
        parameters:
          - { name: customer_id, in: path, value: $steps.create.outputs.id }
`;

describe('planFunctions: which functions may open a sealed value (kms:Decrypt)', () => {
  let dir: string;
  let compiled: CompiledWorkflow;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'arazzo-sfn-plan-functions-'));
    await writeFile(join(dir, 'reads.arazzo.yml'), DOCUMENT);
    compiled = (await compileFileOrThrow(join(dir, 'reads.arazzo.yml'))).workflows[0];
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('only those whose steps read an earlier output or an input', () => {
    const unseals = Object.fromEntries(planFunctions(compiled).map((f) => [f.functionKey, f.unseals]));
    expect(unseals).toEqual({
      'reads.workflow': false,
      'customersApi.createCustomer': true,
      'customersApi.getCustomerVerificationById': false,
      'customersApi.getCustomerById': true,
    });
  });
});

describe('planFunctions: an x-security value is a read like any other', () => {
  let dir: string;
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("lets the function of a step whose only read is an x-security token (an earlier step's sealed output) open it", async () => {
    dir = await mkdtemp(join(tmpdir(), 'arazzo-sfn-plan-functions-'));
    await writeFile(
      join(dir, 'bearer.arazzo.yml'),
      `arazzo: 1.0.1
info: { title: bearer, version: '1' }
sourceDescriptions:
  - { name: customersApi, url: '${OPENAPI}', type: openapi }
workflows:
  - workflowId: bearer
    steps:
      - stepId: list
        operationId: listAllCustomers
        outputs: { token: $response.body#/token }
      - stepId: customer
        operationId: getCustomerById
        parameters: [{ name: customer_id, in: path, value: cus_0001 }]
        x-security:
          - schemeName: BearerAuth
            values: { token: $steps.list.outputs.token }
`,
    );
    const compiled = (await compileFileOrThrow(join(dir, 'bearer.arazzo.yml'))).workflows[0];
    const unseals = Object.fromEntries(planFunctions(compiled).map((f) => [f.functionKey, f.unseals]));
    expect(unseals).toEqual({ 'bearer.workflow': false, 'customersApi.listAllCustomers': false, 'customersApi.getCustomerById': true });
  });
});
