// The Secrets Manager provider of the Lambda runtime, run with the real SDK client against a
// loopback stand-in of Secrets Manager (tests of functions/runtime/secrets/secrets-manager-provider.ts).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../../core/errors.js';
import type { StepPlan } from '../../../core/plan.js';
import { handleStep } from '../../../functions/runtime/handle-step.js';
import { AesGcmSealer, resolveSecretReference, parseSecretReference, SecretsManagerProvider } from '../../../functions/runtime/secrets/index.js';
import { SECRET_TTL_MS } from '../../../functions/runtime/secrets/secrets-manager-provider.js';
import { startAwsStandIn, STAND_IN_CLIENT_CONFIG, type AwsStandIn } from './support/aws-stand-in.js';

const TOKEN_ARN = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:arazzo-sfn/token-AbCdEf';
const APP_ARN = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:arazzo-sfn/app-GhIjKl';

let aws: AwsStandIn;
let client: SecretsManagerClient;
const provider = (secretIds: Record<string, string>) => new SecretsManagerProvider({ secretIds, client });
/** A fake clock (milliseconds) the provider reads instead of Date.now. */
const fakeClock = () => {
  const clock = { ms: 1_000_000, now: () => clock.ms };
  return clock;
};

beforeAll(async () => {
  aws = await startAwsStandIn();
  client = new SecretsManagerClient({ ...STAND_IN_CLIENT_CONFIG, endpoint: aws.url });
});
afterAll(async () => {
  client.destroy();
  await aws.close();
});
beforeEach(() => {
  aws.secrets.clear();
  aws.failing.clear();
});

describe('SecretsManagerProvider', () => {
  it('reads a reference name through the ARN it is mapped to, with a signed GetSecretValue', async () => {
    aws.secrets.set(TOKEN_ARN, 'tok-123');
    const before = aws.calls.length;
    await expect(provider({ accessToken: TOKEN_ARN }).getSecret('accessToken')).resolves.toBe('tok-123');
    const calls = aws.calls.slice(before);
    expect(calls).toEqual([{ target: 'secretsmanager.GetSecretValue', body: { SecretId: TOKEN_ARN }, signed: true }]);
  });

  it('keeps a value for the container: a second read sends no request', async () => {
    aws.secrets.set(TOKEN_ARN, 'tok-123');
    const secrets = provider({ accessToken: TOKEN_ARN });
    const before = aws.callsTo('secretsmanager.GetSecretValue').length;
    await Promise.all([secrets.getSecret('accessToken'), secrets.getSecret('accessToken')]);
    await secrets.getSecret('accessToken');
    expect(aws.callsTo('secretsmanager.GetSecretValue').length - before).toBe(1);
  });

  it('picks a key of a JSON secret with secret:<name>#<key>', async () => {
    aws.secrets.set(APP_ARN, JSON.stringify({ clientId: 'app-id', clientSecret: 'app-secret' }));
    const secrets = provider({ clientId: APP_ARN, clientSecret: APP_ARN });
    await expect(resolveSecretReference(secrets, parseSecretReference('secret:clientSecret#clientSecret')!)).resolves.toBe('app-secret');
    await expect(resolveSecretReference(secrets, parseSecretReference('secret:clientId#clientId')!)).resolves.toBe('app-id');
  });

  it('refuses a name it was not given, without asking Secrets Manager', async () => {
    const before = aws.calls.length;
    const err = await provider({ accessToken: TOKEN_ARN }).getSecret('clientSecret').catch((e: Error) => e);
    expect(err).toMatchObject({ name: ErrorCodes.Secret, message: expect.stringContaining('"clientSecret" is not one this function may read') });
    expect((err as Error).message).toContain('"accessToken"');
    expect(aws.calls.length).toBe(before);
  });

  it('does not keep a failure: the next invocation asks again', async () => {
    aws.failing.set('secretsmanager.GetSecretValue', 'AccessDeniedException');
    const secrets = provider({ accessToken: TOKEN_ARN });
    await expect(secrets.getSecret('accessToken')).rejects.toMatchObject({ name: ErrorCodes.Secret, message: expect.stringContaining('AccessDeniedException') });
    aws.failing.clear();
    aws.secrets.set(TOKEN_ARN, 'tok-after');
    await expect(secrets.getSecret('accessToken')).resolves.toBe('tok-after');
  });

  it('names the missing secret and the service error, never a value', async () => {
    const err = (await provider({ accessToken: TOKEN_ARN }).getSecret('accessToken').catch((e: Error) => e)) as Error;
    expect(err.name).toBe(ErrorCodes.Secret);
    expect(err.message).toBe('secret "accessToken" could not be read from Secrets Manager: ResourceNotFoundException');
  });

  it('refuses a binary secret', async () => {
    aws.secrets.set(TOKEN_ARN, new Uint8Array([1, 2, 3]));
    await expect(provider({ accessToken: TOKEN_ARN }).getSecret('accessToken')).rejects.toMatchObject({ message: expect.stringContaining('binary') });
  });
});

describe('SecretsManagerProvider: a rotated secret reaches a warm container', () => {
  it('reads a value again once it is 5 minutes old (the Parameters and Secrets extension default), not before', async () => {
    // GIVEN a warm container that read the token, on a fake clock
    const clock = fakeClock();
    const secrets = new SecretsManagerProvider({ secretIds: { accessToken: TOKEN_ARN }, client, now: clock.now });
    aws.secrets.set(TOKEN_ARN, 'tok-old');
    await expect(secrets.getSecret('accessToken')).resolves.toBe('tok-old');
    const reads = () => aws.callsTo('secretsmanager.GetSecretValue').length;
    const before = reads();
    // WHEN the secret is rotated
    aws.secrets.set(TOKEN_ARN, 'tok-new');
    // THEN the cached value serves until the TTL, with no request
    clock.ms += SECRET_TTL_MS - 1;
    await expect(secrets.getSecret('accessToken')).resolves.toBe('tok-old');
    expect(reads()).toBe(before);
    // and the next read after it asks Secrets Manager, and keeps the new value for another TTL
    clock.ms += 1;
    await expect(secrets.getSecret('accessToken')).resolves.toBe('tok-new');
    expect(reads()).toBe(before + 1);
    clock.ms += SECRET_TTL_MS - 1;
    await expect(secrets.getSecret('accessToken')).resolves.toBe('tok-new');
    expect(reads()).toBe(before + 1);
    expect(SECRET_TTL_MS).toBe(300_000);
  });

  it('keeps using the value it has when a re-read after the TTL fails, and tries again on the next call', async () => {
    const clock = fakeClock();
    const secrets = new SecretsManagerProvider({ secretIds: { accessToken: TOKEN_ARN }, client, now: clock.now });
    aws.secrets.set(TOKEN_ARN, 'tok-old');
    await secrets.getSecret('accessToken');
    clock.ms += SECRET_TTL_MS;
    // An error the SDK does not retry on its own, so one failed read is one request.
    aws.failing.set('secretsmanager.GetSecretValue', 'AccessDeniedException');
    const before = aws.callsTo('secretsmanager.GetSecretValue').length;
    await expect(secrets.getSecret('accessToken')).resolves.toBe('tok-old');
    aws.failing.clear();
    aws.secrets.set(TOKEN_ARN, 'tok-new');
    await expect(secrets.getSecret('accessToken')).resolves.toBe('tok-new');
    expect(aws.callsTo('secretsmanager.GetSecretValue').length - before).toBe(2);
  });

  it('refresh re-reads at once, whatever the age, and says whether a value changed', async () => {
    const secrets = new SecretsManagerProvider({ secretIds: { accessToken: TOKEN_ARN }, client, now: fakeClock().now });
    aws.secrets.set(TOKEN_ARN, 'tok-old');
    await secrets.getSecret('accessToken');
    await expect(secrets.refresh(['accessToken'])).resolves.toBe(false);
    aws.secrets.set(TOKEN_ARN, 'tok-new');
    await expect(secrets.refresh(['accessToken'])).resolves.toBe(true);
    await expect(secrets.getSecret('accessToken')).resolves.toBe('tok-new');
  });
});

describe('handleStep with Secrets Manager: a 401/403 re-reads the secrets it sent, once', () => {
  // A real loopback provider API: 200 for the current token, 401 for any other; /rule answers 403 whatever the token.
  let current = 'tok-new';
  const received: string[] = [];
  const api = createServer((req, res) => {
    const auth = String(req.headers.authorization ?? '');
    received.push(auth);
    const status = req.url === '/things/rule' ? 403 : auth === `Bearer ${current}` ? 200 : 401;
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ status }));
  });
  let apiUrl = '';
  beforeAll(async () => {
    await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
    apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => api.close(() => r())));
  beforeEach(() => {
    received.length = 0;
  });

  const plan = (onFailure: StepPlan['onFailure'] = []): StepPlan => ({
    workflowId: 'wf',
    sealContext: 'wf',
    stepId: 'getThing',
    operation: { source: 'api', method: 'GET', serverUrl: 'http://unused', path: '/things/{id}', parameters: [{ name: 'id', in: 'path', required: true }], key: 'api.getThing' },
    parameters: [
      { name: 'id', in: 'path', value: '$inputs.id' },
      { name: 'Authorization', in: 'header', value: 'Bearer {$inputs.accessToken}' },
    ],
    successCriteria: [{ type: 'simple', condition: '$statusCode == 200' }],
    onSuccess: [],
    onFailure,
    outputs: { status: '$response.body#/status' },
    sealedOutputs: [],
    endsOnDefaultSuccess: false,
    workflowOutputs: {},
    credentialInputs: ['accessToken'],
    transport: { connectTimeoutMs: 1000, requestTimeoutMs: 1000, retrySafe: true },
  });
  const event = (id: string) => ({ step: 'getThing', inputs: { id, accessToken: 'secret:accessToken' }, steps: {} });

  it('sends the request again with the rotated token when the cached one is refused, and succeeds', async () => {
    // GIVEN a warm container holding the token from before the rotation
    current = 'tok-old';
    aws.secrets.set(TOKEN_ARN, 'tok-old');
    const secrets = new SecretsManagerProvider({ secretIds: { accessToken: TOKEN_ARN }, client, now: fakeClock().now });
    await secrets.getSecret('accessToken');
    // WHEN the token is rotated at the provider and in Secrets Manager, well within the TTL
    current = 'tok-new';
    aws.secrets.set(TOKEN_ARN, 'tok-new');
    const result = await handleStep(plan(), event('a'), { secrets, sealer: new AesGcmSealer(), serverUrls: { api: apiUrl } });
    // THEN the step was refused once, re-read the secret, and succeeded with the new token
    expect(received).toEqual(['Bearer tok-old', 'Bearer tok-new']);
    expect(result).toMatchObject({ statusCode: 200, outcome: 'success', outputs: { status: 200 } });
  });

  it('does not send again when the secret did not change (a 403 that is a rule, not a stale credential), and the step fails as before', async () => {
    current = 'tok-new';
    aws.secrets.set(TOKEN_ARN, 'tok-new');
    const secrets = new SecretsManagerProvider({ secretIds: { accessToken: TOKEN_ARN }, client, now: fakeClock().now });
    const reads = () => aws.callsTo('secretsmanager.GetSecretValue').length;
    const before = reads();
    const failed = await handleStep(plan(), event('rule'), { secrets, sealer: new AesGcmSealer(), serverUrls: { api: apiUrl } }).catch((e: Error) => e);
    expect(failed).toMatchObject({ name: ErrorCodes.StepFailed });
    expect(received).toEqual(['Bearer tok-new']);
    // One read to send, one to check after the 403.
    expect(reads() - before).toBe(2);
  });

  it('routes a 403 the step handles (onFailure) once the re-read shows nothing changed', async () => {
    aws.secrets.set(TOKEN_ARN, 'tok-new');
    const secrets = new SecretsManagerProvider({ secretIds: { accessToken: TOKEN_ARN }, client, now: fakeClock().now });
    const result = await handleStep(
      plan([{ outcome: 'onFailure.refused', kind: 'onFailure', name: 'refused', type: 'end', criteria: [{ type: 'simple', condition: '$statusCode == 403' }] }]),
      event('rule'),
      { secrets, sealer: new AesGcmSealer(), serverUrls: { api: apiUrl } },
    );
    expect(result).toMatchObject({ statusCode: 403, outcome: 'onFailure.refused' });
    expect(received).toEqual(['Bearer tok-new']);
  });
});
