import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_PERSONAL_DATA } from '../../cli/demo-sandboxes.js';
import { getAtCredentialPath } from '../../core/credential-names.js';
import { secretForms } from '../../functions/runtime/secrets/index.js';
import { runCli } from '../cli/run-cli.js';

/**
 * Issue 19 §4: every seed runs (CLI `run --sandbox`, as JSON and as text with its history, and
 * `demo --verbose`, which is `npm start`), and nothing a person reads afterwards (history, outputs,
 * --json, the step log lines, stderr) carries an example input's personal value, in any form the
 * runtime produces: plain, JSON-escaped (once and twice), percent- and form-encoded, XML-escaped,
 * base64 at any alignment (secretForms, the same list the handler seals outputs by).
 */

const ROOT = join(import.meta.dirname, '../..');
const seeds = readdirSync(join(ROOT, 'workflows/arazzo'))
  .filter((f) => f.endsWith('.arazzo.yml'))
  .map((f) => f.replace(/\.arazzo\.yml$/, ''))
  .sort();

const exampleInputs = (id: string) => JSON.parse(readFileSync(join(ROOT, 'workflows/examples', `${id}.inputs.json`), 'utf8')) as Record<string, unknown>;

function leaves(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value === 'number') return [String(value)];
  if (value === null || typeof value !== 'object') return [];
  return Object.values(value).flatMap(leaves);
}

/**
 * The example's personal values. Texts shorter than 4 characters (a state code "CA", a country
 * "US") are left out: they name no one and occur in unrelated text; the handler's own matching
 * makes the same cut.
 */
function personalValues(id: string): string[] {
  const inputs = exampleInputs(id);
  return [...new Set((DEMO_PERSONAL_DATA[id] ?? []).flatMap((path) => leaves(getAtCredentialPath(inputs, path))))].filter((v) => v.length >= 4);
}

/** The personal values found in `text`, in any form; a digits-only form counts only as a whole number (not inside a timestamp). */
function findPersonal(text: string, values: readonly string[]): string[] {
  return values.filter((value) =>
    secretForms(value).some((form) => (/^\d+$/.test(form) ? new RegExp(`(?<!\\d)${form}(?!\\d)`).test(text) : text.includes(form))),
  );
}

const wait = ['--wait-ms', '20', '--retry-ms', '20'];

describe('personal data never reaches what people read (every seed, every way it is run)', () => {
  it('the seeds declare personal data, and the scanner finds each value in the forms the runtime produces', () => {
    const withPersonal = seeds.filter((id) => personalValues(id).length > 0);
    expect(withPersonal).toEqual(['connectfi-kyc-async', 'connectfi-kyc-callback', 'customer-verification-poll', 'mbanq-verify-customer']);
    for (const id of withPersonal) {
      const values = personalValues(id);
      const input = exampleInputs(id);
      expect(findPersonal(JSON.stringify(input), values)).toEqual(values);
      expect(findPersonal(JSON.stringify(JSON.stringify(input)), values)).toEqual(values);
      expect(findPersonal(new URLSearchParams(values.map((v, i): [string, string] => [`k${i}`, v])).toString(), values)).toEqual(values);
      expect(findPersonal(`Basic ${Buffer.from(`x:${values.join('|')}`).toString('base64')}`, values).length).toBeGreaterThan(0);
    }
    // A number inside a longer one (a timestamp) is not a postal code.
    expect(findPersonal('"timestamp":1765094105123', ['94105'])).toEqual([]);
    expect(findPersonal('"postalCode":"94105"', ['94105'])).toEqual(['94105']);
  });

  // An example whose inputs name the demo's local receiver ("{localReceiver}", seed 003 as Arazzo 1.1) runs in
  // demo only: run --sandbox does not fill that placeholder in, so its input check fails before any call. The demo
  // case below covers it.
  for (const id of seeds.filter((s) => !JSON.stringify(exampleInputs(s)).includes('{localReceiver}'))) {
    it(`${id}: run --sandbox --json (history, outputs, steps) carries the personal inputs sealed only`, async () => {
      const { code, stdout, stderr } = await runCli(['run', `workflows/arazzo/${id}.arazzo.yml`, '--sandbox', '--json', '--inputs', `workflows/examples/${id}.inputs.json`, ...wait]);
      expect(code).toBe(0);
      const values = personalValues(id);
      expect(findPersonal(stdout + stderr, values)).toEqual([]);
      const result = JSON.parse(stdout) as { input: string; history: { type: string; executionStartedEventDetails?: { input: string } }[] };
      const started = JSON.parse(result.history.find((e) => e.type === 'ExecutionStarted')!.executionStartedEventDetails!.input) as Record<string, unknown>;
      for (const path of DEMO_PERSONAL_DATA[id] ?? []) expect(getAtCredentialPath(started, path)).toMatch(/^sealed:v1:/);
    }, 60_000);

    it(`${id}: run --sandbox --verbose (step log lines and the printed history) shows no personal value`, async () => {
      const { code, stdout, stderr } = await runCli(['run', `workflows/arazzo/${id}.arazzo.yml`, '--sandbox', '--verbose', '--inputs', `workflows/examples/${id}.inputs.json`, ...wait]);
      expect(code).toBe(0);
      expect(findPersonal(stdout + stderr, personalValues(id))).toEqual([]);
    }, 60_000);
  }

  it('npm start (demo --verbose) prints every seed input, call and history with its personal values sealed', async () => {
    const { code, stdout, stderr } = await runCli(['demo', '--verbose', '--wait-ms', '20']);
    expect(code).toBe(0);
    expect(stdout).toContain(`${seeds.length} of ${seeds.length} executions succeeded`);
    expect(findPersonal(stdout + stderr, seeds.flatMap(personalValues))).toEqual([]);
    expect(stdout).toMatch(/"emailAddress":"sealed:v1:/);
  }, 120_000);
});
