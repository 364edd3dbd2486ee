/**
 * Arazzo 1.1.0 § Identity-Based Referencing: "When a Source Description Object's `url` field is an
 * absolute URI, the implementation MUST resolve it to an Arazzo Description by identity (matching
 * the `$self` value) rather than by location alone", and "references MUST use the target
 * document's `$self`", while implementations "MAY support referencing by other identifiers (such
 * as retrieval URIs) … NOT RECOMMENDED" (a warning, ASFN2220). The `$self` hosts are `.invalid`
 * (RFC 6761): a fetch of one fails, so a compile without errors fetched nothing.
 */
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli } from '../../../cli/bundle-cli.js';
import { compileFile, formatDiagnostic, type CompileFileOptions } from '../../../compiler/index.js';
import { loadArazzo } from '../../../compiler/load/index.js';
import { runNode } from '../../cli/run-cli.js';
import { PETS_OPENAPI } from '../../constructs/support/index.js';

const LIB_SELF = 'https://flows.invalid/lib.arazzo.yml';

/**
 * A library workflow, its identity `self` (absent when undefined). Its OpenAPI source is named by
 * an absolute `file:` URL (DIR, filled in by compileSet): against an https `$self` a relative url
 * would be remote.
 */
const lib = (self: string | undefined) => `arazzo: 1.1.0
${self === undefined ? '' : `$self: ${self}\n`}info: { title: lib, version: '1' }
sourceDescriptions:
  - { name: pets, url: 'DIR/openapi.yml', type: openapi }
workflows:
  - workflowId: libFlow
    steps:
      - stepId: read
        operationId: getPet
        parameters: [{ name: id, in: path, value: p }]
`;

/** A document that runs `libFlow` of the source `lib` at `url`. */
const uses = (url: string, self?: string) => `arazzo: 1.1.0
${self === undefined ? '' : `$self: ${self}\n`}info: { title: uses, version: '1' }
sourceDescriptions:
  - { name: lib, url: '${url}', type: arazzo }
workflows:
  - workflowId: usesFlow
    steps:
      - { stepId: call, workflowId: $sourceDescriptions.lib.libFlow }
`;

/** The entry document: its arazzo sources (name → url), and a step that runs `<first>.<flow>`. */
const entry = (sources: Record<string, string>, flow: string) => `arazzo: 1.1.0
info: { title: entry, version: '1' }
sourceDescriptions:
${Object.entries(sources)
  .map(([name, url]) => `  - { name: ${name}, url: '${url}', type: arazzo }`)
  .join('\n')}
workflows:
  - workflowId: w
    steps:
      - { stepId: run, workflowId: $sourceDescriptions.${Object.keys(sources)[0]}.${flow} }
`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'spec-1.1-self-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes `files` into a fresh folder (with PETS_OPENAPI as openapi.yml) and compiles doc.arazzo.yml there. */
async function compileSet(name: string, files: Record<string, string>, options: CompileFileOptions = {}) {
  const at = join(dir, name);
  await mkdir(at, { recursive: true });
  await writeFile(join(at, 'openapi.yml'), PETS_OPENAPI);
  for (const [file, text] of Object.entries(files)) {
    await mkdir(join(at, file, '..'), { recursive: true });
    await writeFile(join(at, file), text.replaceAll('DIR', pathToFileURL(at).href));
  }
  const file = join(at, 'doc.arazzo.yml');
  const { diagnostics } = await compileFile(file, options);
  const lines = diagnostics.map((d) => formatDiagnostic(d).replace(`${at}/`, '').replace(/ \[[a-z-]+\]$/, ''));
  return { at, file, errors: lines.filter((l) => / error /.test(l)), warnings: lines.filter((l) => / warning /.test(l)) };
}

describe('Identity-Based Referencing (docs/spec-conformance-1.1.md)', () => {
  it('an absolute url equal to a loaded document’s $self is that document: read from the folder, never fetched', async () => {
    // `uses` is listed first: its url resolves only because every local document is read before any source is resolved (§ Parsing Documents).
    const files = {
      'doc.arazzo.yml': entry({ uses: './uses.arazzo.yml', lib: './lib.arazzo.yml' }, 'usesFlow'),
      'uses.arazzo.yml': uses(LIB_SELF),
      'lib.arazzo.yml': lib(LIB_SELF),
    };
    for (const remoteSources of ['locked', 'offline'] as const) {
      const { at, file, errors, warnings } = await compileSet(`identity-${remoteSources}`, files, { remoteSources });
      expect(errors).toEqual([]);
      // The entry names lib by its location, not its $self: that reference is the one warned about.
      expect(warnings.filter((w) => w.includes('ASFN2220'))).toEqual([
        `doc.arazzo.yml:5:23: warning ASFN2220 source "lib": ./lib.arazzo.yml was loaded by its location, but that document's $self is ${LIB_SELF}; Arazzo 1.1 references an Arazzo Description by its $self (url: ${LIB_SELF})`,
      ]);
      // Nothing fetched, nothing locked.
      expect((await readdir(at)).sort()).toEqual(['doc.arazzo.yml', 'lib.arazzo.yml', 'openapi.yml', 'uses.arazzo.yml']);
      const { loaded } = await loadArazzo(file, { remoteSources });
      expect(loaded?.arazzos.get('uses')?.arazzos.get('lib')?.source.path).toBe(join(at, 'lib.arazzo.yml'));
    }
  });

  it('a source loaded by location whose $self differs: ASFN2220 warning; a $self equal to the location: none', async () => {
    const other = await compileSet('location-other', { 'doc.arazzo.yml': entry({ lib: './lib.arazzo.yml' }, 'libFlow'), 'lib.arazzo.yml': lib(LIB_SELF) });
    expect(other.errors).toEqual([]);
    expect(other.warnings.filter((w) => w.includes('ASFN2220')).map((w) => w.slice(0, 44))).toEqual(['doc.arazzo.yml:4:23: warning ASFN2220 source']);
    // A relative $self is resolved against the retrieval URI first: here it is the location itself.
    const same = await compileSet('location-same', { 'doc.arazzo.yml': entry({ lib: './lib.arazzo.yml' }, 'libFlow'), 'lib.arazzo.yml': lib('lib.arazzo.yml') });
    expect([...same.errors, ...same.warnings.filter((w) => w.includes('ASFN2220'))]).toEqual([]);
  });

  it('a relative url still resolves against its document’s $self, then by identity', async () => {
    // flows/uses names ../lib.arazzo.yml; against its $self that is LIB_SELF, the local lib's identity, not the file beside it.
    const { errors } = await compileSet('relative', {
      'doc.arazzo.yml': entry({ uses: './flows/uses.arazzo.yml', lib: './lib.arazzo.yml' }, 'usesFlow'),
      'flows/uses.arazzo.yml': uses('../lib.arazzo.yml', 'https://flows.invalid/flows/uses.arazzo.yml'),
      'lib.arazzo.yml': lib(LIB_SELF),
    });
    expect(errors).toEqual([]);
    // With no document holding that identity, the url is remote, as before: offline, not fetched, named.
    const remote = await compileSet(
      'relative-remote',
      { 'doc.arazzo.yml': entry({ uses: './flows/uses.arazzo.yml' }, 'usesFlow'), 'flows/uses.arazzo.yml': uses('../lib.arazzo.yml', 'https://flows.invalid/flows/uses.arazzo.yml') },
      { remoteSources: 'offline' },
    );
    expect(remote.errors.map((e) => e.replace(/ and there is.*/, ''))).toEqual([
      'flows/uses.arazzo.yml:5:23: error ASFN1027 source "lib": https://flows.invalid/lib.arazzo.yml is not fetched when offline,',
    ]);
  });

  it('inside a fetched document, an arazzo source naming a known $self is not fetched (nor locked)', async () => {
    // Test double: a loopback HTTP server standing in for the host of a remote Arazzo document.
    const requests: string[] = [];
    const server = createServer((req, res) => {
      requests.push(req.url ?? '');
      if (req.url === '/flows/uses.arazzo.yml') return void res.writeHead(200, { 'content-type': 'application/yaml' }).end(uses(LIB_SELF));
      res.writeHead(404).end();
    });
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    try {
      const usesUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/flows/uses.arazzo.yml`;
      const files = { 'doc.arazzo.yml': entry({ uses: usesUrl, lib: './lib.arazzo.yml' }, 'usesFlow'), 'lib.arazzo.yml': lib(LIB_SELF) };
      const fetched = await compileSet('fetched', files);
      expect(fetched.errors).toEqual([]);
      expect(requests).toEqual(['/flows/uses.arazzo.yml']);
      const lock = JSON.parse(await readFile(join(fetched.at, 'doc.arazzo.lock.json'), 'utf8')) as { sources: Record<string, { refs?: string[] }> };
      expect(Object.keys(lock.sources)).toEqual([usesUrl]);
      expect(lock.sources[usesUrl].refs).toBeUndefined();
      // cdk synth's mode: from the lock, no request at all.
      const offline = await compileFile(join(fetched.at, 'doc.arazzo.yml'), { remoteSources: 'offline' });
      expect(offline.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      expect(requests).toEqual(['/flows/uses.arazzo.yml']);
    } finally {
      server.closeAllConnections();
      await new Promise((closed) => server.close(closed));
    }
  });

  it('two documents declaring the $self a url names: ASFN1220 error', async () => {
    const { errors } = await compileSet('ambiguous', {
      'doc.arazzo.yml': entry({ uses: './uses.arazzo.yml', lib: './lib.arazzo.yml', copy: './copy.arazzo.yml' }, 'usesFlow'),
      'uses.arazzo.yml': uses(LIB_SELF),
      'lib.arazzo.yml': lib(LIB_SELF),
      'copy.arazzo.yml': lib(LIB_SELF),
    });
    expect(errors.filter((e) => e.includes('ASFN1220'))).toEqual([
      `uses.arazzo.yml:4:23: error ASFN1220 source "lib": ${LIB_SELF} is the $self of 2 documents (${join(dir, 'ambiguous', 'lib.arazzo.yml')}, ${join(dir, 'ambiguous', 'copy.arazzo.yml')}); an Arazzo Description's identity must name one document`,
    ]);
  });
});

describe('validate (bundled CLI)', () => {
  const root = fileURLToPath(new URL('../../..', import.meta.url));
  const outdir = join(root, 'node_modules', '.cache', `arazzo-sfn-self-identity-test-${process.pid}`);
  afterAll(async () => {
    await rm(outdir, { recursive: true, force: true });
  });

  it('resolves an arazzo source by $self offline and prints the location warning at file:line:col', async () => {
    await bundleCli(outdir);
    const { at } = await compileSet('cli', {
      'doc.arazzo.yml': entry({ uses: './uses.arazzo.yml', lib: './lib.arazzo.yml' }, 'usesFlow'),
      'uses.arazzo.yml': uses(LIB_SELF),
      'lib.arazzo.yml': lib(LIB_SELF),
    });
    const { code, stdout, stderr } = await runNode([join(outdir, 'main.js'), 'validate', join(at, 'doc.arazzo.yml'), '--offline', '--no-color']);
    const printed = stdout + stderr;
    expect(code, printed).toBe(0);
    expect(printed).toContain(`${join(at, 'doc.arazzo.yml')}:5:23: warning ASFN2220 source "lib"`);
    expect(printed).not.toMatch(/ error /);
  }, 60_000);
});
