import { chmod, cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compileFileCached } from '../../cli/compile-cache.js';
import { compileFile } from '../../compiler/index.js';
import { runCli } from './run-cli.js';

const SEEDS = [
  'workflows/arazzo/customer-verification-poll.arazzo.yml',
  'workflows/arazzo/token-then-payment.arazzo.yml',
  'workflows/arazzo/connectfi-kyc-callback.arazzo.yml',
  'workflows/arazzo/mbanq-verify-customer.arazzo.yml',
  // arazzo-typed sources: external workflows travel through the cache too
  'test/fixtures/oai-examples/pet-coupons.fixed.arazzo.yaml',
];

let cacheDir: string;
let work: string;
beforeEach(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), 'arazzo-sfn-cache-'));
  work = await mkdtemp(join(tmpdir(), 'arazzo-sfn-cache-work-'));
});
afterEach(async () => {
  await rm(cacheDir, { recursive: true, force: true });
  await rm(work, { recursive: true, force: true });
});

/** Seed 000 in a temp tree whose Customers API keeps its schemas in a second file, reached by `$ref`. */
async function treeWithExternalRef(): Promise<{ arazzo: string; openapi: string; schemas: string }> {
  await cp('workflows/arazzo/customer-verification-poll.arazzo.yml', join(work, 'arazzo', 'seed.arazzo.yml'));
  await mkdir(join(work, 'openapi'));
  const openapi = join(work, 'openapi', 'fintecture-customers-api-openapi.yml');
  const text = await readFile('workflows/openapi/fintecture-customers-api-openapi.yml', 'utf8');
  const schemas = join(work, 'openapi', 'extra-schemas.yml');
  await writeFile(schemas, 'Note:\n  type: string\n  description: first\n');
  // A schema the document does not otherwise need, reached only through the external file. It sits
  // under components/schemas: a $ref inside an x- extension is never followed, so it would not be read.
  await writeFile(openapi, text.replace(/\n {2}schemas:\n/, '\n  schemas:\n    Note:\n      $ref: "./extra-schemas.yml#/Note"\n'));
  return { arazzo: join(work, 'arazzo', 'seed.arazzo.yml'), openapi, schemas };
}

describe('compile cache', () => {
  it.each(SEEDS)('%s: a hit returns exactly what compiling returns', async (file) => {
    const fresh = await compileFile(file, { validateAsl: false });
    const first = await compileFileCached(file, { validateAsl: false }, { dir: cacheDir, mtimeMarginMs: 0 });
    const second = await compileFileCached(file, { validateAsl: false }, { dir: cacheDir, mtimeMarginMs: 0 });
    expect([first.hit, second.hit]).toEqual([false, true]);
    expect(second.result).toEqual(JSON.parse(JSON.stringify(fresh)));
    // What the runner reads must survive the round trip with its types: the definitions and plans are plain JSON.
    expect(JSON.parse(JSON.stringify(fresh.workflows))).toEqual(fresh.workflows);
  });

  it('lists every file the compile read, the files reached by $ref included', async () => {
    const { arazzo, openapi, schemas } = await treeWithExternalRef();
    const result = await compileFile(arazzo);
    expect([...result.inputs].sort()).toEqual([resolve(arazzo), resolve(openapi), resolve(schemas)].sort());
  });

  it('a change to the document, its OpenAPI description or a $ref-reached file is a miss', async () => {
    const { arazzo, openapi, schemas } = await treeWithExternalRef();
    const compile = () => compileFileCached(arazzo, {}, { dir: cacheDir, mtimeMarginMs: 0 });
    expect((await compile()).hit).toBe(false);
    expect((await compile()).hit).toBe(true);

    await writeFile(schemas, 'Note:\n  type: string\n  description: second\n');
    expect((await compile()).hit).toBe(false);
    expect((await compile()).hit).toBe(true);

    await writeFile(openapi, (await readFile(openapi, 'utf8')).replace('/v1/customers:', '/v1/customers:\n    description: edited'));
    expect((await compile()).hit).toBe(false);

    const text = await readFile(arazzo, 'utf8');
    await writeFile(arazzo, text.replace('finalStatus: $steps.pollVerification.outputs.status', 'lastStatus: $steps.pollVerification.outputs.status'));
    const changed = await compile();
    expect(changed.hit).toBe(false);
    expect(Object.keys(changed.result.workflows[0].plan.outputs)).toContain('lastStatus');
  });

  it('a document with errors is never cached, and its diagnostics are the compiler’s', async () => {
    const { arazzo } = await treeWithExternalRef();
    await writeFile(arazzo, (await readFile(arazzo, 'utf8')).replace('stepId: reportFailure\n      criteria', 'stepId: reportFailur\n      criteria'));
    const first = await compileFileCached(arazzo, {}, { dir: cacheDir, mtimeMarginMs: 0 });
    const second = await compileFileCached(arazzo, {}, { dir: cacheDir, mtimeMarginMs: 0 });
    expect([first.hit, second.hit]).toEqual([false, false]);
    expect(second.result.diagnostics).toEqual((await compileFile(arazzo)).diagnostics);
    expect(first.result.diagnostics.some((d) => d.severity === 'error')).toBe(true);
    expect(await readdir(cacheDir)).toEqual([]);
  });

  it('options are part of the key', async () => {
    const file = SEEDS[0];
    await compileFileCached(file, { validateAsl: false }, { dir: cacheDir, mtimeMarginMs: 0 });
    expect((await compileFileCached(file, {}, { dir: cacheDir, mtimeMarginMs: 0 })).hit).toBe(false);
    expect(await readdir(cacheDir)).toHaveLength(2);
  });

  it('a corrupt or foreign entry is recompiled, never trusted', async () => {
    const file = SEEDS[0];
    await compileFileCached(file, {}, { dir: cacheDir, mtimeMarginMs: 0 });
    const [entry] = await readdir(cacheDir);
    await writeFile(join(cacheDir, entry), '{"format":1,"inputs":[],"result":{"workflows":"truncat');
    const again = await compileFileCached(file, {}, { dir: cacheDir, mtimeMarginMs: 0 });
    expect(again.hit).toBe(false);
    expect(again.result.workflows).toHaveLength(1);
    await writeFile(join(cacheDir, entry), JSON.stringify({ format: 999, inputs: [], result: { workflows: [] } }));
    expect((await compileFileCached(file, {}, { dir: cacheDir, mtimeMarginMs: 0 })).hit).toBe(false);
    expect((await compileFileCached(file, {}, { dir: cacheDir, mtimeMarginMs: 0 })).hit).toBe(true);
  });

  it('does not store a compile whose files may have changed while it read them', async () => {
    const { arazzo } = await treeWithExternalRef();
    // Just written: within the margin before the compile started.
    const result = await compileFileCached(arazzo, {}, { dir: cacheDir, mtimeMarginMs: 60_000 });
    expect(result.hit).toBe(false);
    expect(await readdir(cacheDir)).toEqual([]);
  });

  it('trusts no entry another user could have written, nor one that vouches for no file', async () => {
    const file = SEEDS[0];
    await compileFileCached(file, {}, { dir: cacheDir, mtimeMarginMs: 0 });
    const [name] = await readdir(cacheDir);
    const entryPath = join(cacheDir, name);
    const entry = JSON.parse(await readFile(entryPath, 'utf8'));
    expect(((await import('node:fs')).statSync(entryPath).mode & 0o777).toString(8)).toBe('600');

    // A planted plan pointing the provider at another host, in a file others may write: refused.
    entry.result.workflows[0].plan.steps[0].operation.serverUrl = 'https://attacker.example';
    await writeFile(entryPath, JSON.stringify(entry));
    await chmod(entryPath, 0o666);
    const planted = await compileFileCached(file, {}, { dir: cacheDir, mtimeMarginMs: 0 });
    expect(planted.hit).toBe(false);
    expect(JSON.stringify(planted.result)).not.toContain('attacker.example');

    // The same in a directory others may write: neither read nor written.
    await chmod(cacheDir, 0o777);
    await writeFile(entryPath, JSON.stringify(entry), { mode: 0o600 });
    await chmod(entryPath, 0o600);
    expect((await compileFileCached(file, {}, { dir: cacheDir, mtimeMarginMs: 0 })).hit).toBe(false);
    await chmod(cacheDir, 0o700);
    expect((await compileFileCached(file, {}, { dir: cacheDir, mtimeMarginMs: 0 })).hit).toBe(true);

    // An entry listing no input would never be checked against anything.
    await writeFile(entryPath, JSON.stringify({ ...entry, inputs: [] }));
    expect((await compileFileCached(file, {}, { dir: cacheDir, mtimeMarginMs: 0 })).hit).toBe(false);
  });

  it('an unwritable cache directory only costs a compile', async () => {
    const blocked = join(work, 'not-a-dir');
    await writeFile(blocked, 'a file where the cache directory should be');
    const result = await compileFileCached(SEEDS[0], {}, { dir: blocked, mtimeMarginMs: 0 });
    expect(result.hit).toBe(false);
    expect(result.result.workflows).toHaveLength(1);
  });

  it('CLI: run reuses the cache (ARAZZO_SFN_CACHE_DIR) and --no-cache compiles without writing it', async () => {
    const env = { ARAZZO_SFN_CACHE_DIR: cacheDir };
    const args = [
      'run', SEEDS[1], '--sandbox', '--json',
      '--input', 'clientId=sandbox-app-id', '--input', 'clientSecret=sandbox-app-secret',
      '--input', 'amount=12.50', '--input', 'currency=EUR', '--input', 'communication=test',
      '--input', 'requestId=0b5c3f8e-2d6a-4c1b-9e7f-3a2d1c0b9e8f',
    ];
    const uncached = await runCli([...args, '--no-cache'], env);
    expect(uncached.stderr).not.toContain('internal error');
    expect(uncached.code).toBe(0);
    expect(await readdir(cacheDir)).toEqual([]);
    const first = await runCli(args, env);
    const second = await runCli(args, env);
    expect([first.code, second.code]).toEqual([0, 0]);
    expect(await readdir(cacheDir)).toHaveLength(1);
    // Same warnings and the same run either way.
    expect(second.stderr).toBe(first.stderr);
    expect(JSON.parse(second.stdout).status).toBe('SUCCEEDED');
  }, 120_000);
});
