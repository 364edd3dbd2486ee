import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSealed } from '../../functions/runtime/secrets/index.js';
import { compileFileOrThrow } from '../../compiler/index.js';
import { createWireTap, ROOT, scanForSecrets, startSeedHarness, type SeedHarness, type SeedRun, type WireTap } from './support/seed-harness.js';

/** Respect's x-security against the Fintecture simulator, on the embedded engine, over loopback. */
const fixture = (name: string) => join(ROOT, `test/fixtures/x-security/fintecture-${name}.arazzo.yml`);
const FIXTURES = ['client-credentials', 'openid-connect', 'basic-then-bearer'].map(fixture);
const random = () => randomBytes(9).toString('hex');

function readable(run: SeedRun): string {
  return [
    run.historyJson,
    run.formattedHistory,
    JSON.stringify(run.execution.output ?? null),
    `${run.execution.error ?? ''} ${run.execution.cause ?? ''}`,
    run.logLines.join('\n'),
    JSON.stringify(run.execution.engineEvents),
    JSON.stringify(run.requests),
  ].join('\n');
}

describe('x-security against the Fintecture sandbox', () => {
  const clientId = `xsec-client-${random()}`;
  const clientSecret = `xsec-secret-${random()}`;
  let harness: SeedHarness;
  let tap: WireTap;
  const input = (email: string) => ({ clientId: 'secret:app#id', clientSecret: 'secret:app#secret', email });

  beforeAll(async () => {
    harness = await startSeedHarness({ clients: { [clientId]: clientSecret } });
    tap = createWireTap();
  });
  afterAll(async () => {
    await tap.close();
    await harness.close();
  });

  it('compiles the three workflows without warnings', async () => {
    for (const file of FIXTURES) expect((await compileFileOrThrow(file)).diagnostics).toEqual([]);
  });

  it('client credentials from a workflow-level scheme: one token for both steps, sent as a bearer token, no credential in what the run keeps', async () => {
    const tokensBefore = harness.sandbox.stats.tokensIssued;
    const tapped = tap.requests.length;
    const run = await harness.run(fixture('client-credentials'), input(`ada+${random()}@example.com`), { dispatcher: tap.dispatcher });
    expect(run.execution.status).toBe('SUCCEEDED');
    expect(harness.sandbox.stats.tokensIssued - tokensBefore).toBe(1);
    expect(run.requests.map((r) => r.operationId)).toEqual(['createAccessToken', 'createCustomer', 'getCustomerById']);
    const wire = tap.requests.slice(tapped);
    const tokenRequest = wire.find((r) => r.path === '/oauth/accesstoken')!;
    expect(tokenRequest.headers.authorization).toBe(`Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`);
    const bearer = wire.filter((r) => r.path.startsWith('/v1/customers')).map((r) => r.headers.authorization);
    expect(bearer).toHaveLength(2);
    expect(new Set(bearer).size).toBe(1);
    const token = bearer[0]!.replace(/^Bearer /, '');
    expect(scanForSecrets(readable(run), [clientId, clientSecret, token])).toEqual([]);
  });

  it('OpenID Connect: discovery, then the token endpoint it names with the client in the body', async () => {
    const tapped = tap.requests.length;
    const run = await harness.run(fixture('openid-connect'), input(`ada+${random()}@example.com`), { dispatcher: tap.dispatcher });
    expect(run.execution.status).toBe('SUCCEEDED');
    const wire = tap.requests.slice(tapped);
    expect(wire.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /.well-known/openid-configuration', 'POST /oauth/accesstoken', 'POST /v1/customers']);
    expect(wire[1].headers.authorization).toBeUndefined();
    expect(Object.fromEntries(new URLSearchParams(wire[1].body))).toEqual({
      grant_type: 'client_credentials',
      scope: 'customer',
      client_id: clientId,
      client_secret: clientSecret,
    });
    const token = wire[2].headers.authorization!.replace(/^Bearer /, '');
    expect(scanForSecrets(readable(run), [clientId, clientSecret, token])).toEqual([]);
  });

  it("HTTP Basic from the OAuth API's AppCredentials scheme, then the sealed token of that step as a bearer token", async () => {
    const tapped = tap.requests.length;
    const run = await harness.run(fixture('basic-then-bearer'), input(`ada+${random()}@example.com`), { dispatcher: tap.dispatcher });
    expect(run.execution.status).toBe('SUCCEEDED');
    const wire = tap.requests.slice(tapped);
    expect(wire[0].headers.authorization).toBe(`Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`);
    const token = wire[1].headers.authorization!.replace(/^Bearer /, '');
    expect(token.length).toBeGreaterThan(16);
    const minted = run.execution.invocations.find((i) => i.stateName === 'mintToken')!.output as { outputs: { accessToken: string } };
    expect(isSealed(minted.outputs.accessToken)).toBe(true);
    expect(scanForSecrets(readable(run), [clientId, clientSecret, token])).toEqual([]);
  });
});
