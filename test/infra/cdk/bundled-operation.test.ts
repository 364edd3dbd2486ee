// Operation Lambdas exactly as the CDK app bundles them (the esbuild output staged in the cloud
// assembly), loaded in-process and invoked against the Fintecture sandbox. Secrets Manager and KMS
// are a local stand-in (support/aws-stand-in.ts): a loopback server speaking their JSON protocol,
// reached by the real AWS SDK through AWS_ENDPOINT_URL_SECRETS_MANAGER / AWS_ENDPOINT_URL_KMS,
// the SDK being external to the bundle as the Lambda runtime provides it.
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../../core/errors.js';
import type { StepEvent, StepResult } from '../../../core/plan.js';
import { KMS_SEALED_PREFIX, SEAL_CONTEXT_KEY } from '../../../functions/runtime/secrets/index.js';
import { FINTECTURE_SANDBOX_URL } from '../../../infra/cdk/seed-workflows-stack.js';
import { startFintectureSandbox, type FintectureSandbox } from '../../../sandbox/index.js';
import { startAwsStandIn, STAND_IN_CLIENT_CONFIG, type AwsStandIn } from './support/aws-stand-in.js';
import { deployedArn as deployedArnIn, deployedEnvironment, functionKeysByLogicalId, synthSeeds, type SynthesizedSeeds } from './support/synth-seeds.js';

type Handler = (event: StepEvent) => Promise<StepResult>;

const AWS_ENV = ['AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL_SECRETS_MANAGER', 'AWS_ENDPOINT_URL_KMS', 'AWS_EC2_METADATA_DISABLED'];
const FUNCTION_ENV = ['ARAZZO_SECRET_IDS', 'ARAZZO_SERVER_URLS', 'ARAZZO_SEAL_KEY_ID', 'ARAZZO_SIGNING_KEYS'];
const saved = new Map([...AWS_ENV, ...FUNCTION_ENV].map((name) => [name, process.env[name]]));

let seeds: SynthesizedSeeds;
let aws: AwsStandIn;
let sandbox: FintectureSandbox;

const deployedArn = (logicalId: string) => deployedArnIn(seeds.template, logicalId);
const secretArn = (prefix: string) => deployedArn(Object.keys(seeds.template.findResources('AWS::SecretsManager::Secret')).find((id) => id.startsWith(prefix))!);

/**
 * Loads a function's bundle with the environment CloudFormation would give it (ARNs of a fake
 * account), its provider server pointed at the local sandbox instead of Fintecture's.
 */
async function loadFunction(functionKey: string): Promise<{ handler: Handler; environment: Record<string, string> }> {
  const [logicalId] = Object.entries(functionKeysByLogicalId(seeds.template)).find(([, f]) => f.functionKey === functionKey)!;
  const fn = seeds.template.findResources('AWS::Lambda::Function')[logicalId];
  const environment = deployedEnvironment(seeds.template, logicalId);
  const serverUrls = JSON.parse(environment.ARAZZO_SERVER_URLS) as Record<string, string>;
  expect(Object.values(serverUrls)).toEqual(Object.values(serverUrls).map(() => FINTECTURE_SANDBOX_URL));
  for (const name of FUNCTION_ENV) delete process.env[name];
  Object.assign(process.env, environment, { ARAZZO_SERVER_URLS: JSON.stringify(Object.fromEntries(Object.keys(serverUrls).map((s) => [s, sandbox.url]))) });
  const hash = String(fn.Properties.Code.S3Key).replace(/\.zip$/, '');
  const bundle = pathToFileURL(join(seeds.outdir, `asset.${hash}`, 'index.mjs')).href;
  const module = (await import(/* @vite-ignore */ bundle)) as { handler: Handler };
  return { handler: module.handler, environment };
}

async function customersToken(): Promise<string> {
  const body = new URLSearchParams({ grant_type: 'client_credentials', scope: 'customer', client_id: 'sandbox-app-id', client_secret: 'sandbox-app-secret' });
  const res = await request(`${sandbox.url}/oauth/accesstoken`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: body.toString() });
  return ((await res.body.json()) as { access_token: string }).access_token;
}

beforeAll(async () => {
  // Synth bundles 23 functions: on a shared 2-core machine that alone can take minutes (a kill limit, not a timing).
  seeds = synthSeeds();
  // The seed stack signs seed 001's PIS calls with its KMS key: the stand-in holds the private half (as KMS would), and the
  // PIS simulator verifies with the public half registered under the application id, as Fintecture does.
  const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
  [aws, sandbox] = await Promise.all([
    startAwsStandIn(),
    startFintectureSandbox({ signatureKeys: { 'sandbox-app-id': signingKey.publicKey.export({ type: 'spki', format: 'pem' }) as string } }),
  ]);
  aws.signingKeys.set(deployedArn(seeds.template.getResourceId('AWS::KMS::Key', { Properties: { KeySpec: 'RSA_2048' } })), signingKey.privateKey);
  Object.assign(process.env, {
    AWS_REGION: STAND_IN_CLIENT_CONFIG.region,
    AWS_ACCESS_KEY_ID: STAND_IN_CLIENT_CONFIG.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: STAND_IN_CLIENT_CONFIG.credentials.secretAccessKey,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.url,
    AWS_ENDPOINT_URL_KMS: aws.url,
    AWS_EC2_METADATA_DISABLED: 'true',
  });
  delete process.env.AWS_SESSION_TOKEN;
}, 360_000);

afterAll(async () => {
  for (const [name, value] of saved) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await Promise.all([aws?.close(), sandbox?.close()]);
  seeds?.remove();
});

describe('bundled operation Lambdas', () => {
  it('createCustomer reads its token from Secrets Manager and creates the customer', async () => {
    // GIVEN the Customers token in (the stand-in of) Secrets Manager under the secret's ARN
    const token = await customersToken();
    aws.secrets.set(secretArn('CustomersToken'), token);
    const { handler, environment } = await loadFunction('customersApi.createCustomer');
    expect(JSON.parse(environment.ARAZZO_SECRET_IDS)).toEqual({ accessToken: secretArn('CustomersToken') });

    // WHEN the bundled handler gets the event its Task state sends
    const kmsCalls = aws.calls.filter((c) => c.target.startsWith('TrentService.')).length;
    const result = await handler({
      step: 'createCustomer',
      inputs: { accessToken: 'secret:accessToken', firstName: 'Jane', lastName: 'Doe', email: 'jane.doe@example.com', providerId: 'provider-sandbox-fr', expectedName: 'Jane Doe' },
      steps: {},
    });

    // THEN the sandbox created the customer with the token, read once by the secret's ARN
    expect(result).toEqual({ statusCode: 201, outcome: 'success', outputs: { customerId: expect.stringMatching(/^cus_/) }, visits: 1, attempts: 1 });
    expect(sandbox.requestLog.filter((r) => r.operationId === 'createCustomer').map((r) => r.status)).toEqual([201]);
    expect(aws.callsTo('secretsmanager.GetSecretValue').map((c) => [c.body.SecretId, c.signed])).toEqual([[secretArn('CustomersToken'), true]]);
    expect(JSON.stringify(result)).not.toContain(token);
    // Nothing to seal: no data key asked for.
    expect(aws.calls.filter((c) => c.target.startsWith('TrentService.')).length).toBe(kmsCalls);
  });

  it('mintToken seals the token with a KMS data key and createPayment, another function, opens it and signs with the stack\'s KMS key', async () => {
    aws.secrets.set(secretArn('FintectureApp'), JSON.stringify({ clientId: 'sandbox-app-id', clientSecret: 'sandbox-app-secret' }));
    const mint = await loadFunction('oauthApi.createAccessToken');
    const inputs = {
      clientId: 'secret:clientId#clientId',
      clientSecret: 'secret:clientSecret#clientSecret',
      amount: '149.90',
      currency: 'EUR',
      communication: 'Order 1042',
      requestId: '7d4f6a2e-5b8c-4e1f-9a3d-2c6b8e0f1a47',
    };
    const minted = await mint.handler({ step: 'mintToken', inputs, steps: {} });
    expect(minted).toMatchObject({ statusCode: 200, outcome: 'success', outputs: { accessToken: expect.stringMatching(new RegExp(`^${KMS_SEALED_PREFIX}`)), expiresIn: 3600 } });
    const keyArn = mint.environment.ARAZZO_SEAL_KEY_ID;
    expect(aws.callsTo('TrentService.GenerateDataKey').map((c) => c.body)).toEqual([{ KeyId: keyArn, KeySpec: 'AES_256', EncryptionContext: { [SEAL_CONTEXT_KEY]: 'arazzo-sfn' } }]);

    const pay = await loadFunction('pisApi.createPisV2Connect');
    // It is told the application id's secret only (the signature's keyId, $inputs.clientId); IAM lets it read that secret.
    expect(JSON.parse(pay.environment.ARAZZO_SECRET_IDS)).toEqual({ clientId: secretArn('FintectureApp') });
    const paid = await pay.handler({ step: 'createPayment', inputs, steps: { mintToken: minted } });
    expect(paid).toMatchObject({ statusCode: 200, outcome: 'success', outputs: { sessionId: expect.stringMatching(/^[0-9a-f]{32}$/), connectUrl: expect.stringContaining(sandbox.url) } });
    // The payment was authorised with the opened token: the second function unwrapped the data key with one KMS Decrypt.
    expect(sandbox.requestLog.filter((r) => r.operationId === 'createPisV2Connect').map((r) => r.status)).toEqual([200]);
    expect(aws.callsTo('TrentService.Decrypt').map((c) => c.body.EncryptionContext)).toEqual([{ [SEAL_CONTEXT_KEY]: 'arazzo-sfn' }]);
    // Signed through kms:Sign with the key the stack created, keyId the application id read from its secret: the verifying simulator took it.
    const signingKeyArn = deployedArn(seeds.template.getResourceId('AWS::KMS::Key', { Properties: { KeySpec: 'RSA_2048' } }));
    expect(JSON.parse(pay.environment.ARAZZO_SIGNING_KEYS)).toEqual({ 'fintecture-pis-signing': signingKeyArn });
    expect(mint.environment.ARAZZO_SIGNING_KEYS).toBeUndefined();
    expect(aws.callsTo('TrentService.Sign').map((c) => [c.body.KeyId, c.body.SigningAlgorithm, c.body.MessageType, c.signed])).toEqual([[signingKeyArn, 'RSASSA_PKCS1_V1_5_SHA_256', 'RAW', true]]);
    expect(sandbox.requestLog.filter((r) => r.operationId === 'createPisV2Connect')).toHaveLength(1);
    expect(JSON.stringify(paid)).not.toMatch(/keyId=|signature=/i);
  });

  it('refuses a step it does not serve with Arazzo.Plan', async () => {
    const { handler } = await loadFunction('pisApi.getPaymentSession');
    await expect(handler({ step: 'createPayment', inputs: {}, steps: {} })).rejects.toMatchObject({ name: ErrorCodes.Plan, message: expect.stringContaining('serves steps getPayment') });
  });
});
