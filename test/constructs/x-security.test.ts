import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TokenCache } from '../../functions/runtime/auth/index.js';
import { secretForms } from '../../functions/runtime/secrets/index.js';
import { ARAZZO_HEAD, compileWorkflow, PETS_OPENAPI, runWorkflow, startLoopbackServer, type ConstructRun, type LoopbackServer } from './support/index.js';

/**
 * Respect's `x-security`, end to end: compiled, run on the embedded engine, sent over loopback
 * to a scripted server (a test double of the provider, recording every request) that plays the
 * API, its token endpoint and its OpenID Connect discovery document.
 */

const API_KEY = 'ak-7f3e9c1d2b4a';
const PASSWORD = 'pw-Zq8!x/y+z=w';
const CLIENT_SECRET = 'cs-5d1e8a2f9b7c';
const ACCESS_TOKEN = 'at-minted-0a1b2c3d4e5f6a7b';

const inputsSchema = `
    inputs:
      type: object
      properties:
        apiKey: { type: string, format: password }
        user: { type: string }
        password: { type: string, format: password }
        clientId: { type: string, x-arazzo-sfn-credential: false }
        clientSecret: { type: string, format: password }`;

const workflow = (security: string, steps = 1, workflowSecurity = '') => `${ARAZZO_HEAD}
workflows:
  - workflowId: secured${inputsSchema}${workflowSecurity}
    steps:
${Array.from(
  { length: steps },
  (_, i) => `      - stepId: read${i}
        operationId: getPet
        parameters: [{ name: id, in: path, value: p${i} }]
        x-security:
${security}`,
).join('\n')}
`;

const secrets = { k: API_KEY, pw: PASSWORD, cs: CLIENT_SECRET };
const input = { apiKey: 'secret:k', user: 'ada', password: 'secret:pw', clientId: 'client-1', clientSecret: 'secret:cs' };

/** Every credential, in every form the runtime could give it, must be absent from what the execution keeps. */
function expectNoCredential(run: ConstructRun, credentials: readonly string[]) {
  const kept = JSON.stringify({ history: run.execution.history, output: run.output, cause: run.cause, invocations: run.execution.invocations });
  for (const credential of credentials)
    for (const form of secretForms(credential)) expect(kept.includes(form), `history carries a form of a credential: ${form}`).toBe(false);
}

describe('x-security (Respect) applied by the operation handler', () => {
  let server: LoopbackServer;
  beforeEach(async () => {
    server = await startLoopbackServer();
    server.route('GET', '/pets/{id}', { body: { ok: true } });
  });
  afterEach(() => server.close());

  it('puts an API key in a header, a query parameter or a cookie', async () => {
    for (const where of ['header', 'query', 'cookie'] as const) {
      const compiled = await compileWorkflow(
        workflow(`          - scheme: { type: apiKey, in: ${where}, name: X-Api-Key }\n            values: { apiKey: $inputs.apiKey }`),
        PETS_OPENAPI,
      );
      expect(compiled.plan.credentialInputs).toContain('apiKey');
      const run = await runWorkflow(compiled, input, server, { secrets });
      expect(run.status).toBe('SUCCEEDED');
      const [request] = run.requests;
      if (where === 'header') expect(request.headers['x-api-key']).toBe(API_KEY);
      if (where === 'query') expect(request.query['X-Api-Key']).toBe(API_KEY);
      if (where === 'cookie') expect(request.headers.cookie).toBe(`X-Api-Key=${API_KEY}`);
      expectNoCredential(run, [API_KEY]);
    }
  });

  it('sends HTTP Basic and bearer credentials, the workflow-level entry merged into every step and the step winning', async () => {
    const compiled = await compileWorkflow(
      `${ARAZZO_HEAD}
workflows:
  - workflowId: secured${inputsSchema}
    x-security:
      - scheme: { type: http, scheme: basic }
        values: { username: $inputs.user, password: $inputs.password }
    steps:
      - stepId: first
        operationId: getPet
        parameters: [{ name: id, in: path, value: p }]
      - stepId: plain
        operationId: getPet
        parameters: [{ name: id, in: path, value: q }]
      - stepId: mine
        operationId: getPet
        parameters: [{ name: id, in: path, value: r }]
        x-security:
          - scheme: { type: http, scheme: bearer }
            values: { token: $inputs.apiKey }
`,
      PETS_OPENAPI,
    );
    const run = await runWorkflow(compiled, input, server, { secrets });
    expect(run.status).toBe('SUCCEEDED');
    const expectedBasic = `Basic ${Buffer.from(`ada:${PASSWORD}`).toString('base64')}`;
    expect(run.requests.map((r) => r.headers.authorization)).toEqual([expectedBasic, expectedBasic, `Bearer ${API_KEY}`]);
    expectNoCredential(run, [API_KEY, PASSWORD]);
  });

  it('mints an OAuth2 client-credentials token once for two steps, and again once it expires', async () => {
    let minted = 0;
    server.route('POST', '/oauth/token', () => ({ body: { access_token: `${ACCESS_TOKEN}-${++minted}`, token_type: 'Bearer', expires_in: 120 } }));
    const entry = `          - scheme:
              type: oauth2
              flows: { clientCredentials: { tokenUrl: /oauth/token, scopes: { read: read } } }
            values: { clientId: $inputs.clientId, clientSecret: $inputs.clientSecret, scope: read }`;
    const compiled = await compileWorkflow(workflow(entry, 2), PETS_OPENAPI);
    let clock = 1_000_000;
    const tokenCache = new TokenCache({ now: () => clock });
    const run = await runWorkflow(compiled, input, server, { secrets, tokenCache });
    expect(run.status).toBe('SUCCEEDED');
    const tokenRequests = run.requests.filter((r) => r.path === '/oauth/token');
    expect(tokenRequests).toHaveLength(1);
    expect(tokenRequests[0].headers.authorization).toBe(`Basic ${Buffer.from(`client-1:${CLIENT_SECRET}`).toString('base64')}`);
    expect(new URLSearchParams(tokenRequests[0].body).toString()).toBe('grant_type=client_credentials&scope=read');
    expect(run.requests.filter((r) => r.path !== '/oauth/token').map((r) => r.headers.authorization)).toEqual([
      `Bearer ${ACCESS_TOKEN}-1`,
      `Bearer ${ACCESS_TOKEN}-1`,
    ]);
    expectNoCredential(run, [CLIENT_SECRET, `${ACCESS_TOKEN}-1`]);

    // Still usable 60 s later (120 s minus the 30 s skew), renewed past it.
    clock += 60_000;
    const again = await runWorkflow(compiled, input, server, { secrets, tokenCache });
    expect(again.requests.filter((r) => r.path === '/oauth/token')).toHaveLength(0);
    clock += 31_000;
    const renewed = await runWorkflow(compiled, input, server, { secrets, tokenCache });
    expect(renewed.requests.filter((r) => r.path === '/oauth/token')).toHaveLength(1);
    expect(renewed.requests.filter((r) => r.path !== '/oauth/token').map((r) => r.headers.authorization)).toEqual([
      `Bearer ${ACCESS_TOKEN}-2`,
      `Bearer ${ACCESS_TOKEN}-2`,
    ]);
  });

  it('finds the token endpoint by OpenID Connect discovery and uses the password grant, client in the body when that is all the provider lists', async () => {
    server.route('GET', '/.well-known/openid-configuration', () => ({
      body: { issuer: server.url, token_endpoint: `${server.url}/connect/token`, token_endpoint_auth_methods_supported: ['client_secret_post'] },
    }));
    server.route('POST', '/connect/token', { body: { access_token: ACCESS_TOKEN, token_type: 'bearer', expires_in: 300 } });
    const entry = `          - scheme: { type: openIdConnect, openIdConnectUrl: /.well-known/openid-configuration }
            values: { clientId: $inputs.clientId, clientSecret: $inputs.clientSecret, username: $inputs.user, password: $inputs.password }`;
    const compiled = await compileWorkflow(workflow(entry, 2), PETS_OPENAPI);
    const run = await runWorkflow(compiled, input, server, { secrets, tokenCache: new TokenCache() });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /.well-known/openid-configuration',
      'POST /connect/token',
      'GET /pets/p0',
      'GET /pets/p1',
    ]);
    const form = new URLSearchParams(run.requests[1].body);
    expect(Object.fromEntries(form)).toEqual({
      grant_type: 'password',
      username: 'ada',
      password: PASSWORD,
      client_id: 'client-1',
      client_secret: CLIENT_SECRET,
    });
    expect(run.requests[1].headers.authorization).toBeUndefined();
    expect(run.requests.slice(2).map((r) => r.headers.authorization)).toEqual([`Bearer ${ACCESS_TOKEN}`, `Bearer ${ACCESS_TOKEN}`]);
    expectNoCredential(run, [CLIENT_SECRET, PASSWORD, ACCESS_TOKEN]);
  });

  it('fails the step with Arazzo.AuthFailed when the token endpoint refuses, naming only the endpoint and the OAuth error', async () => {
    server.route('POST', '/oauth/token', { status: 401, body: { error: 'invalid_client', error_description: `bad secret ${CLIENT_SECRET}` } });
    const entry = `          - scheme: { type: oauth2, flows: { clientCredentials: { tokenUrl: /oauth/token, scopes: {} } } }
            values: { clientId: $inputs.clientId, clientSecret: $inputs.clientSecret }`;
    const run = await runWorkflow(await compileWorkflow(workflow(entry), PETS_OPENAPI), input, server, { secrets, tokenCache: new TokenCache() });
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('Arazzo.AuthFailed');
    expect(run.cause).toContain(`token request to ${server.url}/oauth/token answered 401 (invalid_client)`);
    expect(run.requests.some((r) => r.path.startsWith('/pets'))).toBe(false);
    expectNoCredential(run, [CLIENT_SECRET]);
  });
});
