import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DiagnosticCodes } from '../../../compiler/diagnostics/codes.js';

// Several people add diagnostics at once; two of them once took the same number.
describe('diagnostic codes', () => {
  const entries = Object.entries(DiagnosticCodes);

  it('gives every diagnostic its own code', () => {
    const byCode = new Map<string, string[]>();
    for (const [key, { code }] of entries) byCode.set(code, [...(byCode.get(code) ?? []), key]);
    expect([...byCode].filter(([, keys]) => keys.length > 1)).toEqual([]);
  });

  it('lists every code in docs/diagnostics.md with its rule', () => {
    const doc = readFileSync(join(import.meta.dirname, '../../../docs/diagnostics.md'), 'utf8');
    const missing = entries.filter(([, { code, rule }]) => !new RegExp(`\\| ${code} \\|[^\\n]*\`${rule}\``).test(doc));
    expect(missing.map(([key]) => key)).toEqual([]);
  });
});
