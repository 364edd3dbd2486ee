import { execFileSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, expectCleanRefusal, runCliBounded, type Bounds, type BuiltCli } from './support/run-bounded.js';
import { oneGetOpenApi, oneStepArazzo } from '../support/one-step-documents.js';

// Hostile documents (issue 14, "Documents"): each row is an attack of the 2026-12-05 review, run
// through the bundled CLI in a child process under kill limits. Before the fix, the /dev/zero
// $ref grew `validate` to 23 GB, /dev/urandom took 0.6-1.2 GB, a FIFO hung forever, a 27 MB
// document took 105 s and 3.3 GB, and a $ref to a file that is not YAML quoted it.

const SECRET = 'AKIAHOSTILE7SECRET';

const openapi = ({ schema, server }: { schema?: string; server?: string } = {}) => oneGetOpenApi({ schema, server, title: 'hostile' });
const arazzo = (sourceUrl: string) => oneStepArazzo(sourceUrl, 'hostile');

/** What a secrets file looks like, written so that the yaml library's messages would quote it (a tag, a block scalar header, an escape). */
const SECRETS_FILE = `aws_access_key_id = ${SECRET}
token: !${SECRET} value
note: |${SECRET}
  x
quoted: "\\q${SECRET}"
[default
`;

let dir: string;
let cli: BuiltCli;
let socketServer: Server;

/** Writes `<dir>/<name>/docs/arazzo/doc.arazzo.yml` (and the OpenAPI beside it, when given), returns the document's path. */
async function documentSet(name: string, files: { arazzo: string; openapi?: string; extra?: Record<string, string> }): Promise<string> {
  const root = join(dir, name, 'docs');
  await mkdir(join(root, 'arazzo'), { recursive: true });
  await mkdir(join(root, 'openapi'), { recursive: true });
  if (files.openapi !== undefined) await writeFile(join(root, 'openapi', 'api.yml'), files.openapi);
  for (const [file, text] of Object.entries(files.extra ?? {})) await writeFile(join(root, file), text);
  await writeFile(join(root, 'arazzo', 'doc.arazzo.yml'), files.arazzo);
  return join(root, 'arazzo', 'doc.arazzo.yml');
}

/** An OpenAPI description of about `bytes` bytes (one path item per ~350 bytes), streamed to disk. */
async function largeOpenApi(path: string, bytes: number): Promise<void> {
  const out = createWriteStream(path);
  out.write(openapi());
  const item = (i: number) =>
    `  /generated${i}/{id}:\n    get:\n      operationId: generated${i}\n      parameters:\n        - { name: id, in: path, required: true, schema: { type: string } }\n      responses:\n        "200":\n          description: ok\n          content:\n            application/json:\n              schema: { type: object, properties: { id: { type: string }, status: { type: string } } }\n`;
  let written = 0;
  for (let i = 0; written < bytes; i++) {
    const text = item(i);
    written += text.length;
    if (!out.write(text)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

interface Row {
  readonly name: string;
  /** Builds the hostile files; returns the CLI arguments. */
  readonly setup: () => Promise<string[]>;
  /** The one-line named error expected. */
  readonly error: RegExp;
  readonly bounds: Bounds;
}

const SMALL: Bounds = { timeoutMs: 60_000, maxOldSpaceMb: 256 };

export const DOCUMENT_ROWS: readonly Row[] = [
  {
    name: 'a $ref to /dev/zero',
    setup: async () => ['validate', await documentSet('ref-dev-zero', { arazzo: arazzo('../openapi/api.yml'), openapi: openapi({ schema: '{ $ref: "/dev/zero" }' }) })],
    error: /\/dev\/zero:1:1: error ASFN1003 cannot read \/dev\/zero: not a regular file \(a character device\)/,
    bounds: SMALL,
  },
  {
    name: 'a $ref to file:///dev/urandom',
    setup: async () => ['validate', await documentSet('ref-urandom', { arazzo: arazzo('../openapi/api.yml'), openapi: openapi({ schema: '{ $ref: "file:///dev/urandom" }' }) })],
    error: /error ASFN1003 cannot read \/dev\/urandom: not a regular file \(a character device\)/,
    bounds: SMALL,
  },
  {
    name: 'a source url of /dev/zero',
    setup: async () => ['validate', await documentSet('source-dev-zero', { arazzo: arazzo('/dev/zero') })],
    error: /error ASFN1003 cannot read \/dev\/zero: not a regular file \(a character device\)/,
    bounds: SMALL,
  },
  {
    name: 'a source url of file:///dev/urandom',
    setup: async () => ['compile', await documentSet('source-urandom', { arazzo: arazzo('file:///dev/urandom') })],
    error: /error ASFN1003 cannot read \/dev\/urandom: not a regular file \(a character device\)/,
    bounds: SMALL,
  },
  {
    name: 'a source url naming a FIFO (no writer: opening it would block forever)',
    setup: async () => {
      const doc = await documentSet('source-fifo', { arazzo: arazzo('../openapi/api.fifo') });
      execFileSync('mkfifo', [join(dir, 'source-fifo', 'docs', 'openapi', 'api.fifo')]);
      return ['validate', doc];
    },
    error: /error ASFN1003 cannot read .*api\.fifo: not a regular file \(a FIFO\)/,
    bounds: SMALL,
  },
  {
    name: 'a $ref to a FIFO',
    setup: async () => {
      const doc = await documentSet('ref-fifo', { arazzo: arazzo('../openapi/api.yml'), openapi: openapi({ schema: '{ $ref: "./schema.fifo" }' }) });
      execFileSync('mkfifo', [join(dir, 'ref-fifo', 'docs', 'openapi', 'schema.fifo')]);
      return ['validate', doc];
    },
    error: /api\.yml:10:\d+: error ASFN1004 \$ref \.\/schema\.fifo: .*schema\.fifo cannot be loaded \[openapi\]/,
    bounds: SMALL,
  },
  {
    name: 'the Arazzo document itself is a FIFO',
    setup: async () => {
      const fifo = join(dir, 'doc.arazzo.fifo');
      execFileSync('mkfifo', [fifo]);
      return ['compile', fifo];
    },
    error: /error ASFN1003 cannot read .*doc\.arazzo\.fifo: not a regular file \(a FIFO\)/,
    bounds: SMALL,
  },
  {
    name: 'a source url naming a Unix socket',
    setup: async () => ['validate', await documentSet('source-socket', { arazzo: arazzo(join(dir, 'api.sock')) })],
    error: /error ASFN1003 cannot read .*api\.sock: not a regular file \(a socket\)/,
    bounds: SMALL,
  },
  {
    name: 'a $ref to a directory',
    setup: async () => ['validate', await documentSet('ref-directory', { arazzo: arazzo('../openapi/api.yml'), openapi: openapi({ schema: '{ $ref: "/tmp" }' }) })],
    error: /error ASFN1003 cannot read \/tmp: not a regular file \(a directory\)/,
    bounds: SMALL,
  },
  {
    name: 'a $ref to a secrets file that is not YAML (its contents never quoted)',
    setup: async () =>
      ['validate', await documentSet('ref-secrets', { arazzo: arazzo('../openapi/api.yml'), openapi: openapi({ schema: '{ $ref: "../secrets.ini" }' }), extra: { 'secrets.ini': SECRETS_FILE } })],
    error: /api\.yml:10:\d+: error ASFN1004 \$ref \.\.\/secrets\.ini: .*secrets\.ini cannot be loaded \[openapi\]/,
    bounds: SMALL,
  },
  {
    name: 'a $ref to a file that parses as a plain string (an .env file)',
    setup: async () =>
      ['validate', await documentSet('ref-env', { arazzo: arazzo('../openapi/api.yml'), openapi: openapi({ schema: '{ $ref: "../.env" }' }), extra: { '.env': `API_KEY=${SECRET}\nDB_PASSWORD=${SECRET}\n` } })],
    error: /error ASFN1004 \$ref \.\.\/\.env: .*\.env is not a YAML or JSON object or list \[openapi\]/,
    bounds: SMALL,
  },
  {
    name: 'a 27 MB OpenAPI description (over the 10 MiB default cap)',
    setup: async () => {
      const doc = await documentSet('large-source', { arazzo: arazzo('../openapi/api.yml') });
      await largeOpenApi(join(dir, 'large-source', 'docs', 'openapi', 'api.yml'), 27 * 1000 * 1000);
      return ['validate', doc];
    },
    error: /error ASFN1003 cannot read .*api\.yml: 25\.\d MiB, over the 10 MiB limit per file \(--max-file-size\)/,
    bounds: SMALL,
  },
  {
    name: 'a 27 MB Arazzo document',
    setup: async () => {
      const file = join(dir, 'large.arazzo.yml');
      await largeOpenApi(file, 27 * 1000 * 1000);
      return ['compile', file];
    },
    error: /error ASFN1003 cannot read .*large\.arazzo\.yml: 25\.\d MiB, over the 10 MiB limit per file/,
    bounds: SMALL,
  },
  {
    name: 'a document set over --max-total-size (the seed 001 files, capped at 30 KiB)',
    setup: async () => ['validate', 'workflows/arazzo/token-then-payment.arazzo.yml', '--max-total-size', '30KiB'],
    error: /error ASFN1003 cannot read .*: the files of this document would total .* over the 30 KiB limit \(--max-total-size\)/,
    bounds: SMALL,
  },
  {
    name: 'loading past --load-timeout (a 3 MB description, 10 ms allowed)',
    setup: async () => {
      const doc = await documentSet('slow-load', { arazzo: arazzo('../openapi/api.yml') });
      await largeOpenApi(join(dir, 'slow-load', 'docs', 'openapi', 'api.yml'), 3 * 1000 * 1000);
      return ['validate', doc, '--load-timeout', '0.01'];
    },
    error: /error ASFN100[34] .*loading took longer than 0\.01 s \(the load time limit; --load-timeout\)/,
    bounds: { timeoutMs: 120_000, maxOldSpaceMb: 1024 },
  },
  {
    name: 'a server URL with a variable that has no default',
    setup: async () => ['compile', await documentSet('server-variable', { arazzo: arazzo('../openapi/api.yml'), openapi: openapi({ server: 'https://{tenant}.example.test/{version}' }) })],
    error: /api\.yml:4:\d+: error ASFN1022 servers\[0\]\.url has variables \{tenant\}, \{version\} with no default.*\[server-url\]/,
    bounds: SMALL,
  },
  {
    name: 'YAML aliases that expand without bound (billion laughs)',
    setup: async () => {
      const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
      for (let i = 1; i < 10; i++) lines.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`);
      return ['validate', await documentSet('alias-bomb', { arazzo: `${arazzo('../openapi/api.yml')}x-bomb:\n${lines.map((l) => `  ${l}`).join('\n')}\n`, openapi: openapi() })];
    },
    error: /error ASFN1001 YAML: Excessive alias count indicates a resource exhaustion attack \[yaml-syntax\]/,
    bounds: SMALL,
  },
  {
    name: 'nesting 100,000 levels deep',
    setup: async () => ['validate', await documentSet('deep', { arazzo: `${arazzo('../openapi/api.yml')}x-deep: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`, openapi: openapi() })],
    error: /error ASFN1001 YAML: Maximum call stack size exceeded \[yaml-syntax\]/,
    bounds: SMALL,
  },
];

/** `file:line:col: severity CODE message [rule]`, or validate's summary line. */
const DIAGNOSTIC_LINE = /^\S.*:\d+:\d+: (error|warning) ASFN\d{4} .* \[[a-z0-9-]+\]$/;
const SUMMARY_LINE = /^\S.*: \d+ errors?, \d+ warnings?/;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'arazzo-sfn-hostile-docs-'));
  socketServer = createServer();
  await new Promise<void>((resolve) => socketServer.listen(join(dir, 'api.sock'), resolve));
  cli = await buildCli();
}, 60_000);

/** Measured per row; printed as a table for docs/hostile-inputs.md when HOSTILE_REPORT is set. */
const measured: string[] = [];

afterAll(async () => {
  if (process.env.HOSTILE_REPORT) console.log(measured.join('\n'));
  await new Promise((resolve) => socketServer?.close(resolve));
  await cli?.remove();
  await rm(dir, { recursive: true, force: true });
});

describe('hostile documents: refused with one named line, no stack, no contents, within bounds', () => {
  it.each(DOCUMENT_ROWS)('$name', async (row) => {
    const args = await row.setup();
    const run = await runCliBounded(cli, args, row.bounds);
    measured.push(`| ${row.name} | ${Math.round(run.elapsedMs)} ms | ${run.peakRssMb?.toFixed(0)} MiB |`);
    expectCleanRefusal(run, { error: row.error, secrets: [SECRET] });
    for (const line of `${run.stdout}${run.stderr}`.split('\n').filter(Boolean)) {
      expect(DIAGNOSTIC_LINE.test(line) || SUMMARY_LINE.test(line), `not a one-line diagnostic: ${line.slice(0, 300)}`).toBe(true);
    }
  }, 180_000);
});

describe('documents that load, with what the loader now says about them', () => {
  it('a $ref and an absolute source url outside the document tree are lint warnings (ASFN2016), and the document compiles', async () => {
    const outside = join(dir, 'outside');
    await mkdir(outside, { recursive: true });
    await writeFile(join(outside, 'id.yml'), '{ type: string }\n');
    await writeFile(join(outside, 'other.yml'), openapi().replace('operationId: getItem', 'operationId: getOther'));
    const doc = await documentSet('outside-tree', {
      arazzo: arazzo('../openapi/api.yml').replace('sourceDescriptions:\n', `sourceDescriptions:\n  - { name: other, url: ${JSON.stringify(`file://${join(outside, 'other.yml')}`)}, type: openapi }\n`),
      openapi: openapi({ schema: `{ $ref: ${JSON.stringify(join(outside, 'id.yml'))} }` }),
    });
    const run = await runCliBounded(cli, ['validate', doc], SMALL);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/api\.yml:10:\d+: warning ASFN2016 \$ref \S+id\.yml leads outside the document's tree \(\S+outside-tree\/docs\).*\[document-tree\]/);
    expect(run.stdout).toMatch(/doc\.arazzo\.yml:4:\d+: warning ASFN2016 source "other": file:\/\/\S+other\.yml is outside the document's tree .*\[document-tree\]/);
  }, 60_000);

  it('a map key that is itself a collection is not echoed by a YAML warning on stderr', async () => {
    // The yaml library warned through process.emitWarning, quoting the key: "Keys with collection
    // values will be stringified ... { [AKIA...".
    const doc = await documentSet('collection-key', { arazzo: `${arazzo('../openapi/api.yml')}x-odd:\n  ? [${SECRET}, ${SECRET}]\n  : value\n`, openapi: openapi() });
    const run = await runCliBounded(cli, ['validate', doc], SMALL);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout + run.stderr).not.toContain(SECRET);
    expect(run.stderr).toBe('');
  }, 60_000);

  it('the seeds, whose sources are ../openapi/..., stay inside their tree: no ASFN2016', async () => {
    const run = await runCliBounded(cli, ['validate', 'workflows/arazzo/token-then-payment.arazzo.yml', 'workflows/arazzo/connectfi-kyc-callback.arazzo.yml'], SMALL);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).not.toContain('ASFN2016');
  }, 60_000);

  it('server variables with declared defaults are substituted into the compiled plan', async () => {
    const server = 'https://{tenant}.example.test/{version}\n    variables:\n      tenant: { default: acme }\n      version: { default: v2, enum: [v1, v2] }';
    const doc = await documentSet('server-defaults', { arazzo: arazzo('../openapi/api.yml'), openapi: openapi({ server }) });
    const run = await runCliBounded(cli, ['compile', doc], SMALL);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).w.plan.steps.find((s: { operation?: unknown }) => s.operation).operation.serverUrl).toBe('https://acme.example.test/v2');
  }, 60_000);

  it('a workflow of 2,000 chained steps validates within its bounds (the flow analysis was cubic: 1,000 steps took 154 s)', async () => {
    const steps = Array.from({ length: 2000 }, (_, i) =>
      `      - stepId: s${i}\n        operationId: getItem\n        parameters: [{ name: id, in: path, value: ${i ? `$steps.s${i - 1}.outputs.id` : '"1"'} }]\n        successCriteria: [{ condition: $statusCode == 200 }]\n        outputs: { id: $response.body#/id }\n`,
    ).join('');
    const doc = await documentSet('many-steps', { arazzo: arazzo('../openapi/api.yml').replace(/ {4}steps:\n[\s\S]*$/, `    steps:\n${steps}`), openapi: openapi() });
    const run = await runCliBounded(cli, ['validate', doc], { timeoutMs: 180_000, maxOldSpaceMb: 1024 });
    measured.push(`| a workflow of 2,000 chained steps (validates) | ${Math.round(run.elapsedMs)} ms | ${run.peakRssMb?.toFixed(0)} MiB |`);
    expect(run.killed, `killed after ${Math.round(run.elapsedMs)} ms, peak ${run.peakRssMb} MiB`).toBe(false);
    expect(run.code, run.stdout.slice(0, 2000) + run.stderr.slice(0, 2000)).toBe(0);
    expect(run.stdout).toContain('0 errors');
  }, 240_000);

  it('a 4 MB description (under the cap, 11,000 operations) validates within its bounds', async () => {
    const doc = await documentSet('large-ok', { arazzo: arazzo('../openapi/api.yml') });
    await largeOpenApi(join(dir, 'large-ok', 'docs', 'openapi', 'api.yml'), 4 * 1000 * 1000);
    const run = await runCliBounded(cli, ['validate', doc], { timeoutMs: 240_000, maxOldSpaceMb: 1536 });
    measured.push(`| a 4 MB description under the cap (validates) | ${Math.round(run.elapsedMs)} ms | ${run.peakRssMb?.toFixed(0)} MiB |`);
    expect(run.killed, `killed after ${Math.round(run.elapsedMs)} ms, peak ${run.peakRssMb} MiB`).toBe(false);
    expect(run.code, run.stdout.slice(0, 2000) + run.stderr.slice(0, 2000)).toBe(0);
    expect(run.stdout).toContain('0 errors');
  }, 300_000);
});
