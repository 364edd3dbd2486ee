import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CompileError, compileFile, compileFileOrThrow, formatDiagnostic, type Diagnostic } from '../../compiler/index.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/invalid');
const fixture = (name: string) => join(FIXTURES, `${name}.arazzo.yml`);
/** Diagnostics name files relative to the working directory. */
const shown = (name: string) => relative(process.cwd(), fixture(name));

async function errorsOf(name: string): Promise<Diagnostic[]> {
  const result = await compileFile(fixture(name));
  expect(result.workflows).toEqual([]);
  return result.diagnostics.filter((d) => d.severity === 'error');
}

/** Each fixture is a copy of seed 000 with one thing broken; the comment says what and where. */
describe('invalid Arazzo documents are reported as file:line:col diagnostics', () => {
  it('a goto to an unknown step: ASFN1008 at the stepId value', async () => {
    // line 118: `      stepId: reportFailur`
    const errors = await errorsOf('unknown-goto-step');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'ASFN1008', rule: 'step-target', file: shown('unknown-goto-step'), line: 118, col: 15, pointer: '/workflows/0/steps/2/onSuccess/1/stepId' });
    expect(errors[0].message).toContain('"reportFailur"');
    expect(formatDiagnostic(errors[0])).toBe(
      `${shown('unknown-goto-step')}:118:15: error ASFN1008 goto action "notVerified" targets unknown step "reportFailur" (steps: createCustomer, startVerification, pollVerification, reportFailure) [step-target]`,
    );
  });

  it('a step with no operationId: a schema error (ASFN1002) at the step', async () => {
    // line 69: `  - stepId: startVerification` (operationId removed)
    const errors = await errorsOf('missing-operation-id');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'ASFN1002', line: 69, col: 5, pointer: '/workflows/0/steps/1' });
    expect(errors[0].message).toContain('startVerification');
    expect(errors[0].message).toContain('operationId');
  });

  it('malformed YAML (a key indented one column too far): ASFN1001 on that line', async () => {
    // line 93: `     operationId: getCustomerVerificationById` (5 spaces instead of 4)
    const errors = await errorsOf('malformed-yaml');
    expect(errors.map((e) => e.code)).toEqual(['ASFN1001']);
    expect(errors[0]).toMatchObject({ rule: 'yaml-syntax', file: shown('malformed-yaml'), line: 93 });
    expect(errors[0].col).toBeGreaterThanOrEqual(1);
    expect(errors[0].message).toMatch(/^YAML: /);
  });

  it('malformed YAML (a key given twice): ASFN1001 at the repeated key', async () => {
    // line 94: the second `    operationId: getCustomerVerificationById`
    const errors = await errorsOf('duplicate-key');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'ASFN1001', line: 94, col: 5 });
    expect(errors[0].message).toContain('unique');
  });

  it('an operationId no source declares: ASFN1005 at the operationId value', async () => {
    // line 54: `    operationId: createCustomr`
    const errors = await errorsOf('unknown-operation-id');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'ASFN1005', rule: 'operation-binding', line: 54, col: 18, pointer: '/workflows/0/steps/0/operationId' });
    expect(errors[0].message).toContain('"createCustomr"');
  });

  it('a parameter the operation does not declare: ASFN1011 at its name', async () => {
    // line 59: `    - name: page[size]` (in: query, on createCustomer)
    const errors = await errorsOf('undeclared-parameter');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'ASFN1011', rule: 'parameters', line: 59, col: 13, pointer: '/workflows/0/steps/0/parameters/1/name' });
    expect(errors[0].message).toContain('"page[size]"');
  });

  it('$steps.x of a step that cannot have run yet: ASFN1010 at the expression', async () => {
    // line 78: `      value: $steps.pollVerification.outputs.status` in startVerification, which runs before pollVerification
    const errors = await errorsOf('step-not-run-yet');
    expect(errors).toHaveLength(1);
    expect(errors[0].code).toBe('ASFN1010');
    expect(errors[0].message).toBe('step "startVerification" reads $steps.pollVerification, which cannot have run before it');
    // The position of the expression itself, as ASFN1009/ASFN2002 report expressions (the value, not the parameter object).
    expect(errors[0]).toMatchObject({ line: 78, col: 14, pointer: '/workflows/0/steps/1/parameters/1/value' });
  });

  it('reports every error of a document at once, in document order', async () => {
    const errors = await errorsOf('several-errors');
    expect(errors.map((e) => [e.code, e.line, e.col])).toEqual([
      ['ASFN1005', 54, 18],
      ['ASFN1008', 118, 15],
      ['ASFN1011', 143, 13],
    ]);
    const thrown = await compileFileOrThrow(fixture('several-errors')).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(CompileError);
    expect((thrown as CompileError).message.split('\n')).toEqual(errors.map(formatDiagnostic));
  });

  it('a missing file: ASFN1003', async () => {
    const errors = await errorsOf('does-not-exist');
    expect(errors).toMatchObject([{ code: 'ASFN1003', line: 1, col: 1 }]);
  });
});
