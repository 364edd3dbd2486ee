// mutualTLS and private_key_jwt end to end: the compiled workflow on the embedded engine, the
// operation handler in-process, real TLS over loopback to the PSD2 bank simulator, which
// requires a client certificate of a throw-away CA (made by Debian's OpenSSL in this test) and
// verifies client assertions with jose. The KMS variant signs through the real KMS SDK client
// against the loopback KMS stand-in (a test double: KMS itself cannot run here).
import { KMSClient } from '@aws-sdk/client-kms';
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileFileOrThrow, type CompiledWorkflow } from '../../compiler/index.js';
import type { StepLogEntry } from '../../functions/runtime/handle-step.js';
import { ClientCertificateAgents, TlsAlertAgent } from '../../functions/runtime/http/index.js';
import { AesGcmSealer, InMemorySecretsProvider } from '../../functions/runtime/secrets/index.js';
import { KmsSigningKeys, PemSigningKeys, type SigningKeys } from '../../functions/runtime/signing/index.js';
import { formatHistory, historyToJson, toHistoryEvents, type EngineEvent } from '../../local/history/index.js';
import { LocalWorkflow } from '../../local/run-workflow.js';
import { startPsd2BankSandbox, PSD2_BANK_ACCOUNTS, type Psd2BankSandbox } from '../../sandbox/index.js';
import { startAwsStandIn, STAND_IN_CLIENT_CONFIG, type AwsStandIn } from '../infra/cdk/support/aws-stand-in.js';
import { makeTestPki, type TestPki } from '../support/test-pki.js';
import { ROOT, scanForSecrets } from './support/seed-harness.js';

const FIXTURE = join(ROOT, 'test/fixtures/mtls/psd2-bank-accounts.arazzo.yml');
const NO_CERTIFICATE = join(ROOT, 'test/fixtures/mtls/psd2-bank-no-certificate.arazzo.yml');
const KMS_RSA_KEY = 'arn:aws:kms:eu-west-1:000000000000:key/jwt-rsa';
const pem = (key: KeyObject, type: 'pkcs8' | 'spki') => key.export({ type, format: 'pem' }) as string;

/** The base64 lines of a PEM text: what would show if any part of it leaked. */
const pemBody = (text: string) => text.split('\n').filter((line) => line.length >= 16 && !line.startsWith('-----'));

describe('mutualTLS and private_key_jwt against the PSD2 bank sandbox', () => {
  let pki: TestPki;
  let bank: Psd2BankSandbox;
  let aws: AwsStandIn;
  let kms: KMSClient;
  let workflows: Map<string, CompiledWorkflow>;
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const kmsRsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const clientId = `tpp-${randomBytes(6).toString('hex')}`;
  const kmsClientId = `tpp-kms-${randomBytes(6).toString('hex')}`;
  const ecClientId = `tpp-ec-${randomBytes(6).toString('hex')}`;
  const certClientId = `tpp-cert-${randomBytes(6).toString('hex')}`;
  const agents: ClientCertificateAgents[] = [];
  // The runtime's pool for steps without a certificate: it trusts the test CA, as a bank's private PKI is trusted.
  let dispatcher: TlsAlertAgent;

  beforeAll(async () => {
    pki = makeTestPki();
    dispatcher = new TlsAlertAgent({ tls: { ca: pki.caCert } });
    bank = await startPsd2BankSandbox({
      tls: { cert: pki.serverCert, key: pki.serverKey, clientCa: pki.caCert },
      clients: { [clientId]: pem(rsa.publicKey, 'spki'), [ecClientId]: pem(ec.publicKey, 'spki'), [kmsClientId]: kmsRsa.publicKey },
      certificateClients: { [certClientId]: 'client' },
    });
    aws = await startAwsStandIn();
    aws.signingKeys.set(KMS_RSA_KEY, kmsRsa.privateKey);
    kms = new KMSClient({ ...STAND_IN_CLIENT_CONFIG, endpoint: aws.url });
    const compiled = [...(await compileFileOrThrow(FIXTURE)).workflows, ...(await compileFileOrThrow(NO_CERTIFICATE)).workflows];
    workflows = new Map(compiled.map((w) => [w.plan.workflowId, w]));
  });
  afterAll(async () => {
    await Promise.all(agents.map((a) => a.close()));
    await dispatcher?.close();
    kms?.destroy();
    await aws?.close();
    await bank?.close();
  });

  async function run(workflowId: string, input: Record<string, unknown>, options: { secrets: Record<string, string>; signingKeys?: SigningKeys }) {
    const workflow = workflows.get(workflowId)!;
    const log: StepLogEntry[] = [];
    const secrets = new InMemorySecretsProvider(options.secrets);
    const clientCertificates = new ClientCertificateAgents();
    agents.push(clientCertificates);
    const execution = await new LocalWorkflow(workflow).run(input, {
      runtime: {
        secrets,
        sealer: new AesGcmSealer(randomBytes(32)),
        dispatcher,
        clientCertificates,
        ...(options.signingKeys ? { signingKeys: options.signingKeys } : {}),
        serverUrls: { bank: bank.url },
        log: (entry) => log.push(entry),
      },
      waitMs: 1,
      retryIntervalMs: 1,
      timeoutMs: 60_000,
    });
    const history = toHistoryEvents(execution.engineEvents as EngineEvent[], {
      definition: workflow.definition,
      executionArn: execution.executionArn,
      stateMachineArn: execution.stateMachineArn,
      invocations: execution.invocations,
    });
    // Everything a run keeps or shows: the history as the API and the console print it, the output, the error, the log lines, the engine's own events.
    const kept = [
      JSON.stringify(historyToJson(history)),
      formatHistory(history, { showData: true }),
      JSON.stringify(execution.output ?? null),
      `${execution.error ?? ''} ${execution.cause ?? ''}`,
      JSON.stringify(log),
      JSON.stringify(execution.engineEvents),
    ].join('\n');
    return { execution, kept, log, clientCertificates };
  }

  const input = () => ({ clientId: 'secret:tpp#id', clientCert: 'secret:tpp#cert', clientKey: 'secret:tpp#key', caCert: 'secret:bank-ca' });
  const tppSecret = (id: string, cert = pki.clientCert, key = pki.clientKey) => JSON.stringify({ id, cert, key });

  it('compiles without diagnostics; a step with no certificate for an operation that requires one is warned about (ASFN2116)', async () => {
    expect((await compileFileOrThrow(FIXTURE)).diagnostics).toEqual([]);
    const warned = (await compileFileOrThrow(NO_CERTIFICATE)).diagnostics;
    expect(warned.map((d) => d.code)).toEqual(['ASFN2116']);
    expect(warned[0].message).toContain('BankMtls');
  });

  it('PS256 assertion signed with a PEM key, over mutual TLS: token and accounts on connections that present the certificate; nothing of the key, certificate or token in what the run keeps', async () => {
    const before = { ...bank.store.issued };
    const seenBefore = bank.store.certificatesSeen.length;
    const { execution, kept, log, clientCertificates } = await run('list-accounts', input(), {
      secrets: { tpp: tppSecret(clientId), 'bank-ca': pki.caCert, 'bank-assertion-key': pem(rsa.privateKey, 'pkcs8') },
    });
    expect(execution.error).toBeUndefined();
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.output).toEqual({ firstAccount: PSD2_BANK_ACCOUNTS[0].resourceId });
    expect(bank.store.issued.accessTokens - before.accessTokens).toBe(1);
    // Both calls came over connections presenting the client certificate (CN=client), and the token is bound to it.
    expect(bank.store.certificatesSeen.slice(seenBefore)).toEqual(['client', 'client']);
    const tokens = [...bank.store.tokens.entries()].filter(([, r]) => r.clientId === clientId);
    expect(tokens).toHaveLength(1);
    expect(tokens[0][1].certificateThumbprint).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(log.map((l) => `${l.method} ${l.path} ${l.statusCode}`)).toEqual(['POST /oauth2/token 200', 'GET /v1/accounts 200']);
    expect(clientCertificates.size).toBe(1);
    const secrets = [...pemBody(pki.clientKey), ...pemBody(pki.clientCert), ...pemBody(pki.caCert), ...pemBody(pem(rsa.privateKey, 'pkcs8')), tokens[0][0]];
    expect(scanForSecrets(kept, secrets)).toEqual([]);
  });

  it('ES256 with a key id: the bank verifies the r‖s signature (P1363, as JWS wants it)', async () => {
    const secrets = { tpp: tppSecret(ecClientId), 'bank-ca': pki.caCert, 'bank-assertion-key-ec': pem(ec.privateKey, 'pkcs8') };
    const before = bank.store.issued.accessTokens;
    const first = await run('list-accounts-es256', input(), { secrets });
    expect(first.execution.status).toBe('SUCCEEDED');
    expect(bank.store.issued.accessTokens - before).toBe(1);
  });

  it('PS256 signed in KMS (kms:Sign RSASSA_PSS_SHA_256 through the real SDK, against the loopback stand-in): the bank verifies it with the public key', async () => {
    const keys = new KmsSigningKeys({ keys: { 'bank-assertion-key': KMS_RSA_KEY }, client: kms });
    const signs = aws.callsTo('TrentService.Sign').length;
    const { execution, kept } = await run('list-accounts', input(), {
      secrets: { tpp: tppSecret(kmsClientId), 'bank-ca': pki.caCert },
      signingKeys: keys,
    });
    expect(execution.error).toBeUndefined();
    expect(execution.status).toBe('SUCCEEDED');
    const calls = aws.callsTo('TrentService.Sign').slice(signs);
    expect(calls).toHaveLength(1);
    expect(calls[0].signed).toBe(true);
    const body = calls[0].body as { KeyId: string; Message: string; MessageType: string; SigningAlgorithm: string };
    expect(body).toMatchObject({ KeyId: KMS_RSA_KEY, MessageType: 'RAW', SigningAlgorithm: 'RSASSA_PSS_SHA_256' });
    // The message is the JWS signing input: header.claims, base64url, never the key.
    const [header, claims] = Buffer.from(body.Message, 'base64').toString('ascii').split('.').map((p) => JSON.parse(Buffer.from(p, 'base64url').toString()));
    expect(header).toEqual({ alg: 'PS256', typ: 'JWT' });
    expect(claims).toMatchObject({ iss: kmsClientId, sub: kmsClientId, aud: `${bank.url}/oauth2/token` });
    expect(claims.exp - claims.iat).toBe(60);
    expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(scanForSecrets(kept, [...pemBody(pki.clientKey)])).toEqual([]);
  });

  it('tls_client_auth (RFC 8705): the token request sends the client id alone, and the certificate on the connection proves it', async () => {
    const before = bank.store.issued.accessTokens;
    const { execution, log } = await run('list-accounts-tls-client-auth', input(), { secrets: { tpp: tppSecret(certClientId), 'bank-ca': pki.caCert } });
    expect(execution.error).toBeUndefined();
    expect(execution.status).toBe('SUCCEEDED');
    expect(bank.store.issued.accessTokens - before).toBe(1);
    expect(log.map((l) => `${l.method} ${l.path} ${l.statusCode}`)).toEqual(['POST /oauth2/token 200', 'GET /v1/accounts 200']);
  });

  it('a certificate from a CA the bank does not trust: Arazzo.AuthFailed naming the TLS alert, on the first attempt, never retried', async () => {
    const { execution, kept } = await run('list-accounts', input(), {
      secrets: { tpp: tppSecret(clientId, pki.strangerCert, pki.strangerKey), 'bank-ca': pki.caCert, 'bank-assertion-key': pem(rsa.privateKey, 'pkcs8') },
    });
    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('Arazzo.AuthFailed');
    // Node's TLS server drops an untrusted certificate's connection without an alert (OpenSSL-based gateways send "unknown ca"): either is named.
    expect(execution.cause).toMatch(/token request to https:\/\/127\.0\.0\.1:\d+\/oauth2\/token failed: the server (refused the TLS handshake \(alert: unknown ca\)|closed the new TLS connection before answering anything, right after the client certificate was presented)/);
    // One handler call: AuthFailed is not in the Task's Retry.
    expect(execution.invocations.filter((i) => i.stateName === 'listAccounts')).toHaveLength(1);
    expect(scanForSecrets(kept, [...pemBody(pki.strangerKey), ...pemBody(pki.strangerCert)])).toEqual([]);
  });

  it('no client certificate at all: the bank refuses the handshake (certificate required) and the step fails by name, once', async () => {
    const { execution } = await run('list-accounts-without-certificate', { accessToken: 'secret:token' }, { secrets: { token: 'not-a-real-token' } });
    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('Arazzo.AuthFailed');
    expect(execution.cause).toContain('alert: certificate required');
    expect(execution.invocations.filter((i) => i.stateName === 'listAccounts')).toHaveLength(1);
  });

  it('a replayed assertion, a wrong audience and a long-lived one are refused by the bank (invalid_client)', async () => {
    // Made by the runtime's own signer, sent by hand over mutual TLS, as an attacker who copied one would.
    const { signClientAssertion } = await import('../../functions/runtime/auth/client-assertion.js');
    const keys = new PemSigningKeys(new InMemorySecretsProvider({ k: pem(rsa.privateKey, 'pkcs8') }));
    const agent = new ClientCertificateAgents();
    agents.push(agent);
    const dispatcherWithCert = agent.agentFor({ cert: pki.clientCert, key: pki.clientKey, ca: pki.caCert }, 'test');
    const { request } = await import('undici');
    const post = async (assertion: string) => {
      const res = await request(`${bank.url}/oauth2/token`, {
        method: 'POST',
        dispatcher: dispatcherWithCert,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'accounts', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion }).toString(),
      });
      return { status: res.statusCode, body: (await res.body.json()) as { error?: string; error_description?: string } };
    };
    const tokenUrl = `${bank.url}/oauth2/token`;
    const assertion = await signClientAssertion({ clientId, tokenUrl, key: 'k', algorithm: 'RS256', now: Date.now() }, keys);
    expect((await post(assertion)).status).toBe(200);
    const replay = await post(assertion);
    expect(replay).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    expect(replay.body.error_description).toContain('jti was used before');
    const elsewhere = await post(await signClientAssertion({ clientId, tokenUrl: 'https://other.example/token', key: 'k', now: Date.now() }, keys));
    expect(elsewhere.body.error_description).toContain('aud');
    const old = await post(await signClientAssertion({ clientId, tokenUrl, key: 'k', now: Date.now() - 120_000 }, keys));
    expect(old.body.error_description).toContain('expired');
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const forged = await post(await signClientAssertion({ clientId, tokenUrl, key: 'k', now: Date.now() }, new PemSigningKeys(new InMemorySecretsProvider({ k: pem(stranger.privateKey, 'pkcs8') }))));
    expect(forged.body.error_description).toContain('signature');
    expect(bank.store.refused).toMatchObject({ replayed: 1, 'bad-claims': 1, expired: 1, 'bad-signature': 1 });
  });
});
