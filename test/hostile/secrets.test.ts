import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLoopbackServer, type LoopbackServer } from '../constructs/support/index.js';
import { buildCli, expectCleanRefusal, runCliBounded, type BoundedRun, type BuiltCli } from './support/run-bounded.js';

/**
 * Secrets attacks of issue 14: credentials with every character an encoder rewrites, passed as
 * inputs at any depth and minted by a provider, must reach the provider and nothing else: not
 * the history, the outputs, `--json`, the step log or an error. Each case runs the bundled CLI
 * in a child process under kill limits, against a loopback provider (a scripted HTTP server
 * standing in for a real one) that echoes what it receives.
 */

// Quotes, backslashes, spaces, &, +, /, % and a non-ASCII letter: JSON-, percent-, form- and XML-encoding all rewrite them.
const MINTED = 'minted "tok" \\ a&b+c/d%e é';
const ACCESS_TOKEN = 'passed "at" \\ x&y+z';
const PASSWORD = 'pw "1" \\2 &3+4';
const CLIENT_SECRET = 'cs "5" \\6 &7';
const SECRETS = [MINTED, ACCESS_TOKEN, PASSWORD, CLIENT_SECRET];

/** Every form of a secret a leak could take, written independently of the runtime's own list. */
function forms(secret: string): string[] {
  const json = (s: string) => JSON.stringify(s).slice(1, -1);
  const encoded = [secret, encodeURIComponent(secret), new URLSearchParams({ v: secret }).toString().slice(2), encodeURI(secret)];
  const all = encoded.flatMap((s) => [s, json(s), json(json(s)), s.replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase())]);
  all.push(Buffer.from(secret).toString('base64'), Buffer.from(`:${secret}`).toString('base64').slice(2, -4));
  return [...new Set(all)];
}

function leaks(text: string): string[] {
  return SECRETS.flatMap((secret) => forms(secret).filter((form) => text.includes(form)).map((form) => `${SECRETS.indexOf(secret)}:${JSON.stringify(form).slice(0, 12)}…`));
}

const OPENAPI = `
openapi: 3.1.0
info: { title: Echo, version: 1.0.0 }
servers: [{ url: https://echo.invalid }]
paths:
  /oauth/token:
    post:
      operationId: mintToken
      requestBody:
        content:
          application/x-www-form-urlencoded: { schema: { type: object } }
      responses: { '200': { description: ok } }
  /pets/{id}:
    get:
      operationId: getPet
      parameters:
        - { name: id, in: path, required: true, schema: { type: string } }
        - { name: key, in: query, schema: { type: string } }
        - { name: Authorization, in: header, schema: { type: string } }
      responses: { '200': { description: ok } }
  /login:
    post:
      operationId: login
      requestBody:
        content:
          application/json: { schema: { type: object } }
      responses: { '200': { description: ok } }
`;

const WORKFLOW = `
arazzo: 1.0.1
info: { title: secrets, version: 1.0.0 }
sourceDescriptions:
  - { name: echo, url: ./openapi.yml, type: openapi }
workflows:
  - workflowId: secrets
    inputs:
      type: object
      properties:
        auth:
          type: object
          properties:
            accessToken: { type: string, format: password }
            realm: { type: string }
        credentials:
          type: object
          properties:
            username: { type: string }
            password: { type: string }
        clientSecret: { type: string, writeOnly: true }
    steps:
      - stepId: mint
        operationId: mintToken
        requestBody:
          contentType: application/x-www-form-urlencoded
          payload:
            client_id: app
            client_secret: $inputs.clientSecret
        outputs:
          token: $response.body#/access_token
          form: $request.body
      - stepId: use
        operationId: getPet
        parameters:
          - { name: id, in: path, value: $steps.mint.outputs.token }
          - { name: key, in: query, value: $steps.mint.outputs.token }
          - { name: Authorization, in: header, value: 'Bearer {$inputs.auth.accessToken}' }
        outputs:
          url: $url
          echoed: $response.body
          realm: $inputs.auth.realm
      - stepId: login
        operationId: login
        requestBody:
          contentType: application/json
          payload: $inputs.credentials
        outputs:
          sent: $request.body
          received: $response.body
    outputs:
      url: $steps.use.outputs.url
      echoed: $steps.use.outputs.echoed
      form: $steps.mint.outputs.form
      sent: $steps.login.outputs.sent
      received: $steps.login.outputs.received
      realm: $steps.use.outputs.realm
`;

const INPUTS = [
  '--input',
  `auth=${JSON.stringify({ accessToken: ACCESS_TOKEN, realm: 'acme' })}`,
  '--input',
  `credentials=${JSON.stringify({ username: 'jane', password: PASSWORD })}`,
  '--input',
  `clientSecret=${CLIENT_SECRET}`,
];

const BOUNDS = { timeoutMs: 60_000, maxOldSpaceMb: 256 };

describe('hostile secrets (run)', () => {
  let cli: BuiltCli;
  let server: LoopbackServer;
  let dir: string;
  let file: string;

  beforeAll(async () => {
    [cli, server, dir] = await Promise.all([buildCli(), startLoopbackServer(), mkdtemp(join(tmpdir(), 'arazzo-hostile-secrets-'))]);
    // The provider mints a token with quotes and backslashes and echoes back whatever it receives.
    server.route('POST', '/oauth/token', { body: { access_token: MINTED, token_type: 'Bearer', expires_in: 3600 } });
    server.route('GET', '/pets/{id}', (r) => ({ body: { id: decodeURIComponent(r.path.split('/').pop()!), query: r.query, authorization: r.headers.authorization } }));
    server.route('POST', '/login', (r) => ({ body: { echo: JSON.parse(r.body) as unknown } }));
    await writeFile(join(dir, 'openapi.yml'), OPENAPI);
    file = join(dir, 'secrets.arazzo.yml');
    await writeFile(file, WORKFLOW);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([cli?.remove(), server?.close(), dir ? rm(dir, { recursive: true, force: true }) : undefined]);
  });

  const run = (args: readonly string[]): Promise<BoundedRun> => runCliBounded(cli, ['run', file, '--no-cache', '--server', `echo=${server.url}`, ...INPUTS, ...args], BOUNDS);

  it('every credential reaches the provider, in the form the request needs', async () => {
    const before = server.requests.length;
    const r = await run(['--json']);
    expect(r.code, r.stderr).toBe(0);
    const [mint, use, login] = server.requests.slice(before);
    expect(new URLSearchParams(mint.body).get('client_secret')).toBe(CLIENT_SECRET);
    expect(decodeURIComponent(use.path.split('/').pop()!)).toBe(MINTED);
    expect(use.query.key).toBe(MINTED);
    expect(use.headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
    // An object input with a credential-like name keeps its fields: only the password was a reference.
    expect(JSON.parse(login.body)).toEqual({ username: 'jane', password: PASSWORD });
    // `--json` gives the output as DescribeExecution does: JSON text. Outputs carrying a credential in any form are sealed.
    const output = JSON.parse((JSON.parse(r.stdout) as { output: string }).output) as Record<string, string>;
    expect(output.realm).toBe('acme');
    for (const name of ['url', 'echoed', 'form', 'sent', 'received']) expect(output[name]).toMatch(/^sealed:v1:/);
  });

  // input, where it is read, expected: no form of any secret anywhere.
  it.each([
    ['--json (history, output, input)', ['--json']],
    ['text output with the history (--verbose)', ['--verbose']],
  ])('no form of any credential in %s', async (_where, args) => {
    const r = await run(args);
    if (process.env.HOSTILE_REPORT) console.log(`| ${_where} | ${(r.elapsedMs / 1000).toFixed(1)} s, ${r.peakRssMb?.toFixed(0)} MiB |`);
    expect(r.killed).toBe(false);
    expect(r.code, r.stderr).toBe(0);
    expect(leaks(`${r.stdout}\n${r.stderr}`)).toEqual([]);
  });

  it('a failing step names no credential in its error either', async () => {
    server.route('POST', '/login', { status: 500, body: { error: `rejected ${PASSWORD}` } });
    try {
      const r = await run(['--json']);
      expect(r.code).toBe(1);
      expect(leaks(`${r.stdout}\n${r.stderr}`)).toEqual([]);
    } finally {
      server.route('POST', '/login', (r) => ({ body: { echo: JSON.parse(r.body) as unknown } }));
    }
  });

  it('--server with user:password@ is refused with the password redacted (exit 2)', async () => {
    const r = await runCliBounded(cli, ['run', file, '--no-cache', '--server', `echo=http://admin:${encodeURIComponent(PASSWORD)}@127.0.0.1:1`, ...INPUTS], BOUNDS);
    expectCleanRefusal(r, { error: /--server echo: http:\/\/\*\*\*@127\.0\.0\.1:1 carries credentials/, secrets: forms(PASSWORD) });
  });
});
