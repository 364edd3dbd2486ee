import { describe, expect, it } from 'vitest';
import type { WorkflowPlan } from '../../../core/plan.js';
import { validateInputs } from '../../../functions/runtime/validate-inputs.js';

const plan = (inputsSchema: WorkflowPlan['inputsSchema'], credentialInputs: string[] = []): WorkflowPlan => ({
  planVersion: 1,
  workflowId: 'wf',
  sourceFile: 'wf.arazzo.yml',
  inputsSchema,
  sources: [],
  credentialInputs,
  dependsOn: [],
  steps: [],
  outputs: {},
});

describe('validateInputs', () => {
  it('fills in the defaults the schema gives', () => {
    const schema = { type: 'object', properties: { kind: { type: 'string', default: 'FULL' }, note: { type: 'string' } } };
    expect(validateInputs(plan(schema), {})).toEqual({ inputs: { kind: 'FULL' }, steps: {} });
    expect(validateInputs(plan(schema), { kind: 'PARTIAL' }).inputs).toEqual({ kind: 'PARTIAL' });
  });

  it('lists every problem by path and never echoes a value', () => {
    const schema = { type: 'object', required: ['a'], additionalProperties: false, properties: { a: { type: 'string' }, b: { type: 'integer' } } };
    expect(() => validateInputs(plan(schema), { b: 'not-a-number-secret', c: 1 })).toThrow(
      expect.objectContaining({
        name: 'Arazzo.InvalidInputs',
        message: expect.stringMatching(/^workflow wf: 3 problems with the inputs: /),
      }),
    );
    try {
      validateInputs(plan(schema), { b: 'not-a-number-secret', c: 1 });
    } catch (err) {
      expect((err as Error).message).not.toContain('not-a-number-secret');
      expect((err as Error).message).toContain('missing required input "a"');
      expect((err as Error).message).toContain('unexpected input "c"');
    }
  });

  it('drops the key that links a nested execution to its parent, and accepts a sealed credential from a parent', () => {
    const schema = { type: 'object', additionalProperties: false, properties: { token: { type: 'string' } } };
    const result = validateInputs(plan(schema, ['token']), { token: 'sealed:v1:abc', AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: 'arn:aws:states:us-east-1:1:execution:p:1' });
    expect(result.inputs).toEqual({ token: 'sealed:v1:abc' });
    expect(() => validateInputs(plan(schema, ['token']), { token: 'plain-value' })).toThrow(/must carry a secret reference/);
  });
});
