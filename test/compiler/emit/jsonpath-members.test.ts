import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileFile } from '../../../compiler/index.js';
import { MAX_STATE_NAME } from '../../../compiler/emit/index.js';

const ROOT = join(import.meta.dirname, '../../..');

/** Every Arazzo document in the repository: seeds, golden, nested, oai-examples, lenient, x-security, invalid ones (those that still emit). */
function documents(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : documents(path);
    return /\.arazzo\.(ya?ml|json)$/.test(name) ? [path] : [];
  });
}

/** The JSONPaths of a state: `*.$` fields (intrinsics included, each `$` path inside), Variable, the *Path fields. */
function pathsOf(value: unknown, key = '', out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => pathsOf(v, key, out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) pathsOf(v, k, out);
  else if (typeof value === 'string' && (key.endsWith('.$') || key === 'Variable' || /Path$/.test(key))) {
    out.push(...(value.match(/\$\$?(?:\.[^.,)[\s]+|\['(?:[^'\\]|\\.)*'\])*/g) ?? []));
  }
  return out;
}

/** A path whose every member is a plain identifier in dot notation or a quoted name in brackets. */
const WELL_FORMED = /^\$\$?(?:\.[A-Za-z_][A-Za-z0-9_]*|\['(?:[^'\\]|\\.)*'\])*$/;

describe('emitted JSONPaths and state names over every fixture (issue 16.4, 16.8)', () => {
  const files = [...documents(join(ROOT, 'workflows')), ...documents(join(ROOT, 'test/fixtures'))];

  it('finds the fixtures, among them ids with a hyphen', () => {
    expect(files.length).toBeGreaterThan(50);
  });

  it('writes each path member as a plain identifier or in brackets, and each state name within 80 characters', async () => {
    let checked = 0;
    let bracketed = 0;
    for (const file of files) {
      const result = await compileFile(file).catch(() => undefined);
      for (const w of result?.workflows ?? []) {
        for (const [name, state] of Object.entries(w.definition.States)) {
          expect(name.length, `${file}: ${name}`).toBeLessThanOrEqual(MAX_STATE_NAME);
          for (const path of pathsOf(state)) {
            expect(path, `${file}: state ${name}`).toMatch(WELL_FORMED);
            checked += 1;
            if (path.includes("['")) bracketed += 1;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(1000);
    // Hyphenated ids (`register-customer`, `get-step`) are among them.
    expect(bracketed).toBeGreaterThan(0);
  }, 120_000);
});
