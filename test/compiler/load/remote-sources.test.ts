import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { compileFile, type CompileFileOptions } from '../../../compiler/compile-file.js';
import { loadArazzo } from '../../../compiler/load/load-arazzo.js';
import { isRefusedAddress } from '../../../compiler/load/remote-fetch.js';
import { lockPathOf, vendoredPathOf, type LockFile } from '../../../compiler/load/remote-sources.js';
import { oneGetOpenApi, oneStepArazzo } from '../../support/one-step-documents.js';

// Remote source descriptions (issue 13 §3) against a real HTTP server on loopback: what is
// fetched, where it is vendored, what the lock pins, and every way a fetch is refused.

const openapi = (schema = '{ $ref: "./schemas/id.yaml" }', server = '/api') => oneGetOpenApi({ schema, server, title: 'remote' });
const arazzo = (url: string) => oneStepArazzo(url, 'remote');

/** What the loopback server serves, by path; a function answers by hand (redirects, stalls). */
let routes: Record<string, string | ((req: IncomingMessage, res: ServerResponse) => void)>;
let requests: string[];
let server: Server;
let base: string;
let dir: string;
let count = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const route = routes[req.url ?? ''];
    if (typeof route === 'function') return route(req, res);
    if (route === undefined) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/yaml' }).end(route);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = await mkdtemp(join(tmpdir(), 'arazzo-sfn-remote-'));
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  requests = [];
  routes = {
    '/specs/openapi.yaml': openapi(),
    '/specs/schemas/id.yaml': '{ type: string, pattern: "^[0-9]+$" }\n',
  };
});

/** A fresh folder with the Arazzo document naming `url`; returns the document's path. */
async function documentFor(url: string): Promise<string> {
  const folder = join(dir, `doc-${++count}`);
  await mkdir(folder, { recursive: true });
  const file = join(folder, 'remote.arazzo.yml');
  await writeFile(file, arazzo(url));
  return file;
}

const compile = (file: string, options: CompileFileOptions = {}) => compileFile(file, { validateAsl: false, ...options });
const errors = (r: Awaited<ReturnType<typeof compile>>) => r.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.message}`);
const readLock = async (file: string) => JSON.parse(await readFile(lockPathOf(file), 'utf8')) as LockFile;

describe('remote source descriptions: fetched once, vendored, locked', () => {
  it('fetches the description and its relative $ref, vendors both, locks them, resolves the relative server URL against the fetched URL', async () => {
    const file = await documentFor(`${base}/specs/openapi.yaml`);
    const result = await compile(file);
    expect(errors(result)).toEqual([]);
    expect(requests).toEqual(['/specs/openapi.yaml', '/specs/schemas/id.yaml']);
    const step = result.workflows[0].plan.steps[0] as { operation: { serverUrl: string } };
    expect(step.operation.serverUrl).toBe(`${base}/api`);

    const lock = await readLock(file);
    expect(lockPathOf(file)).toMatch(/remote\.arazzo\.lock\.json$/);
    const host = `127.0.0.1_${new URL(base).port}`;
    const root = lock.sources[`${base}/specs/openapi.yaml`];
    expect(root).toMatchObject({ path: `.arazzo-sources/${host}/specs/openapi.yaml`, size: openapi().length, refs: [`${base}/specs/schemas/id.yaml`] });
    expect(root.sha256).toBe(createHash('sha256').update(openapi()).digest('hex'));
    expect(new Date(root.fetchedAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(await readFile(join(dir, `doc-${count}`, lock.sources[`${base}/specs/schemas/id.yaml`].path), 'utf8')).toBe(routes['/specs/schemas/id.yaml']);
    // The compile's inputs are the lock and the vendored copies (the run cache compares them).
    expect(result.inputs.some((p) => p.endsWith(`${host}/specs/schemas/id.yaml`))).toBe(true);
    expect(result.inputs).toContain(lockPathOf(file));

    // A second compile reads the locked copies: no request at all.
    requests = [];
    expect(errors(await compile(file))).toEqual([]);
    expect(requests).toEqual([]);
  });

  it('an absolute http $ref of a fetched description is fetched, locked and read from its vendored copy too', async () => {
    routes['/specs/openapi.yaml'] = openapi(`{ $ref: "${base}/shared/id.yaml#/components/schemas/Id" }`);
    routes['/shared/id.yaml'] = 'components: { schemas: { Id: { type: string, maxLength: 9 } } }\n';
    const file = await documentFor(`${base}/specs/openapi.yaml`);
    const result = await compile(file);
    expect(errors(result)).toEqual([]);
    expect(requests).toEqual(['/specs/openapi.yaml', '/shared/id.yaml']);
    expect(Object.keys((await readLock(file)).sources).sort()).toEqual([`${base}/shared/id.yaml`, `${base}/specs/openapi.yaml`]);
    requests = [];
    const again = await compile(file, { remoteSources: 'offline' });
    expect(errors(again)).toEqual([]);
    expect(requests).toEqual([]);
    expect(again.inputs.filter((p) => p.includes('.arazzo-sources')).map((p) => p.replace(/^.*\.arazzo-sources\/[^/]+/, ''))).toEqual(['/specs/openapi.yaml', '/shared/id.yaml']);
    const { loaded } = await loadArazzo(file, { remoteSources: 'offline' });
    expect(loaded?.openapis.get('api')?.document.paths['/items/{id}'].get.parameters[0].schema).toEqual({ type: 'string', maxLength: 9 });
  });

  it('an arazzo-typed remote source is fetched with the OpenAPI description it names relatively', async () => {
    routes['/flows/shared.arazzo.yaml'] = arazzo('../specs/openapi.yaml');
    const file = await documentFor(`${base}/flows/shared.arazzo.yaml`);
    await writeFile(
      file,
      arazzo(`${base}/flows/shared.arazzo.yaml`)
        .replace('type: openapi', 'type: arazzo')
        .replace(/ {4}steps:[\s\S]*$/, '    steps:\n      - stepId: s\n        workflowId: $sourceDescriptions.api.w\n'),
    );
    const result = await compile(file);
    expect(errors(result)).toEqual([]);
    expect(requests).toEqual(['/flows/shared.arazzo.yaml', '/specs/openapi.yaml', '/specs/schemas/id.yaml']);
    expect(result.external.map((e) => `${e.source}.${e.workflow.plan.workflowId}`)).toEqual(['api.w']);
  });

  it('--offline compiles from the lock with no request, and without a lock fails with ASFN1027 naming the command', async () => {
    const file = await documentFor(`${base}/specs/openapi.yaml`);
    const unlocked = await compile(file, { remoteSources: 'offline' });
    expect(errors(unlocked)).toEqual([expect.stringMatching(/^ASFN1027 source "api": http:\/\/127\.0\.0\.1:\d+\/specs\/openapi\.yaml is not fetched when offline, and there is no lock file \(.*remote\.arazzo\.lock\.json\); run `arazzo-sfn compile --update-lock .*remote\.arazzo\.yml`/)]);
    expect(requests).toEqual([]);
    expect(existsSync(lockPathOf(file))).toBe(false);

    await compile(file);
    requests = [];
    const locked = await compile(file, { remoteSources: 'offline' });
    expect(errors(locked)).toEqual([]);
    expect(requests).toEqual([]);
  });

  it('follows a redirect (relative $refs then resolve against where it led) and records the URL it came from', async () => {
    routes['/latest'] = (_req, res) => void res.writeHead(302, { location: '/specs/openapi.yaml' }).end();
    const file = await documentFor(`${base}/latest`);
    expect(errors(await compile(file))).toEqual([]);
    expect(requests).toEqual(['/latest', '/specs/openapi.yaml', '/specs/schemas/id.yaml']);
    expect((await readLock(file)).sources[`${base}/latest`]).toMatchObject({ resolvedUrl: `${base}/specs/openapi.yaml` });
  });

  it('more than 5 redirects is ASFN1025', async () => {
    routes['/loop'] = (_req, res) => void res.writeHead(301, { location: '/loop' }).end();
    const file = await documentFor(`${base}/loop`);
    expect(errors(await compile(file))).toEqual([`ASFN1025 source "api": cannot fetch ${base}/loop: ${base}/loop: more than 5 redirects`]);
    expect(requests).toHaveLength(6);
  });

  it('a body over the per-file limit is cut off while it streams (no Content-Length): ASFN1025', async () => {
    routes['/big.yaml'] = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/yaml' });
      const chunk = `# ${'x'.repeat(1022)}\n`;
      let sent = 0;
      const pump = () => {
        while (sent < 4096) {
          sent++;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    };
    const file = await documentFor(`${base}/big.yaml`);
    const result = await compile(file, { maxFileBytes: 64 * 1024 });
    expect(errors(result)).toEqual([`ASFN1025 source "api": cannot fetch ${base}/big.yaml: ${base}/big.yaml is over the 64 KiB limit per file (--max-file-size)`]);
  });

  it('a body that stalls is given up on at the time bound: ASFN1025', async () => {
    routes['/slow.yaml'] = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/yaml' });
      res.write('openapi: 3.1.0\n');
    };
    const file = await documentFor(`${base}/slow.yaml`);
    const started = performance.now();
    const result = await compile(file, { fetchTimeoutMs: 500 });
    expect(performance.now() - started).toBeLessThan(5000);
    expect(errors(result)).toEqual([`ASFN1025 source "api": cannot fetch ${base}/slow.yaml: ${base}/slow.yaml: no complete answer within 0.5 s`]);
    server.closeAllConnections();
  });

  it('a remote that changed since it was locked: an error when its vendored copy is gone, a warning (ASFN2018) with --update-lock', async () => {
    const file = await documentFor(`${base}/specs/openapi.yaml`);
    await compile(file);
    const vendored = join(dir, `doc-${count}`, (await readLock(file)).sources[`${base}/specs/openapi.yaml`].path);
    await rm(vendored);
    routes['/specs/openapi.yaml'] = openapi().replace('title: remote', 'title: changed');

    const missing = await compile(file);
    expect(errors(missing)).toEqual([expect.stringMatching(/^ASFN1028 source "api": http:\S+\/specs\/openapi\.yaml changed since it was locked \(sha256 [0-9a-f]{12}… → [0-9a-f]{12}…\) and its vendored copy is missing; restore .* or run `arazzo-sfn compile --update-lock /)]);

    const updated = await compile(file, { remoteSources: 'update' });
    expect(errors(updated)).toEqual([]);
    expect(updated.diagnostics.filter((d) => d.code === 'ASFN2018').map((d) => d.message)).toEqual([expect.stringMatching(/changed since it was locked .*the lock and the vendored copy now hold the new version/)]);
    expect(await readFile(vendored, 'utf8')).toContain('title: changed');
    expect((await readLock(file)).sources[`${base}/specs/openapi.yaml`].sha256).toBe(createHash('sha256').update(routes['/specs/openapi.yaml'] as string).digest('hex'));
  });

  it('a vendored copy edited by hand does not match the lock: ASFN1028 says what to do, and nothing is fetched', async () => {
    const file = await documentFor(`${base}/specs/openapi.yaml`);
    await compile(file);
    const lock = await readLock(file);
    await writeFile(join(dir, `doc-${count}`, lock.sources[`${base}/specs/schemas/id.yaml`].path), '{ type: integer }\n');
    requests = [];
    const result = await compile(file);
    expect(errors(result)).toEqual([expect.stringMatching(/^ASFN1028 source "api": the vendored copy of http:\S+\/specs\/schemas\/id\.yaml \(\.arazzo-sources\/\S+\/id\.yaml\) does not match the lock .*; restore it from version control, or run `arazzo-sfn compile --update-lock .*` to fetch it again/)]);
    expect(requests).toEqual([]);
  });

  it('a link-local or metadata address is refused before any connection (ASFN1026), a literal or a redirect target', async () => {
    const literal = await documentFor('http://169.254.169.254/latest/meta-data/openapi.yaml');
    const started = performance.now();
    const refused = await compile(literal, { fetchTimeoutMs: 20_000 });
    expect(performance.now() - started).toBeLessThan(2000);
    expect(errors(refused)).toEqual(['ASFN1026 source "api": cannot fetch http://169.254.169.254/latest/meta-data/openapi.yaml: http://169.254.169.254 is a link-local or metadata address; refused (--allow-private-fetch allows it)']);

    routes['/to-metadata'] = (_req, res) => void res.writeHead(302, { location: 'http://[fd00:ec2::254]/latest/' }).end();
    const redirected = await compile(await documentFor(`${base}/to-metadata`));
    expect(errors(redirected)).toEqual([expect.stringMatching(/^ASFN1026 .*http:\/\/\[fd00:ec2::254\] is a link-local or metadata address; refused/)]);
    expect(requests).toEqual(['/to-metadata']);
  });

  it('a fetched description whose $ref names a local file is refused (a remote document reads only remote documents)', async () => {
    routes['/specs/openapi.yaml'] = openapi('{ $ref: "file:///etc/passwd" }');
    const file = await documentFor(`${base}/specs/openapi.yaml`);
    expect(errors(await compile(file))).toEqual([`ASFN1025 source "api": ${base}/specs/openapi.yaml refers to file:///etc/passwd, which is not http(s): a fetched document may refer only to other remote documents`]);
  });

  it('addresses: link-local, unique-local fd00::/8 and mapped forms are refused; loopback and private ranges are not', () => {
    for (const a of ['169.254.169.254', '169.254.0.1', 'fe80::1', 'fd00:ec2::254', '::ffff:169.254.169.254', '0.0.0.0', '::']) expect(isRefusedAddress(a), a).toBe(true);
    for (const a of ['127.0.0.1', '::1', '10.0.0.1', '192.168.1.1', '93.184.216.34', 'fc00::1', 'example.com']) expect(isRefusedAddress(a), a).toBe(false);
  });

  it('vendored paths keep the URL path (so relative $refs lead between copies) and never climb out', () => {
    expect(vendoredPathOf(new URL('https://api.example.com/v1/openapi.yaml'))).toBe('.arazzo-sources/api.example.com/v1/openapi.yaml');
    expect(vendoredPathOf(new URL('http://127.0.0.1:8080/a/../../b.yaml'))).toBe('.arazzo-sources/127.0.0.1_8080/b.yaml');
    expect(vendoredPathOf(new URL('https://x.test/spec/'))).toBe('.arazzo-sources/x.test/spec/index');
    expect(vendoredPathOf(new URL('https://x.test/openapi?format=yaml'))).toMatch(/^\.arazzo-sources\/x\.test\/openapi@[0-9a-f]{12}$/);
    expect(vendoredPathOf(new URL('https://x.test/a/%2e%2e%2fescape'))).toBeUndefined();
  });
});

describe('the document-tree warning (ASFN2016) when a source fails to load', () => {
  it('an absolute source url outside the tree that cannot be loaded still gets ASFN2016, beside the load error', async () => {
    for (const url of [join(dir, 'elsewhere', 'missing.yaml'), `file://${join(dir, 'elsewhere', 'missing.yaml')}`]) {
      const file = await documentFor(url);
      const result = await compile(file);
      expect(result.diagnostics.map((d) => d.code).sort()).toEqual(['ASFN1003', 'ASFN1003', 'ASFN2016']);
      expect(result.diagnostics.find((d) => d.code === 'ASFN2016')?.message).toMatch(/source "api": .*missing\.yaml is outside the document's tree/);
    }
  });
});
