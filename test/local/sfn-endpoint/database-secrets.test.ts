import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_FINTECTURE_CLIENTS } from '../../../sandbox/index.js';
import { startSfnEndpoint, type SfnEndpoint } from '../../../local/sfn-endpoint/index.js';
import { mintCustomersToken, seed000Input, sfnClient, tempDir, waitForEnd, WORKFLOWS_DIR } from './support/endpoint-harness.js';

const MACHINE = (name: string) => `arn:aws:states:us-east-1:000000000000:stateMachine:${name}`;

/** The forms a credential could take in stored text, written apart from the runtime's own list. */
function forms(secret: string): string[] {
  const json = (s: string) => JSON.stringify(s).slice(1, -1);
  const encoded = [secret, encodeURIComponent(secret), new URLSearchParams({ v: secret }).toString().slice(2)];
  return [...new Set([...encoded.flatMap((s) => [s, json(s), json(json(s))]), Buffer.from(secret).toString('base64')])];
}

// The endpoint keeps machines, executions and their whole histories in SQLite (and its WAL): the
// file a user leaves on disk must hold no credential, in any form, after real executions.
describe('the endpoint database holds no credential after executions that used them', () => {
  let endpoint: SfnEndpoint;
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  const [clientId, clientSecret] = Object.entries(DEFAULT_FINTECTURE_CLIENTS)[0];
  let customersToken = '';

  beforeAll(async () => {
    tmp = await tempDir();
    endpoint = await startSfnEndpoint({ dbFile: tmp.db, workflowsDir: WORKFLOWS_DIR, sandbox: true, waitMs: 1, retryIntervalMs: 1 });
    await mintCustomersToken(endpoint);
    customersToken = await endpoint.secrets.getSecret('customersToken');
    endpoint.secrets.set('appClientId', clientId);
    endpoint.secrets.set('appClientSecret', clientSecret);
  });
  afterAll(async () => {
    await endpoint?.close();
    await tmp?.remove();
  });

  it('seed 000 (a passed token) and seed 001 (client credentials, a minted token) succeed, and no form of a credential is in the database files', async () => {
    expect(customersToken.length).toBeGreaterThan(8);
    const client = sfnClient(endpoint);
    try {
      const runs = [
        { machine: 'customer-verification-poll', input: seed000Input('jane+pending1+verified@example.com') },
        {
          machine: 'token-then-payment',
          input: { clientId: 'secret:appClientId', clientSecret: 'secret:appClientSecret', amount: '12.50', currency: 'EUR', communication: 'db scan', requestId: '0b5c3f8e-2d6a-4c1b-9e7f-3a2d1c0b9e8f' },
        },
      ];
      for (const { machine, input } of runs) {
        const started = await client.send(new StartExecutionCommand({ stateMachineArn: MACHINE(machine), input: JSON.stringify(input) }));
        expect((await waitForEnd(client, started.executionArn!)).status).toBe('SUCCEEDED');
      }
    } finally {
      client.destroy();
    }
    await endpoint.close();

    const files = readdirSync(tmp.dir).filter((f) => f.startsWith('endpoint.db'));
    expect(files).toContain('endpoint.db');
    const stored = files.map((f) => readFileSync(join(tmp.dir, f)).toString('latin1')).join('\n');
    // The runs really were stored: the scan looks at the histories, not at an empty file.
    expect(stored).toContain('secret:customersToken');
    const leaked = [customersToken, clientSecret].flatMap((secret) => forms(secret).filter((form) => stored.includes(form)));
    expect(leaked).toEqual([]);
  });
});
