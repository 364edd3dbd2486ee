import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StepPlan } from '../../../../core/plan.js';
import { resolveAuthUrl, TokenCache } from '../../../../functions/runtime/auth/index.js';
import { handleStep, type StepRuntime } from '../../../../functions/runtime/handle-step.js';
import { AesGcmSealer, InMemorySecretsProvider, type SecretsProvider } from '../../../../functions/runtime/secrets/index.js';
import { ARAZZO_HEAD, compileWorkflow, PETS_OPENAPI, startLoopbackServer, type LoopbackServer } from '../../../constructs/support/index.js';

/** The provider and its token endpoint: a scripted loopback server (a test double) that records every request. */
let server: LoopbackServer;
beforeEach(async () => {
  server = await startLoopbackServer();
  server.route('GET', '/pets/{id}', { body: { ok: true } });
});
afterEach(() => server.close());

async function oauthStep(): Promise<StepPlan> {
  const compiled = await compileWorkflow(
    `${ARAZZO_HEAD}
workflows:
  - workflowId: w
    inputs:
      type: object
      properties:
        clientSecret: { type: string, format: password }
    steps:
      - stepId: read
        operationId: getPet
        parameters: [{ name: id, in: path, value: p1 }]
        x-security:
          - scheme: { type: oauth2, flows: { clientCredentials: { tokenUrl: 'https://pets.invalid/oauth/token', scopes: {} } } }
            values: { clientId: app, clientSecret: $inputs.clientSecret }
`,
    PETS_OPENAPI,
  );
  return compiled.plan.steps[0] as StepPlan;
}

const event = { step: 'read', inputs: { clientSecret: 'secret:cs' }, steps: {} };

function runtimeWith(secrets: SecretsProvider, extra: Partial<StepRuntime> = {}): StepRuntime {
  return { secrets, sealer: new AesGcmSealer(randomBytes(32)), serverUrls: { pets: server.url }, ...extra };
}

describe('x-security at the handler', () => {
  it('rebases a token URL on the described server onto the server the run points at, and resolves relative ones', () => {
    expect(resolveAuthUrl('https://pets.invalid/oauth/token', 'http://127.0.0.1:9', 'https://pets.invalid')).toBe('http://127.0.0.1:9/oauth/token');
    expect(resolveAuthUrl('https://pets.invalid/oauth/token', 'http://127.0.0.1:9/v1', 'https://pets.invalid/v1')).toBe('http://127.0.0.1:9/oauth/token');
    expect(resolveAuthUrl('/oauth/token', 'http://127.0.0.1:9/v1', 'https://pets.invalid/v1')).toBe('http://127.0.0.1:9/v1/oauth/token');
    expect(resolveAuthUrl('https://id.example.com/token', 'http://127.0.0.1:9', 'https://pets.invalid')).toBe('https://id.example.com/token');
  });

  it('keeps one token per runtime even when the secrets provider caches and the handler wraps it (Secrets Manager on AWS)', async () => {
    server.route('POST', '/oauth/token', { body: { access_token: 'tok-123456', token_type: 'Bearer', expires_in: 3600 } });
    const memory = new InMemorySecretsProvider({ cs: 'client-secret-1' });
    // Stands in for the caching Secrets Manager provider: same values, and a refresh that finds nothing rotated.
    const caching: SecretsProvider = { getSecret: (name) => memory.getSecret(name), refresh: async () => false };
    const runtime = runtimeWith(caching);
    const plan = await oauthStep();
    for (let i = 0; i < 3; i++) await handleStep(plan, event, runtime);
    expect(server.callsTo('POST', '/oauth/token')).toBe(1);
    expect(server.requests.filter((r) => r.path === '/pets/p1').map((r) => r.headers.authorization)).toEqual(Array(3).fill('Bearer tok-123456'));
  });

  it('shares one token request between concurrent steps', async () => {
    server.route('POST', '/oauth/token', { body: { access_token: 'tok-concurrent', token_type: 'Bearer', expires_in: 3600 } });
    const runtime = runtimeWith(new InMemorySecretsProvider({ cs: 'client-secret-1' }));
    const plan = await oauthStep();
    await Promise.all(Array.from({ length: 5 }, () => handleStep(plan, event, runtime)));
    expect(server.callsTo('POST', '/oauth/token')).toBe(1);
  });

  it('reads an unavailable token endpoint as a provider fault, a refusal or an odd token as Arazzo.AuthFailed', async () => {
    const plan = await oauthStep();
    const secrets = new InMemorySecretsProvider({ cs: 'client-secret-1' });
    server.route('POST', '/oauth/token', { status: 503, body: {} });
    await expect(handleStep(plan, event, runtimeWith(secrets, { tokenCache: new TokenCache() }))).rejects.toMatchObject({
      name: 'Arazzo.ProviderUnavailable',
      retryable: true,
    });
    server.route('POST', '/oauth/token', { body: { access_token: 'tok', token_type: 'mac' } });
    await expect(handleStep(plan, event, runtimeWith(secrets, { tokenCache: new TokenCache() }))).rejects.toMatchObject({
      name: 'Arazzo.AuthFailed',
      retryable: false,
    });
    server.route('POST', '/oauth/token', { body: { token_type: 'Bearer' } });
    await expect(handleStep(plan, event, runtimeWith(secrets, { tokenCache: new TokenCache() }))).rejects.toMatchObject({
      name: 'Arazzo.AuthFailed',
      message: expect.stringContaining('without an access_token'),
    });
    // A hostile token endpoint: an answer past 64 KiB is not read, and its error description (which echoes the secret) is never quoted.
    server.route('POST', '/oauth/token', { body: { access_token: 'x'.repeat(100_000), token_type: 'Bearer' } });
    await expect(handleStep(plan, event, runtimeWith(secrets, { tokenCache: new TokenCache() }))).rejects.toMatchObject({ name: 'Arazzo.InvalidResponse' });
    server.route('POST', '/oauth/token', { status: 400, body: { error: 'invalid_request\r\nX: y', error_description: 'client-secret-1 is wrong' } });
    const refused = handleStep(plan, event, runtimeWith(secrets, { tokenCache: new TokenCache() }));
    await expect(refused).rejects.toMatchObject({ name: 'Arazzo.AuthFailed' });
    await expect(refused).rejects.not.toMatchObject({ message: expect.stringMatching(/client-secret-1|invalid_request/) });
    expect(server.requests.some((r) => r.path.startsWith('/pets'))).toBe(false);
  });
  it('renews a cached token the provider refuses with 401 and sends the step once more; a fresh token refused is not renewed', async () => {
    let minted = 0;
    server.route('POST', '/oauth/token', () => ({ body: { access_token: `tok-${++minted}-abcdef`, token_type: 'Bearer', expires_in: 3600 } }));
    let accepted = 'tok-1-abcdef';
    server.route('GET', '/pets/{id}', (request) =>
      request.headers.authorization === `Bearer ${accepted}` ? { body: { ok: true } } : { status: 401, body: { error: 'invalid_token' } },
    );
    const runtime = runtimeWith(new InMemorySecretsProvider({ cs: 'client-secret-1' }));
    const plan = await oauthStep();
    expect((await handleStep(plan, event, runtime)).statusCode).toBe(200);
    // The provider drops token 1 (revoked): the next step's cached token is refused, renewed, and the step sent again.
    accepted = 'tok-2-abcdef';
    expect((await handleStep(plan, event, runtime)).statusCode).toBe(200);
    expect(minted).toBe(2);
    expect(server.requests.filter((r) => r.path === '/pets/p1').map((r) => r.headers.authorization)).toEqual([
      'Bearer tok-1-abcdef',
      'Bearer tok-1-abcdef',
      'Bearer tok-2-abcdef',
    ]);
    // A token minted for this very step and refused is the provider's answer: no second token, the criteria judge the 401.
    accepted = 'none';
    await expect(handleStep(plan, event, runtimeWith(new InMemorySecretsProvider({ cs: 'client-secret-1' })))).rejects.toMatchObject({
      name: 'Arazzo.StepFailed',
    });
    expect(minted).toBe(3);
  });
});
