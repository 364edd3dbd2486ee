/**
 * Small Arazzo documents for the statements of Arazzo 1.1.0 that docs/spec-conformance-1.1.md
 * lists: each compiled beside PETS_OPENAPI (written as ./openapi.yml), its diagnostics formatted
 * as the CLI prints them (`line:col: severity CODE message [rule]`, the file name left out).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileFile, formatDiagnostic } from '../../../compiler/index.js';
import { PETS_OPENAPI } from '../../constructs/support/index.js';

/** The head of a document whose only source is PETS_OPENAPI. */
export const head = (version = '1.1.0') => `arazzo: ${version}
info: { title: t, version: '1' }
sourceDescriptions:
  - { name: pets, url: ./openapi.yml, type: openapi }
`;

/** One workflow `w` with the given steps (YAML at the indentation of a step's fields, 6 spaces for `- stepId`). */
export const workflow = (steps: string, fields = '') => `workflows:
  - workflowId: w
${fields}    steps:
${steps}`;

/** A step `id` that reads one pet, with extra step fields (8 spaces). */
export const getPet = (id = 'a', fields = '') => `      - stepId: ${id}
        operationId: getPet
        parameters: [{ name: id, in: path, value: p }]
${fields}`;

export interface Compiled {
  readonly errors: string[];
  readonly warnings: string[];
}

/** Compiles `doc` (with extra files beside it) and returns its diagnostics as printed. */
export async function compileDoc(doc: string, files: Readonly<Record<string, string>> = {}): Promise<Compiled> {
  const dir = await mkdtemp(join(tmpdir(), 'spec-1.1-'));
  try {
    await writeFile(join(dir, 'openapi.yml'), PETS_OPENAPI);
    for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
    const file = join(dir, 'doc.arazzo.yml');
    await writeFile(file, doc);
    const { diagnostics } = await compileFile(file);
    const lines = diagnostics.map((d) => formatDiagnostic(d).replace(`${file}:`, ''));
    return { errors: lines.filter((l) => /^(?:[^ ]*:)?\d+:\d+: error /.test(l)), warnings: lines.filter((l) => /^(?:[^ ]*:)?\d+:\d+: warning /.test(l)) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
