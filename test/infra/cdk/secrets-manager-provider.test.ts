// The Secrets Manager provider of the Lambda runtime, run with the real SDK client against a
// loopback stand-in of Secrets Manager (tests of functions/runtime/secrets/secrets-manager-provider.ts).
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../../core/errors.js';
import { resolveSecretReference, parseSecretReference, SecretsManagerProvider } from '../../../functions/runtime/secrets/index.js';
import { startAwsStandIn, STAND_IN_CLIENT_CONFIG, type AwsStandIn } from './support/aws-stand-in.js';

const TOKEN_ARN = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:arazzo-sfn/token-AbCdEf';
const APP_ARN = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:arazzo-sfn/app-GhIjKl';

let aws: AwsStandIn;
let client: SecretsManagerClient;
const provider = (secretIds: Record<string, string>) => new SecretsManagerProvider({ secretIds, client });

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
