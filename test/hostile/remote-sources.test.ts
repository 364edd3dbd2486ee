import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, expectCleanRefusal, runCliBounded, type Bounds, type BuiltCli } from './support/run-bounded.js';
import { oneGetOpenApi, oneStepArazzo } from '../support/one-step-documents.js';

// Hostile remote sources (issue 13 §3): each row is a source description URL (or what its server
// answers) that the compile-time fetch must refuse, run through the bundled CLI in a child process
// under kill limits, against a real HTTP server on loopback in this process.

const SECRET = 'AKIAHOSTILE7REMOTE';

const openapi = (schema?: string) => oneGetOpenApi({ schema, title: 'hostile' });
const arazzo = (url: string) => oneStepArazzo(url, 'hostile');

const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
  '/ok.yaml': (_req, res) => void res.writeHead(200).end(openapi()),
  '/to-metadata': (_req, res) => void res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/iam/security-credentials/' }).end(),
  '/loop': (_req, res) => void res.writeHead(302, { location: '/loop' }).end(),
  '/endless.yaml': (_req, res) => {
    // A body that never ends, no Content-Length: cut off at the per-file cap while it streams.
    res.writeHead(200, { 'content-type': 'application/yaml' });
    const chunk = `# ${SECRET} ${'x'.repeat(4000)}\n`;
    const pump = () => {
      while (!res.destroyed && res.write(chunk));
      if (!res.destroyed) res.once('drain', pump);
    };
    pump();
  },
  '/claims-huge.yaml': (_req, res) => {
    res.writeHead(200, { 'content-length': String(20 * 1024 * 1024 * 1024) });
    res.write(`# ${SECRET}\n`);
  },
  '/stalls.yaml': (_req, res) => {
    res.writeHead(200);
    res.write('openapi: 3.1.0\n');
  },
  '/reads-local.yaml': (_req, res) => void res.writeHead(200).end(openapi(`{ $ref: "file://${'/etc/passwd'}" }`)),
};

let server: Server;
let base: string;
let dir: string;
let cli: BuiltCli;

beforeAll(async () => {
  server = createServer((req, res) => (routes[req.url ?? ''] ?? ((_q, r) => void r.writeHead(404).end()))(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = await mkdtemp(join(tmpdir(), 'arazzo-sfn-hostile-remote-'));
  cli = await buildCli();
}, 60_000);

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await cli?.remove();
  await rm(dir, { recursive: true, force: true });
});

let count = 0;
async function documentFor(url: string): Promise<string> {
  const folder = join(dir, `doc-${++count}`);
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, 'doc.arazzo.yml'), arazzo(url));
  return join(folder, 'doc.arazzo.yml');
}

const SMALL: Bounds = { timeoutMs: 60_000, maxOldSpaceMb: 256 };

interface Row {
  readonly name: string;
  readonly setup: () => Promise<string[]>;
  readonly error: RegExp;
}

export const REMOTE_ROWS: readonly Row[] = [
  {
    name: 'a source url of the instance metadata service (http://169.254.169.254/...)',
    setup: async () => ['validate', await documentFor('http://169.254.169.254/latest/meta-data/iam/security-credentials/')],
    error: /error ASFN1026 source "api": cannot fetch http:\/\/169\.254\.169\.254\/\S+: http:\/\/169\.254\.169\.254 is a link-local or metadata address; refused \(--allow-private-fetch allows it\) \[remote-address\]/,
  },
  {
    name: 'a source url of the IPv6 metadata endpoint (http://[fd00:ec2::254]/)',
    setup: async () => ['validate', await documentFor('http://[fd00:ec2::254]/latest/meta-data/')],
    error: /error ASFN1026 .*http:\/\/\[fd00:ec2::254\] is a link-local or metadata address; refused/,
  },
  {
    name: 'a redirect to the metadata service',
    setup: async () => ['validate', await documentFor(`${base}/to-metadata`)],
    error: /error ASFN1026 .*http:\/\/169\.254\.169\.254 is a link-local or metadata address; refused/,
  },
  {
    name: 'a redirect loop',
    setup: async () => ['validate', await documentFor(`${base}/loop`)],
    error: /error ASFN1025 .*more than 5 redirects \[remote-fetch\]/,
  },
  {
    name: 'a body that never ends (no Content-Length)',
    setup: async () => ['validate', await documentFor(`${base}/endless.yaml`), '--max-file-size', '1MiB'],
    error: /error ASFN1025 .*endless\.yaml is over the 1 MiB limit per file \(--max-file-size\) \[remote-fetch\]/,
  },
  {
    name: 'a Content-Length of 20 GiB',
    setup: async () => ['validate', await documentFor(`${base}/claims-huge.yaml`)],
    error: /error ASFN1025 .*claims-huge\.yaml is 20480 MiB, over the 10 MiB limit per file/,
  },
  {
    name: 'a body that stalls (with --load-timeout 2)',
    setup: async () => ['validate', await documentFor(`${base}/stalls.yaml`), '--load-timeout', '2'],
    error: /error ASFN1025 .*stalls\.yaml: no complete answer within [12](\.\d)? s \[remote-fetch\]/,
  },
  {
    name: 'a fetched description whose $ref reads a local file (file:///etc/passwd)',
    setup: async () => ['validate', await documentFor(`${base}/reads-local.yaml`)],
    error: /error ASFN1025 .*refers to file:\/\/\/etc\/passwd, which is not http\(s\): a fetched document may refer only to other remote documents/,
  },
  {
    name: 'a URL carrying credentials',
    setup: async () => ['validate', await documentFor(`http://user:${SECRET}@127.0.0.1:1/openapi.yaml`)],
    error: /error ASFN1025 .*http:\/\/127\.0\.0\.1:1 carries credentials in the URL; they are not sent/,
  },
  {
    name: '--offline with no lock file',
    setup: async () => ['validate', await documentFor(`${base}/ok.yaml`), '--offline'],
    error: /error ASFN1027 .*is not fetched when offline, and there is no lock file .*\[source-lock\]/,
  },
  {
    name: 'a vendored copy edited after it was locked',
    setup: async () => {
      const doc = await documentFor(`${base}/ok.yaml`);
      const first = await runCliBounded(cli, ['validate', doc], SMALL);
      expect(first.code, first.stdout + first.stderr).toBe(0);
      const lock = JSON.parse(await readFile(join(dir, `doc-${count}`, 'doc.arazzo.lock.json'), 'utf8'));
      await writeFile(join(dir, `doc-${count}`, lock.sources[`${base}/ok.yaml`].path), openapi(`{ $ref: "/home/user/.aws/credentials" }`));
      return ['validate', doc];
    },
    error: /error ASFN1028 .*the vendored copy of \S+ok\.yaml .* does not match the lock .*--update-lock/,
  },
];

describe('hostile remote sources: refused with one named line, no stack, no contents, within bounds', () => {
  it.each(REMOTE_ROWS)('$name', async (row) => {
    const args = await row.setup();
    const run = await runCliBounded(cli, args, SMALL);
    expectCleanRefusal(run, { error: row.error, secrets: [SECRET] });
  }, 120_000);
});
