import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileFile } from '../../compiler/index.js';
import { upgradeArazzo } from '../../compiler/validate/upgrade.js';

const ROOT = join(import.meta.dirname, '../..');
const SEEDS = join(ROOT, 'workflows/arazzo');

describe('upgrade (Arazzo 1.0.x → 1.1.0)', () => {
  it('every 1.0 seed upgrades, and the upgraded document compiles to the same state machines, with no new error', async () => {
    for (const name of (await readdir(SEEDS)).filter((f) => f.endsWith('.arazzo.yml'))) {
      const original = join(SEEDS, name);
      const text = await readFile(original, 'utf8');
      // A seed written for 1.1 (the AsyncAPI connectFi workflow) has nothing to upgrade: upgrade refuses it, as the next test says.
      if (/^arazzo: 1\.1\./m.test(text)) {
        expect(upgradeArazzo(text).refusals).toEqual(['/arazzo: already 1.1.0']);
        continue;
      }
      const upgraded = upgradeArazzo(text);
      expect(upgraded.refusals).toEqual([]);
      expect(upgraded.text).toMatch(/^arazzo: 1\.1\.0$/m);
      // Beside the original, so its relative source URLs resolve the same; removed afterwards.
      const copy = join(SEEDS, `.upgrade-test-${process.pid}-${name}`);
      try {
        await writeFile(copy, upgraded.text!);
        const [before, after] = [await compileFile(original), await compileFile(copy)];
        expect(after.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
        // The Comment names the file compiled; everything else is the same.
        const definitions = (r: typeof before) => r.workflows.map((w) => JSON.stringify({ ...w.definition, Comment: undefined }));
        expect(definitions(after)).toEqual(definitions(before));
      } finally {
        await rm(copy, { force: true });
      }
    }
  });

  it('keeps comments and layout, makes a 1.0 jsonpath criterion explicit, and says what changed', () => {
    const text = `# a comment that stays
arazzo: 1.0.1
info: { title: t, version: '1' }
sourceDescriptions:
- { name: api, url: api.yml, type: openapi }
workflows:
- workflowId: w
  steps:
  - stepId: s
    operationId: op
    successCriteria:
    - condition: $statusCode == 200   # trailing comment
    - context: $response.body
      condition: $[?@.ok == true]
      type: jsonpath
`;
    const result = upgradeArazzo(text);
    expect(result.changes).toEqual([
      '/arazzo: 1.0.1 → 1.1.0',
      '/workflows/0/steps/0/successCriteria/1/type: jsonpath → { type: jsonpath, version: draft-goessner-dispatch-jsonpath-00 } (1.0.x JSONPath; 1.1 defaults to RFC 9535)',
    ]);
    expect(result.text).toBe(
      text
        .replace('arazzo: 1.0.1', 'arazzo: 1.1.0')
        .replace('      type: jsonpath\n', '      type: { type: jsonpath, version: draft-goessner-dispatch-jsonpath-00 }\n'),
    );
  });

  it('keeps the plain jsonpath type of a criterion with a Goessner-style filter, which reads as RFC 9535 in 1.0.x and would read as JavaScript under the Goessner version', () => {
    const text = `arazzo: 1.0.1
info: { title: t, version: '1' }
sourceDescriptions:
- { name: api, url: api.yml, type: openapi }
workflows:
- workflowId: w
  steps:
  - stepId: s
    operationId: op
    successCriteria:
    - context: $response.body
      condition: $.items[?(@.id == '1')]
      type: jsonpath
`;
    const result = upgradeArazzo(text);
    expect(result.changes).toEqual([
      '/arazzo: 1.0.1 → 1.1.0',
      '/workflows/0/steps/0/successCriteria/0/type: jsonpath kept (RFC 9535, as this filter was read in 1.0.x; under draft-goessner-dispatch-jsonpath-00 it would read as JavaScript)',
    ]);
    expect(result.text).toBe(text.replace('arazzo: 1.0.1', 'arazzo: 1.1.0'));
  });

  it('refuses a value that 1.1 would read as a Selector Object, and a document that is not 1.0.x', () => {
    const doc = (version: string) => `arazzo: ${version}
info: { title: t, version: '1' }
sourceDescriptions:
- { name: api, url: api.yml, type: openapi }
workflows:
- workflowId: w
  steps:
  - stepId: s
    operationId: op
    requestBody:
      payload:
        filter: { context: a, selector: b, type: c }
`;
    expect(upgradeArazzo(doc('1.0.1'))).toEqual({
      changes: [],
      refusals: ['/workflows/0/steps/0/requestBody/payload/filter: an object with context, selector and type is a plain value in 1.0.x and a Selector Object in 1.1; write it differently first'],
    });
    expect(upgradeArazzo(doc('1.1.0')).refusals).toEqual(['/arazzo: already 1.1.0']);
  });

  it('the CLI prints the upgraded document and lists the changes on stderr; --write replaces the file', async () => {
    const { runUpgrade } = await import('../../cli/commands/upgrade.js');
    const dir = await mkdtemp(join(tmpdir(), 'arazzo-upgrade-'));
    const file = join(dir, 'doc.arazzo.yml');
    await writeFile(file, 'arazzo: 1.0.0\ninfo: { title: t, version: "1" }\n');
    const chunks = { out: '', err: '' };
    const sink = (key: 'out' | 'err') => ({ write: (s: string) => ((chunks[key] += s), true) }) as unknown as NodeJS.WritableStream;
    expect(await runUpgrade(file, false, sink('out'), sink('err'))).toBe(0);
    expect(chunks.out).toBe('arazzo: 1.1.0\ninfo: { title: t, version: "1" }\n');
    expect(chunks.err).toBe(`${file}#/arazzo: 1.0.0 → 1.1.0\n`);
    expect(await readFile(file, 'utf8')).toMatch(/^arazzo: 1\.0\.0/);
    expect(await runUpgrade(file, true, sink('out'), sink('err'))).toBe(0);
    expect(await readFile(file, 'utf8')).toMatch(/^arazzo: 1\.1\.0/);
    expect(await runUpgrade(file, true, sink('out'), sink('err'))).toBe(2);
  });
});
