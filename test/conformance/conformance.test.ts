import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFORMANCE_DIR, formatTable, readManifest, ROOT, runConformance } from './harness.js';

// The same harness as `npm run conformance`, so CI (`npm test`) runs it.
describe('public conformance corpus (issue 13 §6)', () => {
  it('every document has its pinned outcome', async () => {
    const rows = await runConformance();
    const table = formatTable(rows);
    // Cached origins not fetched here (npm run conformance:fetch) are skipped: say so, not silently.
    const skipped = [...new Set(rows.flatMap((r) => (r.skipped ? [`${r.document.origin}: ${r.skipped}`] : [])))];
    if (skipped.length) console.warn(`conformance: skipped ${skipped.join('; ')}`);
    expect(
      rows.filter((r) => !r.pass).map((r) => r.document.file),
      table,
    ).toEqual([]);
    expect(rows.length).toBeGreaterThanOrEqual(60);
    // Runnable cases: executed on the embedded engine against the loopback Cafe stand-in, outputs compared.
    expect(rows.flatMap((r) => r.runs).length).toBeGreaterThanOrEqual(10);
    expect(rows.flatMap((r) => r.runs).filter((r) => r.status === 'SUCCEEDED').length).toBeGreaterThanOrEqual(10);
  }, 120_000);

  it('records origin, commit and licence of each document, keeps each licence text, and names the MUST of each refusal', async () => {
    const manifest = await readManifest();
    for (const [name, origin] of Object.entries(manifest.origins)) {
      expect(origin.commit, name).toMatch(/^[0-9a-f]{40}$/);
      expect(['MIT', 'Apache-2.0', 'CC-BY-4.0'], name).toContain(origin.license);
      // A cached origin is not redistributed: its licence comes with its files (cached, fetched with them).
      if (origin.cached) {
        expect(origin.folder, name).toMatch(/^test\/conformance\/cache\//);
        for (const file of origin.licenseFiles) expect(Object.keys(origin.cached), file).toContain(relative(join(ROOT, origin.folder), join(ROOT, file)));
        for (const digest of Object.values(origin.cached)) expect(digest, name).toMatch(/^[0-9a-f]{64}$/);
      } else for (const file of origin.licenseFiles) expect(existsSync(join(ROOT, file)), file).toBe(true);
    }
    for (const document of manifest.documents) {
      expect(Object.keys(manifest.origins), document.file).toContain(document.origin);
      const origin = manifest.origins[document.origin];
      if (origin.cached) expect(Object.keys(origin.cached), document.file).toContain(document.path);
      else expect(existsSync(join(ROOT, document.file)), document.file).toBe(true);
      // A repaired entry says why for each edit, and the document is pinned as published too.
      for (const repair of document.repairs ?? []) expect(repair.why, document.file).toMatch(/\S/);
      if (document.repairs)
        expect(
          manifest.documents.filter((d) => d.file === document.file && !d.repairs),
          document.file,
        ).toHaveLength(1);
      // A reconstruction says so where it is read: in the manifest and in the file's first line.
      if (document.reconstructed) expect(readFileSync(join(ROOT, document.file), 'utf8'), document.file).toMatch(/^# RECONSTRUCTION, not the published file\./);
      if (document.expected.outcome !== 'compiles')
        expect(document.expected.must ?? document.expected.unreadable ?? document.expected.policy, document.file).toMatch(/\S/);
    }
    // A stand-in from a cached origin is in the cache only after conformance:fetch.
    for (const standIn of Object.values(manifest.standIns))
      if (!standIn.file.startsWith('test/conformance/cache/')) expect(existsSync(join(ROOT, standIn.file)), standIn.file).toBe(true);
  });

  it('lists every Arazzo document of the corpus folders in the manifest', async () => {
    const manifest = await readManifest();
    const listed = new Set(manifest.documents.map((d) => d.file));
    const corpus = join(CONFORMANCE_DIR, 'corpus');
    const arazzo = readdirSync(corpus, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && /\.(ya?ml|json)$/.test(e.name))
      .map((e) => join(e.parentPath, e.name))
      .filter((f) => /^\s*"?arazzo"?\s*:/m.test(readFileSync(f, 'utf8')))
      .map((f) => f.slice(ROOT.length + 1));
    expect(arazzo.filter((f) => !listed.has(f))).toEqual([]);
  });
});
