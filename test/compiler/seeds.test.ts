import type { StepPlan } from '../../core/plan.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileFile, hasErrors, type CompileResult, type Diagnostic } from '../../compiler/index.js';
import { validateAsl } from '../../compiler/validate/validate-asl.js';
import { DEMO_SIGNING } from '../../cli/demo-sandboxes.js';

const ROOT = join(import.meta.dirname, '../..');
const SEED_000 = join(ROOT, 'workflows/arazzo/customer-verification-poll.arazzo.yml');
const SEED_001 = join(ROOT, 'workflows/arazzo/token-then-payment.arazzo.yml');
const golden = (workflowId: string) => JSON.parse(readFileSync(join(ROOT, 'test/fixtures/golden', `${workflowId}.asl.json`), 'utf8'));

const warnings = (r: CompileResult, code: string): Diagnostic[] => r.diagnostics.filter((d) => d.code === code);
const codeCounts = (r: CompileResult) =>
  r.diagnostics.reduce<Record<string, number>>((acc, d) => ({ ...acc, [d.code]: (acc[d.code] ?? 0) + 1 }), {});

describe('seed 000 customer-verification-poll compiles', () => {
  let result: CompileResult;
  beforeAll(async () => {
    result = await compileFile(SEED_000);
  });

  it('with no errors, one workflow, and ASL that asl-validator accepts', () => {
    expect(hasErrors(result.diagnostics)).toBe(false);
    expect(result.workflows).toHaveLength(1);
    expect(validateAsl(result.workflows[0].definition)).toEqual([]);
  });

  it('with the expected warnings, each at its line', () => {
    expect(result.diagnostics.every((d) => d.severity === 'warning')).toBe(true);
    expect(codeCounts(result)).toEqual({ ASFN2001: 3, ASFN2002: 4, ASFN2003: 1, ASFN2004: 1, ASFN2005: 1 });
    // The three legacy `$.status == ...` conditions of pollVerification's actions.
    expect(warnings(result, 'ASFN2001').map((d) => [d.line, d.col, d.pointer])).toEqual([
      [114, 20, '/workflows/0/steps/2/onSuccess/0/criteria/0/condition'],
      [121, 20, '/workflows/0/steps/2/onSuccess/1/criteria/0/condition'],
      [128, 20, '/workflows/0/steps/2/onSuccess/2/criteria/0/condition'],
    ]);
    expect(warnings(result, 'ASFN2004')).toMatchObject([{ line: 125, col: 15, pointer: '/workflows/0/steps/2/onSuccess/2/stepId' }]);
    expect(warnings(result, 'ASFN2004')[0].message).toContain('at most 20 runs of "pollVerification"');
    expect(warnings(result, 'ASFN2003')).toMatchObject([{ line: 151, pointer: '/workflows/0/outputs/failedStatus' }]);
    expect(warnings(result, 'ASFN2003')[0].message).toContain('"failedStatus"');
    expect(warnings(result, 'ASFN2005')).toMatchObject([{ line: 34, col: 9, pointer: '/workflows/0/inputs/properties/accessToken' }]);
  });

  it('with a plan that treats accessToken as a credential and polls with a GET (retry-safe)', () => {
    const { plan } = result.workflows[0];
    expect(plan.credentialInputs).toEqual(['accessToken']);
    expect((plan.steps as StepPlan[]).map((s) => [s.stepId, s.operation.method, s.transport.retrySafe])).toEqual([
      ['createCustomer', 'POST', false],
      ['startVerification', 'POST', false],
      ['pollVerification', 'GET', true],
      ['reportFailure', 'GET', true],
    ]);
    expect(plan.steps.every((s) => s.sealedOutputs.length === 0)).toBe(true);
    // What the handler checks each answer's Content-Type against (the customers description declares only the successes).
    expect((plan.steps as StepPlan[]).map((s) => [s.stepId, s.operation.responseMediaTypes])).toEqual([
      ['createCustomer', { '201': ['application/json'] }],
      ['startVerification', { '201': ['application/json'] }],
      ['pollVerification', { '200': ['application/json'] }],
      ['reportFailure', { '200': ['application/json'] }],
    ]);
  });

  it('to the expected states, and pollVerification.route routes verified/notVerified/pending with a bounded loop', () => {
    const { definition, tasks } = result.workflows[0];
    expect(definition.StartAt).toBe('Validate inputs');
    expect(Object.entries(definition.States).map(([name, s]) => [name, s.Type])).toEqual([
      ['Validate inputs', 'Task'],
      ['Validate inputs.failed', 'Fail'],
      ['createCustomer', 'Task'],
      ['createCustomer.failed', 'Fail'],
      ['startVerification', 'Task'],
      ['startVerification.failed', 'Fail'],
      ['pollVerification', 'Task'],
      // A 429 with Retry-After (throttle, on by default): a Catch of the GET's Task, no state on the way without one.
      ['pollVerification.throttled.cause', 'Pass'],
      ['pollVerification.throttled.delay', 'Pass'],
      ['pollVerification.throttled', 'Wait'],
      ['pollVerification.failed', 'Fail'],
      ['pollVerification.end', 'Succeed'],
      ['pollVerification.limit', 'Fail'],
      ['pollVerification.wait', 'Wait'],
      ['pollVerification.route', 'Choice'],
      ['reportFailure', 'Task'],
      ['reportFailure.throttled.cause', 'Pass'],
      ['reportFailure.throttled.delay', 'Pass'],
      ['reportFailure.throttled', 'Wait'],
      ['reportFailure.failed', 'Fail'],
    ]);
    expect(definition.States['pollVerification.route']).toEqual({
      Type: 'Choice',
      Choices: [
        { Variable: '$.steps.pollVerification.outcome', StringEquals: 'onSuccess.verified', Next: 'pollVerification.end' },
        { Variable: '$.steps.pollVerification.outcome', StringEquals: 'onSuccess.notVerified', Next: 'reportFailure' },
        {
          And: [
            { Variable: '$.steps.pollVerification.outcome', StringEquals: 'onSuccess.pending' },
            { Variable: '$.steps.pollVerification.attempts', NumericGreaterThanEquals: 20 },
          ],
          Next: 'pollVerification.limit',
        },
        { Variable: '$.steps.pollVerification.outcome', StringEquals: 'onSuccess.pending', Next: 'pollVerification.wait' },
      ],
      Default: 'reportFailure',
    });
    expect(definition.States['pollVerification.wait']).toMatchObject({ Type: 'Wait', SecondsPath: '$.steps.pollVerification.delaySeconds', Next: 'pollVerification' });
    expect(definition.States['pollVerification.limit']).toMatchObject({ Type: 'Fail', Error: 'Arazzo.RetryLimitExceeded' });
    expect(definition.States.reportFailure).toMatchObject({ End: true, OutputPath: '$.steps.reportFailure.workflowOutputs' });
    expect(tasks).toEqual({
      'Validate inputs': { functionKey: 'customer-verification-poll.workflow' },
      createCustomer: { functionKey: 'customersApi.createCustomer', stepId: 'createCustomer' },
      startVerification: { functionKey: 'customersApi.initiateCustomerVerification', stepId: 'startVerification' },
      pollVerification: { functionKey: 'customersApi.getCustomerVerificationById', stepId: 'pollVerification' },
      reportFailure: { functionKey: 'customersApi.getCustomerVerificationById', stepId: 'reportFailure' },
    });
  });

  it('to the reviewed golden ASL', () => {
    expect(result.workflows[0].definition).toEqual(golden('customer-verification-poll'));
  });

  it('honours defaultLoop.maxAttempts in the Choice rule and the limit state', async () => {
    const bounded = await compileFile(SEED_000, { defaultLoop: { maxAttempts: 5 } });
    const { States } = bounded.workflows[0].definition;
    const rule = (States['pollVerification.route'].Choices as { And?: { NumericGreaterThanEquals?: number }[] }[]).find((c) => c.And);
    expect(rule!.And![1].NumericGreaterThanEquals).toBe(5);
    expect(States['pollVerification.limit'].Cause).toContain('ran 5 times');
    expect(warnings(bounded, 'ASFN2004')[0].message).toContain('at most 5 runs');
  });
});

describe('seed 001 token-then-payment compiles', () => {
  let result: CompileResult;
  beforeAll(async () => {
    result = await compileFile(SEED_001);
  });

  it('with no errors, one workflow, and ASL that asl-validator accepts', () => {
    expect(hasErrors(result.diagnostics)).toBe(false);
    expect(result.workflows).toHaveLength(1);
    expect(validateAsl(result.workflows[0].definition)).toEqual([]);
  });

  it('with credential warnings for clientId and clientSecret, and no loop or JSONPath warnings', () => {
    // Unsigned, the payment creation lacks the Signature, Digest and Date its description requires (ASFN2039, ASFN2010).
    expect(codeCounts(result)).toEqual({ ASFN2002: 2, ASFN2005: 2, ASFN2039: 2, ASFN2010: 1 });
    expect(warnings(result, 'ASFN2039').map((d) => [d.line, /"(\w+)"/.exec(d.message.split('signature header ')[1])![1]])).toEqual([
      [70, 'Signature'],
      [70, 'Digest'],
    ]);
    expect(warnings(result, 'ASFN2005').map((d) => [d.line, d.pointer])).toEqual([
      [37, '/workflows/0/inputs/properties/clientId'],
      [40, '/workflows/0/inputs/properties/clientSecret'],
    ]);
  });

  it('signed by configuration (as npm start runs it), without the signature-header warnings: the declaration supplies them', async () => {
    const signed = await compileFile(SEED_001, { signing: DEMO_SIGNING });
    expect(codeCounts(signed)).toEqual({ ASFN2002: 2, ASFN2005: 2 });
  });

  it('with a plan that seals the minted token and treats mintToken (a token request) and createPayment (x-request-id) as retry-safe', () => {
    const { plan } = result.workflows[0];
    expect(plan.credentialInputs).toEqual(['clientId', 'clientSecret']);
    const mint = (plan.steps as StepPlan[]).find((s) => s.stepId === 'mintToken')!;
    expect(mint.sealedOutputs).toEqual(['accessToken']);
    expect(mint.requestBody?.contentType).toBe('application/x-www-form-urlencoded');
    expect(mint.credentialInputs).toEqual(['clientId', 'clientSecret']);
    expect((plan.steps as StepPlan[]).map((s) => [s.stepId, s.operation.method, s.transport.retrySafe, s.credentialInputs])).toEqual([
      ['mintToken', 'POST', true, ['clientId', 'clientSecret']],
      ['createPayment', 'POST', true, []],
      ['getPayment', 'GET', true, []],
    ]);
  });

  it('to a straight line of Tasks ending at getPayment (a throttled call leaves it only through a Catch)', () => {
    const { definition } = result.workflows[0];
    expect(Object.entries(definition.States).map(([name, s]) => [name, s.Type, s.Next ?? (s.End ? '(end)' : undefined)])).toEqual([
      ['Validate inputs', 'Task', 'mintToken'],
      ['Validate inputs.failed', 'Fail', undefined],
      ['mintToken', 'Task', 'createPayment'],
      ['mintToken.throttled.cause', 'Pass', 'mintToken.throttled.delay'],
      ['mintToken.throttled.delay', 'Pass', 'mintToken.throttled'],
      ['mintToken.throttled', 'Wait', 'mintToken'],
      ['mintToken.failed', 'Fail', undefined],
      ['createPayment', 'Task', 'getPayment'],
      ['createPayment.throttled.cause', 'Pass', 'createPayment.throttled.delay'],
      ['createPayment.throttled.delay', 'Pass', 'createPayment.throttled'],
      ['createPayment.throttled', 'Wait', 'createPayment'],
      ['createPayment.failed', 'Fail', undefined],
      ['getPayment', 'Task', '(end)'],
      ['getPayment.throttled.cause', 'Pass', 'getPayment.throttled.delay'],
      ['getPayment.throttled.delay', 'Pass', 'getPayment.throttled'],
      ['getPayment.throttled', 'Wait', 'getPayment'],
      ['getPayment.failed', 'Fail', undefined],
    ]);
  });

  it('to the reviewed golden ASL', () => {
    expect(result.workflows[0].definition).toEqual(golden('token-then-payment'));
  });
});
