/**
 * Arazzo 1.1.0 statements about lists: "If successCriteria is provided, it MUST contain at least
 * one Criterion Object" (§ Step Object, new in 1.1), and an action's parameters "MUST NOT include
 * duplicate parameters" (§ Success/Failure Action Object).
 */
import { describe, expect, it } from 'vitest';
import { compileDoc, getPet, head, workflow } from './support.js';

const child = `  - workflowId: w2
    inputs: { type: object, properties: { x: { type: number } } }
    steps:
${getPet('b')}`;

describe('lists the spec bounds (docs/spec-conformance-1.1.md)', () => {
  it('an empty successCriteria is an error in a 1.1 document, for an operation step and a workflow step', async () => {
    const { errors } = await compileDoc(`${head()}${workflow(getPet('a', '        successCriteria: []\n') + '      - stepId: c\n        workflowId: w2\n        parameters: [{ name: x, value: 1 }]\n        successCriteria: []\n')}${child}`);
    expect(errors).toEqual([
      expect.stringMatching(/^\d+:\d+: error ASFN1002 step "a": successCriteria, when given, must hold at least one Criterion Object \(Arazzo 1\.1\)/),
      expect.stringMatching(/^\d+:\d+: error ASFN1002 step "c": successCriteria, when given, must hold at least one Criterion Object/),
    ]);
  });

  it('an empty successCriteria is accepted in a 1.0.x document, whose text has no such rule', async () => {
    const { errors } = await compileDoc(`${head('1.0.1')}${workflow(getPet('a', '        successCriteria: []\n'))}`);
    expect(errors).toEqual([]);
  });

  it("an action's parameter given twice is an error", async () => {
    const { errors } = await compileDoc(
      `${head()}${workflow(getPet('a', '        onSuccess:\n          - { name: g, type: goto, workflowId: w2, parameters: [{ name: x, value: 1 }, { name: x, value: 2 }] }\n'))}${child}`,
    );
    expect(errors).toEqual([expect.stringMatching(/^\d+:\d+: error ASFN1007 parameter "x" is given twice in action "g" \[duplicate-id\]$/)]);
  });
});
