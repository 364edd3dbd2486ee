// Operation Lambdas exactly as the CDK app bundles them (the esbuild output staged in the cloud
// assembly), loaded in-process and invoked against the Fintecture sandbox. Secrets Manager and KMS
// are a local stand-in (support/aws-stand-in.ts): a loopback server speaking their JSON protocol,
// reached by the real AWS SDK through AWS_ENDPOINT_URL_SECRETS_MANAGER / AWS_ENDPOINT_URL_KMS,
// the SDK being external to the bundle as the Lambda runtime provides it.
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
import { functionKeysByLogicalId, synthSeeds, type SynthesizedSeeds } from './support/synth-seeds.js';

type Handler = (event: StepEvent) => Promise<StepResult>;

const AWS_ENV = ['AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL_SECRETS_MANAGER', 'AWS_ENDPOINT_URL_KMS', 'AWS_EC2_METADATA_DISABLED'];
const FUNCTION_ENV = ['ARAZZO_SECRET_IDS', 'ARAZZO_SERVER_URLS', 'ARAZZO_SEAL_KEY_ID'];
const saved = new Map([...AWS_ENV, ...FUNCTION_ENV].map((name) => [name, process.env[name]]));

let seeds: SynthesizedSeeds;
let aws: AwsStandIn;
let sandbox: FintectureSandbox;

/** What a resource's Ref or Fn::GetAtt Arn would be once deployed, in a fake account. */
function deployedArn(logicalId: string): string {
  const type = seeds.template.toJSON().Resources[logicalId].Type as string;
  if (type === 'AWS::SecretsManager::Secret') return `arn:aws:secretsmanager:us-east-1:000000000000:secret:${logicalId}-AbCdEf`;
  if (type === 'AWS::KMS::Key') return `arn:aws:kms:us-east-1:000000000000:key/${logicalId}`;
  throw new Error(`no fake ARN for ${type}`);
}

function resolveValue(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, any>;
  if (v.Ref) return deployedArn(v.Ref);
  if (v['Fn::GetAtt']) return deployedArn(v['Fn::GetAtt'][0]);
  if (v['Fn::Join']) return (v['Fn::Join'][1] as unknown[]).map(resolveValue).join(v['Fn::Join'][0]);
  throw new Error(`cannot resolve ${JSON.stringify(value)}`);
}

const secretArn = (prefix: string) => deployedArn(Object.keys(seeds.template.findResources('AWS::SecretsManager::Secret')).find((id) => id.startsWith(prefix))!);

/**
 * Loads a function's bundle with the environment CloudFormation would give it (ARNs of a fake
 * account), its provider server pointed at the local sandbox instead of Fintecture's.
 */
async function loadFunction(functionKey: string): Promise<{ handler: Handler; environment: Record<string, string> }> {
  const [logicalId] = Object.entries(functionKeysByLogicalId(seeds.template)).find(([, f]) => f.functionKey === functionKey)!;
  const fn = seeds.template.findResources('AWS::Lambda::Function')[logicalId];
  const environment = Object.fromEntries(Object.entries((fn.Properties.Environment?.Variables ?? {}) as Record<string, unknown>).map(([k, v]) => [k, resolveValue(v)]));
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
  seeds = synthSeeds();
  // The seed stack declares no signing for seed 001, so its PIS simulator does not verify signatures here (the KMS signing
  // path of a deployed function is tested in test/functions/runtime/signing/kms-signing-keys.test.ts and signing.test.ts).
  [aws, sandbox] = await Promise.all([startAwsStandIn(), startFintectureSandbox({ verifySignatures: false })]);
  Object.assign(process.env, {
    AWS_REGION: STAND_IN_CLIENT_CONFIG.region,
    AWS_ACCESS_KEY_ID: STAND_IN_CLIENT_CONFIG.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: STAND_IN_CLIENT_CONFIG.credentials.secretAccessKey,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.url,
    AWS_ENDPOINT_URL_KMS: aws.url,
    AWS_EC2_METADATA_DISABLED: 'true',
  });
  delete process.env.AWS_SESSION_TOKEN;
}, 180_000);

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

  it('mintToken seals the token with a KMS data key and createPayment, another function, opens it', async () => {
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
    expect(pay.environment.ARAZZO_SECRET_IDS).toBeUndefined();
    const paid = await pay.handler({ step: 'createPayment', inputs, steps: { mintToken: minted } });
    expect(paid).toMatchObject({ statusCode: 200, outcome: 'success', outputs: { sessionId: expect.stringMatching(/^[0-9a-f]{32}$/), connectUrl: expect.stringContaining(sandbox.url) } });
    // The payment was authorised with the opened token: the second function unwrapped the data key with one KMS Decrypt.
    expect(sandbox.requestLog.filter((r) => r.operationId === 'createPisV2Connect').map((r) => r.status)).toEqual([200]);
    expect(aws.callsTo('TrentService.Decrypt').map((c) => c.body.EncryptionContext)).toEqual([{ [SEAL_CONTEXT_KEY]: 'arazzo-sfn' }]);
  });

  it('refuses a step it does not serve with Arazzo.Plan', async () => {
    const { handler } = await loadFunction('pisApi.getPaymentSession');
    await expect(handler({ step: 'createPayment', inputs: {}, steps: {} })).rejects.toMatchObject({ name: ErrorCodes.Plan, message: expect.stringContaining('serves steps getPayment') });
  });
});
