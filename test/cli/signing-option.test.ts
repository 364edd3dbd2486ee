// `--signing <file>` (issue 18): seed 001, unedited, run by the bundled CLI against the Fintecture
// simulator, which verifies PIS signatures as the real API does, with the private key in a key
// file the local secrets provider reads (ARAZZO_SECRET_<KEY>_FILE). The simulator is the product's
// own (not a test double); only the key pair is made for the test.
import { generateKeyPairSync } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli } from '../../cli/bundle-cli.js';
import { runServeCommand } from '../../cli/commands/serve.js';
import { startFintectureSandbox, type FintectureSandbox } from '../../sandbox/index.js';
import { sfnClient, waitForEnd } from '../local/sfn-endpoint/support/endpoint-harness.js';
import { runNode, type CliResult } from './run-cli.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SEED_001 = 'workflows/arazzo/token-then-payment.arazzo.yml';
const APP = { id: 'sandbox-app-id', secret: 'sandbox-app-secret' };
const KEY_NAME = 'merchant/pis-signing-key';
const KEY_VARIABLE = 'ARAZZO_SECRET_MERCHANT_PIS_SIGNING_KEY_FILE';

const outdir = join(root, 'node_modules', '.cache', `arazzo-sfn-signing-test-${process.pid}`);
let tmp: string;
let keyFile: string;
let privatePem: string;
let sandbox: FintectureSandbox;
let cacheDir: string;

const write = async (name: string, text: string) => {
  const path = join(tmp, name);
  await writeFile(path, text);
  return path;
};
const cli = (args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> =>
  runNode([join(outdir, 'main.js'), ...args], { ARAZZO_SFN_CACHE_DIR: cacheDir, [KEY_VARIABLE]: keyFile, ...env });
const seedArgs = () => [
  'run',
  SEED_001,
  '--server',
  `oauthApi=${sandbox.url}`,
  '--server',
  `pisApi=${sandbox.url}`,
  '--input',
  `clientId=${APP.id}`,
  '--input',
  `clientSecret=${APP.secret}`,
  '--input',
  'amount=149.90',
  '--input',
  'currency=EUR',
  '--input',
  'communication=Order 1042',
  '--input',
  'requestId=7d4f6a2e-5b8c-4e1f-9a3d-2c6b8e0f1a47',
  '--retry-ms',
  '1',
];

/** Every 20-character run of the key's PEM body: no output may carry any part of the key. */
function keyFragments(pem: string): string[] {
  const body = pem.replace(/-----[^-]+-----|\s/g, '');
  return Array.from({ length: Math.floor(body.length / 20) }, (_, i) => body.slice(i * 20, i * 20 + 20));
}
function expectNoKeyMaterial(...outputs: string[]) {
  const all = outputs.join('\n');
  expect(all).not.toContain('PRIVATE KEY');
  for (const fragment of keyFragments(privatePem)) expect(all.includes(fragment), `output carries part of the private key: ${fragment}`).toBe(false);
}

const SIGNING_YAML = `# Fintecture PIS: draft-cavage rsa-sha256, keyId the application id
pisApi:
  scheme: draft-cavage
  algorithm: rsa-sha256
  components: ['(request-target)', date, digest, x-request-id]
  key: ${KEY_NAME}
  keyId: $inputs.clientId
`;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'arazzo-sfn-signing-'));
  cacheDir = join(tmp, 'cache');
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  keyFile = await write('pis-signing.pem', privatePem);
  await chmod(keyFile, 0o600);
  // Verifying (the simulator's default), with the public key registered under the application id.
  sandbox = await startFintectureSandbox({ signatureKeys: { [APP.id]: publicKey.export({ type: 'spki', format: 'pem' }) as string } });
  await bundleCli(outdir);
}, 60_000);
afterAll(async () => {
  await sandbox?.close();
  await rm(outdir, { recursive: true, force: true });
  await rm(tmp, { recursive: true, force: true });
});

describe('run --signing <file> (bundled CLI)', () => {
  it('signs seed 001 as configured (YAML), and the verifying simulator accepts the payment', async () => {
    const signing = await write('signing.yml', SIGNING_YAML);
    const { code, stdout, stderr } = await cli([...seedArgs(), '--signing', signing, '--json', '--verbose']);
    expect(code, stderr).toBe(0);
    const result = JSON.parse(stdout);
    expect(result.status).toBe('SUCCEEDED');
    expect(sandbox.requestLog.filter((r) => r.operationId === 'createPisV2Connect').map((r) => r.status)).toEqual([200]);
    // Declared, the signature headers count as supplied: no ASFN2039 for them.
    expect(stderr).not.toContain('ASFN2039');
    expectNoKeyMaterial(stdout, stderr);
  });

  it('the same declarations as JSON', async () => {
    const signing = await write(
      'signing.json',
      JSON.stringify({
        pisApi: {
          scheme: 'draft-cavage',
          algorithm: 'rsa-sha256',
          components: ['(request-target)', 'date', 'digest', 'x-request-id'],
          key: KEY_NAME,
          keyId: '$inputs.clientId',
        },
      }),
    );
    const { code, stdout, stderr } = await cli([...seedArgs(), '--signing', signing, '--no-color']);
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/createPayment +POST \/pis\/v2\/connect +→ 200 /);
    expectNoKeyMaterial(stdout, stderr);
  });

  it('without it the simulator answers 401 invalid_signature and the run fails with a named error', async () => {
    const before = sandbox.requestLog.length;
    const { code, stdout, stderr } = await cli([...seedArgs(), '--json']);
    expect(code, stderr).toBe(1);
    const result = JSON.parse(stdout);
    expect(result.status).toBe('FAILED');
    expect(result.failure.name).toBe('Arazzo.StepFailed');
    expect(result.failure.cause).toContain('step createPayment: POST /pis/v2/connect answered 401');
    expect(result.failure.cause).toContain('invalid_signature');
    expect(
      sandbox.requestLog
        .slice(before)
        .filter((r) => r.operationId === 'createPisV2Connect')
        .map((r) => r.status),
    ).toEqual([401]);
  });

  it('a key file the provider cannot read fails the step naming the key, never its content', async () => {
    const signing = await write('signing-missing-key.yml', SIGNING_YAML);
    const { code, stdout, stderr } = await cli([...seedArgs(), '--signing', signing, '--json'], { [KEY_VARIABLE]: join(tmp, 'absent.pem') });
    expect(code).toBe(1);
    const result = JSON.parse(stdout);
    expect(result.failure.name).toBe('Arazzo.Secret');
    expect(`${result.failure.cause}`).toContain(KEY_NAME);
    expectNoKeyMaterial(stdout, stderr);
  });

  it('a malformed file exits 2 with file:line:col (ASFN1145), before anything runs', async () => {
    const before = sandbox.requestLog.length;
    const signing = await write('bad.yml', SIGNING_YAML.replace('algorithm: rsa-sha256', 'algorithm: rsa-sha512').replace('keyId:', 'keyid:'));
    const { code, stdout, stderr } = await cli([...seedArgs(), '--signing', signing]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(`${signing}:4:14: error ASFN1145 --signing: Invalid option: expected one of`);
    expect(stderr).toContain(`${signing}:3:3: error ASFN1145 --signing: missing required field "keyId" (pisApi.keyId)`);
    expect(stderr).toMatch(new RegExp(`${signing}:7:\\d+: error ASFN1145 --signing: unknown field "keyid" \\(pisApi\\.keyid\\)`));
    // A rule between fields is the compiler's own (ASFN1050's): rsa-sha256 is not an RFC 9421 algorithm.
    const mixed = await write('mixed.yml', SIGNING_YAML.replace('scheme: draft-cavage', 'scheme: rfc9421'));
    const second = await cli([...seedArgs(), '--signing', mixed]);
    expect(second.code).toBe(2);
    expect(second.stderr).toContain(`${mixed}:3:3: error ASFN1145 --signing: source "pisApi": algorithm "rsa-sha256" is not one of rfc9421's`);
    const broken = await write('broken.json', '{"pisApi": {"scheme": ');
    const third = await cli([...seedArgs(), '--signing', broken]);
    expect(third.code).toBe(2);
    expect(third.stderr).toMatch(new RegExp(`^${broken}:1:\\d+: error ASFN1001 `));
    expect(sandbox.requestLog.length).toBe(before);
  });
});

describe('compile --signing <file>', () => {
  it('silences the unsupplied signature header warnings honestly; a source the document lacks is ASFN2145', async () => {
    const unsigned = await cli(['compile', SEED_001]);
    expect(unsigned.code).toBe(0);
    expect(unsigned.stderr).toMatch(/ASFN2039 step "createPayment": operation createPisV2Connect requires the signature header "Signature"/);
    const signing = await write('compile.yml', `${SIGNING_YAML}pisAPI:\n${SIGNING_YAML.split('\n').slice(2).join('\n')}`);
    const { code, stdout, stderr } = await cli(['compile', SEED_001, '--signing', signing]);
    expect(code, stderr).toBe(0);
    expect(stderr).not.toContain('ASFN2039');
    expect(stderr).not.toMatch(/ASFN2010 .*"Date"/);
    expect(stderr).toContain(`${signing}:9:3: warning ASFN2145 --signing: no source description "pisAPI" in the document (has: oauthApi, pisApi)`);
    const plan = JSON.parse(stdout)['token-then-payment'].plan;
    const createPayment = plan.steps.find((s: { stepId: string }) => s.stepId === 'createPayment');
    expect(createPayment.signing).toMatchObject({ scheme: 'draft-cavage', algorithm: 'rsa-sha256', key: KEY_NAME, keyId: '$inputs.clientId' });
  });

  it('a declaration that signs no step of its source is ASFN2146', async () => {
    const signing = await write('unused.yml', SIGNING_YAML.replace('pisApi:', 'oauthApi:'));
    const { code, stderr } = await cli(['compile', SEED_001, '--signing', signing]);
    expect(code).toBe(0);
    expect(stderr).toContain(`${signing}:3:3: warning ASFN2146 --signing: source "oauthApi" has no step the declaration applies to`);
  });
});

describe('serve --signing <file>', () => {
  it('the endpoint signs seed 001 as configured, and the verifying simulator accepts it', async () => {
    const signing = await write('serve.yml', SIGNING_YAML);
    const out = new PassThrough();
    let text = '';
    out.on('data', (d) => (text += d));
    const stop = new AbortController();
    // The endpoint's secrets provider reads ARAZZO_SECRET_* from this process's environment (and its workers'):
    // the key file, and the application's credentials, which executions reference as secret:merchant/app.
    process.env[KEY_VARIABLE] = keyFile;
    process.env.ARAZZO_SECRET_MERCHANT_APP = JSON.stringify({ id: APP.id, secret: APP.secret });
    const exit = runServeCommand(
      [
        '--port',
        '0',
        '--db',
        join(tmp, 'endpoint.db'),
        '--dir',
        join(root, 'workflows/arazzo'),
        '--signing',
        signing,
        '--server',
        `oauthApi=${sandbox.url}`,
        '--server',
        `pisApi=${sandbox.url}`,
        '--retry-ms',
        '1',
      ],
      out,
      stop.signal,
    );
    try {
      const deadline = Date.now() + 30_000;
      while (!/Ctrl-C/.test(text)) {
        if (Date.now() > deadline) throw new Error(`serve did not start:\n${text}`);
        await Promise.race([new Promise((r) => setTimeout(r, 20)), exit]);
      }
      const url = /endpoint at (http:\/\/\S+)/.exec(text)![1];
      const client = sfnClient({ url, region: 'us-east-1' });
      const input = { amount: '149.90', currency: 'EUR', communication: 'Order 1042', requestId: '0b7c2f4e-8a1d-4c3b-9e6f-5d2a1b0c9e8f' };
      const { executionArn } = await client.send(
        new StartExecutionCommand({
          stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:token-then-payment',
          input: JSON.stringify({ ...input, clientId: 'secret:merchant/app#id', clientSecret: 'secret:merchant/app#secret' }),
        }),
      );
      const described = await waitForEnd(client, executionArn!);
      client.destroy();
      expect(described.status, described.cause).toBe('SUCCEEDED');
      expectNoKeyMaterial(text, JSON.stringify(described));
    } finally {
      stop.abort();
      expect(await exit).toBe(0);
      delete process.env[KEY_VARIABLE];
      delete process.env.ARAZZO_SECRET_MERCHANT_APP;
    }
  }, 60_000);

  it('a malformed file exits 2 before the endpoint starts', async () => {
    const signing = await write('serve-bad.yml', 'pisApi: [1, 2]\n');
    const out = new PassThrough();
    const err = new PassThrough();
    let errors = '';
    err.on('data', (d) => (errors += d));
    expect(await runServeCommand(['--port', '0', '--db', join(tmp, 'never.db'), '--signing', signing], out, undefined, err)).toBe(2);
    expect(errors).toContain(`${signing}:1:9: error ASFN1145 --signing:`);
  });
});
