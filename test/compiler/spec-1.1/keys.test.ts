/**
 * Arazzo § Components Object: "All the fixed fields declared above are objects that MUST use keys
 * that match the regular expression: ^[a-zA-Z0-9\.\-_]+$" (1.0.1 and 1.1.0 alike), as outputs' names.
 */
import { describe, expect, it } from 'vitest';
import { compileDoc, getPet, head, workflow } from './support.js';

describe('keys of components and outputs (docs/spec-conformance-1.1.md)', () => {
  it('a components key outside ^[a-zA-Z0-9.-_]+$ is an error, in 1.0.x and 1.1 documents', async () => {
    for (const version of ['1.0.1', '1.1.0']) {
      const { errors } = await compileDoc(`${head(version)}${workflow(getPet())}components:\n  parameters:\n    "a b": { name: x, in: query, value: 1 }\n`);
      expect(errors).toEqual([expect.stringMatching(/^13:\d+: error ASFN1002 a components key must match .* \(key "a b"\) \[arazzo-schema\]$/)]);
    }
  });

  it('a components key that matches is accepted', async () => {
    const { errors } = await compileDoc(`${head()}${workflow(getPet())}components:\n  parameters:\n    a.b-c_1: { name: x, in: query, value: 1 }\n`);
    expect(errors).toEqual([]);
  });

  it('an output name outside the pattern is an error that says which pattern', async () => {
    const { errors } = await compileDoc(`${head()}${workflow(getPet('a', '        outputs:\n          "a b": $statusCode\n'))}`);
    expect(errors).toEqual([expect.stringMatching(/^\d+:\d+: error ASFN1002 an output name must match /)]);
  });
});
