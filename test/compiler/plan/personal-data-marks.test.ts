import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileFile } from '../../../compiler/index.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/personal');

describe('x-arazzo-sfn-personal where no input path reaches it (issue 19 §4)', () => {
  it('refuses a mark under items or allOf, and a false one inside a value sealed whole, at its line', async () => {
    const result = await compileFile(join(FIXTURES, 'unread-marks.arazzo.yml'));
    const found = result.diagnostics.filter((d) => d.code === 'ASFN1110').map((d) => ({ line: d.line, col: d.col, severity: d.severity }));
    expect(found).toEqual([
      { line: 16, col: expect.any(Number), severity: 'error' },
      { line: 21, col: expect.any(Number), severity: 'error' },
      { line: 26, col: expect.any(Number), severity: 'error' },
    ]);
    const messages = result.diagnostics.filter((d) => d.code === 'ASFN1110').map((d) => d.message);
    expect(messages[0]).toMatch(/would reach the execution history unsealed: mark the property that holds it/);
    expect(messages[2]).toMatch(/false cannot leave a member out of "address", which is sealed whole/);
  });

  it('keeps reading marks through properties, nested objects included', async () => {
    const result = await compileFile(join(FIXTURES, 'onboarding.arazzo.yml'));
    expect(result.diagnostics.filter((d) => d.code === 'ASFN1110')).toEqual([]);
    expect(result.workflows[0].plan.personalInputs).toEqual(['email', 'holder.name', 'holder.iban']);
  });
});
