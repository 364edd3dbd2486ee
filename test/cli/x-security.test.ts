import { describe, expect, it } from 'vitest';
import { secretForms } from '../../functions/runtime/secrets/index.js';
import { runCli } from './run-cli.js';

/** `arazzo-sfn run --json` of x-security workflows against the sandbox: the credentials typed on the command line appear nowhere in what it prints. */
describe('run --sandbox --json with x-security', () => {
  const clientId = 'sandbox-app-id';
  const clientSecret = 'sandbox-app-secret';

  it.each(['client-credentials', 'openid-connect', 'basic-then-bearer'])('%s: succeeds, and prints no form of the client id or secret', async (name) => {
    const { code, stdout, stderr } = await runCli([
      'run',
      `test/fixtures/x-security/fintecture-${name}.arazzo.yml`,
      '--sandbox',
      '--json',
      '--verbose',
      '--input',
      `clientId=${clientId}`,
      '--input',
      `clientSecret=${clientSecret}`,
      '--input',
      'email=ada@example.com',
    ]);
    expect(code, stderr).toBe(0);
    const result = JSON.parse(stdout);
    expect(result.status).toBe('SUCCEEDED');
    for (const form of [...secretForms(clientId), ...secretForms(clientSecret)]) {
      expect(stdout.includes(form), `stdout carries a form of a credential: ${form}`).toBe(false);
      expect(stderr.includes(form), `stderr carries a form of a credential: ${form}`).toBe(false);
    }
  });
  it('prints the discovery and token requests as calls of the step that made them', async () => {
    const { code, stdout } = await runCli([
      'run',
      'test/fixtures/x-security/fintecture-openid-connect.arazzo.yml',
      '--sandbox',
      '--no-color',
      '--input',
      `clientId=${clientId}`,
      '--input',
      `clientSecret=${clientSecret}`,
      '--input',
      'email=ada@example.com',
    ]);
    expect(code).toBe(0);
    const calls = stdout
      .split('\n')
      .filter((l) => l.startsWith('  createCustomer'))
      .map((l) =>
        l
          .replace(/\s+/g, ' ')
          .replace(/\d+ ms/, 'N ms')
          .trim(),
      );
    expect(calls).toEqual([
      'createCustomer GET /.well-known/openid-configuration → 200 N ms x-security discovery',
      'createCustomer POST /oauth/accesstoken → 200 N ms x-security token',
      'createCustomer POST /v1/customers → 201 N ms success',
    ]);
  });
});
