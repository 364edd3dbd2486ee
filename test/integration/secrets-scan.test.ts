import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSealed } from '../../functions/runtime/secrets/index.js';
import {
  createWireTap,
  scanForSecrets,
  SEED_000,
  SEED_001,
  seed000Input,
  seed001Input,
  startSeedHarness,
  type SeedHarness,
  type SeedRun,
  type WireTap,
} from './support/seed-harness.js';

const random = () => randomBytes(9).toString('hex');

/** Everything a run leaves for people to read: history (JSON and table), output, error, runtime log, engine events. */
function everythingReadable(run: SeedRun): Record<string, string> {
  return {
    historyJson: run.historyJson,
    formattedHistory: run.formattedHistory,
    output: JSON.stringify(run.execution.output ?? null),
    error: `${run.execution.error ?? ''} ${run.execution.cause ?? ''}`,
    logLines: run.logLines.join('\n'),
    engineEvents: JSON.stringify(run.execution.engineEvents),
    sandboxLog: JSON.stringify(run.requests),
  };
}

function expectNoSecrets(run: SeedRun, secrets: readonly string[]) {
  const leaks = Object.entries(everythingReadable(run))
    .map(([where, text]) => [where, scanForSecrets(text, secrets).map((s) => `<secret of ${s.length} chars>`)] as const)
    .filter(([, found]) => found.length > 0);
  expect(leaks).toEqual([]);
}

describe('no secret value reaches the history, outputs or logs', () => {
  const clientId = `acme-client-${random()}`;
  const clientSecret = `acme-secret-${random()}`;
  let harness: SeedHarness;
  let tap: WireTap;
  let customersToken: string;

  beforeAll(async () => {
    harness = await startSeedHarness({ clients: { [clientId]: clientSecret } });
    customersToken = await harness.mintToken('customer', 'customersToken');
    tap = createWireTap();
  });
  afterAll(async () => {
    await tap.close();
    await harness.close();
  });

  it('the scanner itself finds a planted secret, in plain, JSON-escaped, URL-encoded and Basic forms', () => {
    expect(scanForSecrets(`{"a":"x${clientSecret}y"}`, [clientSecret])).toEqual([clientSecret]);
    expect(scanForSecrets(encodeURIComponent(`a&b=${clientSecret}`), [clientSecret])).toEqual([clientSecret]);
    expect(scanForSecrets(`Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`, [clientId, clientSecret])).toContain(clientId);
    expect(scanForSecrets('nothing here', [clientId, clientSecret])).toEqual([]);
  });

  it('seed 000 (verified, with polling) leaks neither the customers token nor the client credentials', async () => {
    const run = await harness.run(SEED_000, seed000Input('jane+pending2+verified@example.com'));
    expect(run.execution.status).toBe('SUCCEEDED');
    expect(run.historyJson).toContain('secret:customersToken');
    expectNoSecrets(run, [customersToken, clientId, clientSecret]);
  });

  it('seed 000 failing mid-way (a 400 on createCustomer) leaks nothing either', async () => {
    const run = await harness.run(SEED_000, seed000Input('jane@example.com'), { faults: [{ operationId: 'createCustomer', status: 400 }] });
    expect(run.execution.status).toBe('FAILED');
    expectNoSecrets(run, [customersToken, clientId, clientSecret]);
  });

  it('seed 001 leaks neither the client credentials nor the minted PIS token, which only travels sealed', async () => {
    const requestId = randomUUID();
    const run = await harness.run(SEED_001, seed001Input(requestId), { dispatcher: tap.dispatcher });
    expect(run.execution.status).toBe('SUCCEEDED');

    const sealed = (run.execution.output as Record<string, unknown>).accessToken;
    expect(isSealed(sealed)).toBe(true);
    const pisToken = JSON.parse(await harness.sealer.unseal(sealed as string, 'arazzo-sfn')) as string;
    expect(typeof pisToken).toBe('string');
    expect(pisToken.length).toBeGreaterThanOrEqual(16);
    // It is the token the provider accepted for the payment (read on the wire, not from the sandbox).
    const create = tap.requests.find((r) => r.path === '/pis/v2/connect' && r.headers['x-request-id'] === requestId);
    expect(create?.headers.authorization).toBe(`Bearer ${pisToken}`);
    // ...and the client secret did go over the wire, so the scan below is not vacuous.
    expect(scanForSecrets(tap.requests.map((r) => r.body ?? '').join('\n'), [clientSecret])).toEqual([clientSecret]);

    expectNoSecrets(run, [pisToken, clientId, clientSecret, customersToken]);
  });

  it('seed 001 failing after the token was minted (payment creation 400) leaks nothing', async () => {
    const run = await harness.run(SEED_001, seed001Input(randomUUID()), {
      dispatcher: tap.dispatcher,
      faults: [{ operationId: 'createPisV2Connect', status: 400 }],
    });
    expect(run.execution.status).toBe('FAILED');
    expect(run.execution.error).toBe('Arazzo.StepFailed');
    const mintOutput = run.history.find((e) => e.type === 'LambdaFunctionSucceeded' && e.lambdaFunctionSucceededEventDetails!.output!.includes('"accessToken"'));
    const sealed = JSON.parse(mintOutput!.lambdaFunctionSucceededEventDetails!.output!).outputs.accessToken as string;
    const pisToken = JSON.parse(await harness.sealer.unseal(sealed, 'arazzo-sfn')) as string;
    expectNoSecrets(run, [pisToken, clientId, clientSecret, customersToken]);
  });

  it('seed 001 with a wrong client secret leaks neither the wrong nor the right secret', async () => {
    const wrongSecret = `wrong-secret-${random()}`;
    harness.secrets.set('wrongApp', JSON.stringify({ id: clientId, secret: wrongSecret }));
    const run = await harness.run(SEED_001, seed001Input(randomUUID(), { clientId: 'secret:wrongApp#id', clientSecret: 'secret:wrongApp#secret' }));
    expect(run.execution.status).toBe('FAILED');
    expectNoSecrets(run, [wrongSecret, clientId, clientSecret, customersToken]);
  });
});
