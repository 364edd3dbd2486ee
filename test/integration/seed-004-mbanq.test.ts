import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../core/errors.js';
import type { StepLogEntry } from '../../functions/runtime/handle-step.js';
import { AesGcmSealer, InMemorySecretsProvider, isSealed } from '../../functions/runtime/secrets/index.js';
import type { CompiledWorkflow } from '../../compiler/index.js';
import { formatHistory, historyToJson } from '../../local/history/index.js';
import { LocalWorkflow, type LocalExecution } from '../../local/run-workflow.js';
import { startMbanqSandbox, type FaultRule, type MbanqSandbox, type MbanqSandboxStats, type RequestLogEntry } from '../../sandbox/index.js';
import { compileSeed, createWireTap, eventIndexes, ROOT, scanForSecrets, type WireTap } from './support/seed-harness.js';

const SEED_004 = join(ROOT, 'workflows/arazzo/mbanq-verify-customer.arazzo.yml');
const random = () => randomBytes(9).toString('hex');

const TENANT = `bank-${random()}`;
const USERNAME = `api-user-${random()}`;
const PASSWORD = `pw-${random()}`;
const CLIENT_ID = `onboarding-app-${random()}`;
const CLIENT_SECRET = `app-secret-${random()}`;

interface Run {
  readonly execution: LocalExecution;
  readonly history: readonly HistoryEvent[];
  readonly statesEntered: readonly string[];
  /** This run's requests as the sandbox logged them: [method, operationId, status]. */
  readonly calls: readonly (readonly [string, string | undefined, number])[];
  readonly requests: readonly RequestLogEntry[];
  readonly logLines: readonly string[];
  /** What the sandbox counted during this run. */
  readonly delta: Partial<Record<keyof MbanqSandboxStats, number>>;
}

/** The result the handler of `state` returned, attempt by attempt (LambdaFunctionSucceeded outputs). */
function resultsOf(history: readonly HistoryEvent[], state: string): any[] {
  const results: any[] = [];
  history.forEach((event, i) => {
    if (event.type !== 'LambdaFunctionSucceeded') return;
    let j = i;
    while (j >= 0 && !history[j].stateEnteredEventDetails) j--;
    if (history[j].stateEnteredEventDetails!.name === state) results.push(JSON.parse(event.lambdaFunctionSucceededEventDetails!.output!));
  });
  return results;
}

function input(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    tenantId: TENANT,
    username: 'secret:mbanq/api-user#username',
    password: 'secret:mbanq/api-user#password',
    clientId: 'secret:mbanq/api-user#clientId',
    clientSecret: 'secret:mbanq/api-user#clientSecret',
    firstname: 'Maria',
    lastname: 'Lopez',
    emailAddress: 'maria.lopez@example.com',
    mobileNo: '+1 415 555 0134',
    address: { addressLine1: '500 Market Street', city: 'San Francisco', stateCode: 'CA', postalCode: '94105', countryCode: 'US' },
    onboardingDate: '03 March 2025',
    documentTypeId: 1,
    documentKey: `P${random()}`,
    kycVerificationType: 'FULL',
    ...overrides,
  };
}

const HAPPY_STATES = ['Validate inputs', 'getToken', 'createClient', 'createClient.route', 'addIdentifier', 'verifyClient', 'verifyClient.route', 'activateClient', 'getClient'];
const REFUSED_STATES = ['Validate inputs', 'getToken', 'createClient', 'createClient.route', 'verifyClient', 'verifyClient.route', 'getClient'];

describe('seed 004 mbanq-verify-customer on the engine against the Mbanq sandbox', () => {
  let sandbox: MbanqSandbox;
  let workflow: CompiledWorkflow;
  let tap: WireTap;
  const secrets = new InMemorySecretsProvider({
    'mbanq/api-user': JSON.stringify({ username: USERNAME, password: PASSWORD, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }),
  });
  const sealer = new AesGcmSealer(randomBytes(32));

  async function run(runInput: Record<string, unknown>, faults?: readonly FaultRule[]): Promise<Run> {
    if (faults) sandbox.setScenario({ faults });
    const before = sandbox.stats;
    const logBefore = sandbox.requestLog.length;
    const logLines: string[] = [];
    let execution: LocalExecution;
    try {
      execution = await new LocalWorkflow(workflow).run(runInput, {
        runtime: { secrets, sealer, dispatcher: tap.dispatcher, serverUrls: { mbanqApi: sandbox.url }, log: (e: StepLogEntry) => logLines.push(JSON.stringify(e)) },
        waitMs: 1,
        retryIntervalMs: 1,
        timeoutMs: 60_000,
      });
    } finally {
      if (faults) sandbox.setScenario({});
    }
    const after = sandbox.stats;
    const requests = sandbox.requestLog.slice(logBefore);
    const delta = Object.fromEntries(
      (Object.keys(after) as (keyof MbanqSandboxStats)[]).filter((k) => typeof after[k] === 'number').map((k) => [k, (after[k] as number) - (before[k] as number)]),
    );
    return {
      execution,
      history: execution.history,
      statesEntered: execution.history.filter((e) => e.stateEnteredEventDetails).map((e) => e.stateEnteredEventDetails!.name!),
      calls: requests.map((r) => [r.method, r.operationId, r.status] as const),
      requests,
      logLines,
      delta,
    };
  }

  /** The token getToken minted, opened from its sealed output in the history. */
  async function mintedToken(r: Run): Promise<string> {
    const [result] = resultsOf(r.history, 'getToken');
    expect(isSealed(result.outputs.accessToken)).toBe(true);
    return JSON.parse(await sealer.unseal(result.outputs.accessToken, workflow.plan.steps[0].sealContext)) as string;
  }

  beforeAll(async () => {
    sandbox = await startMbanqSandbox({ tenants: { [TENANT]: { users: { [USERNAME]: PASSWORD }, oauthClients: { [CLIENT_ID]: CLIENT_SECRET } } } });
    workflow = await compileSeed(SEED_004);
    tap = createWireTap();
  });
  afterAll(async () => {
    await tap.close();
    await sandbox.close();
  });

  it('happy path: token, create, identifier, verify FULL, activate, read: ends Active with exactly these states and calls', async () => {
    const tapBefore = tap.requests.length;
    const r = await run(input({ documentTypeId: 2, documentKey: '123-45-6789' }));

    expect(r.execution.status).toBe('SUCCEEDED');
    expect(r.statesEntered).toEqual(HAPPY_STATES);
    expect(r.calls).toEqual([
      ['POST', 'requestAccessToken', 200],
      ['POST', 'createClient', 200],
      ['POST', 'createClientIdentifier', 200],
      ['POST', 'clientCommand', 200],
      ['POST', 'clientCommand', 200],
      ['GET', 'getClient', 200],
    ]);
    const customerId = (r.execution.output as Record<string, unknown>).customerId;
    expect(r.execution.output).toStrictEqual({ customerId, status: 'Active', subStatus: 'Verified', kycVerificationType: 'FULL' });
    expect(customerId).toEqual(expect.any(Number));
    expect(r.requests.map((q) => q.path).slice(2)).toEqual([
      `/v1/clients/${customerId}/identifiers`,
      `/v1/clients/${customerId}`,
      `/v1/clients/${customerId}`,
      `/v1/clients/${customerId}`,
    ]);
    expect(r.delta).toMatchObject({ tokensIssued: 1, clientsCreated: 1, identifiersCreated: 1, verifications: 1, verificationsRefused: 0, activations: 1 });
    expect(resultsOf(r.history, 'createClient')[0].outcome).toBe('success');
    expect(resultsOf(r.history, 'verifyClient')[0]).toMatchObject({ statusCode: 200, outcome: 'success', outputs: {} });

    // On the wire: the tenant on every call, the password grant as a form, the two commands by query.
    const wire = tap.requests.slice(tapBefore);
    expect(wire).toHaveLength(6);
    expect(wire.every((q) => q.headers.tenantid === TENANT)).toBe(true);
    expect(wire[0].headers['content-type']).toMatch(/^application\/x-www-form-urlencoded\b/);
    expect(Object.fromEntries(new URLSearchParams(wire[0].body))).toEqual({
      grant_type: 'password',
      username: USERNAME,
      password: PASSWORD,
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
    });
    const token = await mintedToken(r);
    expect(wire.slice(1).every((q) => q.headers.authorization === `Bearer ${token}`)).toBe(true);
    expect(JSON.parse(wire[2].body!)).toEqual({ documentTypeId: 2, documentKey: '123-45-6789' });
    expect(wire[3].path).toBe(`/v1/clients/${customerId}?command=verify`);
    expect(JSON.parse(wire[3].body!)).toEqual({ kycVerificationType: 'FULL', note: 'Requested by the mbanq-verify-customer workflow' });
    expect(wire[4].path).toBe(`/v1/clients/${customerId}?command=activate`);
    expect(JSON.parse(wire[4].body!)).toEqual({ activationDate: '03 March 2025', dateFormat: 'dd MMMM yyyy', locale: 'en' });
    expect(JSON.parse(wire[1].body!)).toMatchObject({ officeId: 1, firstname: 'Maria', address: [{ city: 'San Francisco', countryCode: 'US' }], submittedOnDate: '03 March 2025' });

    expect(r.history.at(-1)!.type).toBe('ExecutionSucceeded');
    expect(JSON.parse(r.history.at(-1)!.executionSucceededEventDetails!.output!)).toEqual(r.execution.output);
  });

  it('missing identifier: verify FULL answers 403, the onFailure route reads the client (still Pending) and the execution succeeds with Mbanq\'s reasons', async () => {
    const r = await run(input({ addIdentifier: false, documentTypeId: undefined, documentKey: undefined }));

    expect(r.execution.status).toBe('SUCCEEDED');
    expect(r.statesEntered).toEqual(REFUSED_STATES);
    expect(r.calls).toEqual([
      ['POST', 'requestAccessToken', 200],
      ['POST', 'createClient', 200],
      ['POST', 'clientCommand', 403],
      ['GET', 'getClient', 200],
    ]);
    expect(resultsOf(r.history, 'createClient')[0].outcome).toBe('onSuccess.skipIdentifier');
    const [verify] = resultsOf(r.history, 'verifyClient');
    expect(verify).toMatchObject({ statusCode: 403, outcome: 'onFailure.verificationRefused' });

    const output = r.execution.output as Record<string, any>;
    expect(Object.keys(output).sort()).toEqual(['customerId', 'developerMessage', 'status', 'userMessageGlobalisationCode', 'violations']);
    expect(output.status).toBe('Pending');
    expect(output.developerMessage).toBe('Request was understood but caused a domain rule violation.');
    expect(output.userMessageGlobalisationCode).toBe('validation.msg.domain.rule.violation');
    expect(output.violations).toEqual([
      {
        developerMessage: `Client ${output.customerId} has no identity document; FULL KYC verification needs one (Passport, SSN, ITIN, Driver's license, National ID card).`,
        defaultUserMessage: `Client ${output.customerId} has no identity document; FULL KYC verification needs one (Passport, SSN, ITIN, Driver's license, National ID card).`,
        userMessageGlobalisationCode: 'error.msg.clients.kyc.verification.identifier.missing',
        parameterName: 'id',
        value: null,
        args: [{ value: output.customerId }, { value: 'FULL' }],
      },
    ]);
    expect(r.delta).toMatchObject({ identifiersCreated: 0, verifications: 0, verificationsRefused: 1, activations: 0 });
    expect(eventIndexes(r.history, 'TaskStateEntered', 'activateClient')).toEqual([]);
  });

  it('kycVerificationType left out: the inputs schema default (FULL) is filled in before the first call', async () => {
    const r = await run(input({ kycVerificationType: undefined }));
    expect(r.execution.status).toBe('SUCCEEDED');
    expect(r.execution.output).toMatchObject({ status: 'Active', kycVerificationType: 'FULL' });
  });

  it('the same scenario at PARTIAL level needs no identifier: skipped, verified and activated', async () => {
    const r = await run(input({ addIdentifier: false, kycVerificationType: 'PARTIAL', documentTypeId: undefined, documentKey: undefined }));
    expect(r.execution.status).toBe('SUCCEEDED');
    expect(r.statesEntered).toEqual(HAPPY_STATES.filter((s) => s !== 'addIdentifier'));
    expect(r.execution.output).toMatchObject({ status: 'Active', kycVerificationType: 'PARTIAL' });
    expect(r.execution.output).not.toHaveProperty('developerMessage');
  });

  it('a 403 that is not the verify refusal (a document key another client holds) fails the execution with Arazzo.StepFailed', async () => {
    const documentKey = `P${random()}`;
    expect((await run(input({ documentKey }))).execution.status).toBe('SUCCEEDED');
    const r = await run(input({ documentKey }));
    expect(r.execution.status).toBe('FAILED');
    expect(r.execution.error).toBe(ErrorCodes.StepFailed);
    expect(r.execution.cause).toContain('step addIdentifier');
    expect(r.execution.cause).toContain('403');
    expect(r.statesEntered.at(-1)).toBe('addIdentifier.failed');
    expect(r.calls.at(-1)).toEqual(['POST', 'createClientIdentifier', 403]);
  });

  it('two 503s on the GET are retried by the Task (three attempts), and the execution still ends Active', async () => {
    const r = await run(input(), [{ operationId: 'getClient', status: 503, times: 2 }]);
    expect(r.execution.status).toBe('SUCCEEDED');
    expect(r.calls.slice(-3)).toEqual([
      ['GET', 'getClient', 503],
      ['GET', 'getClient', 503],
      ['GET', 'getClient', 200],
    ]);
    expect(eventIndexes(r.history, 'TaskStateEntered', 'getClient')).toHaveLength(1);
    expect(r.history.filter((e) => e.type === 'LambdaFunctionFailed')).toHaveLength(2);
    expect(r.history.filter((e) => e.type === 'LambdaFunctionFailed').map((e) => e.lambdaFunctionFailedEventDetails!.error)).toEqual([
      ErrorCodes.ProviderUnavailable,
      ErrorCodes.ProviderUnavailable,
    ]);
    expect((r.execution.output as Record<string, unknown>).status).toBe('Active');
  });

  it('a 503 on verify is not retried (a POST without idempotency key) and is no refusal: Arazzo.StepFailed', async () => {
    const r = await run(input(), [{ operationId: 'clientCommand', status: 503, times: 1 }]);
    expect(r.execution.status).toBe('FAILED');
    expect(r.execution.error).toBe(ErrorCodes.StepFailed);
    expect(r.execution.cause).toContain('step verifyClient');
    expect(r.execution.cause).toContain('503');
    expect(r.calls.filter(([, op]) => op === 'clientCommand')).toEqual([['POST', 'clientCommand', 503]]);
    expect(r.statesEntered).not.toContain('getClient');
  });

  it('a wrong password fails at getToken (400 invalid_grant) with no client created', async () => {
    secrets.set('mbanq/wrong-user', JSON.stringify({ username: USERNAME, password: 'not-the-password', clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }));
    const r = await run(input({ password: 'secret:mbanq/wrong-user#password' }));
    expect(r.execution.status).toBe('FAILED');
    expect(r.execution.error).toBe(ErrorCodes.StepFailed);
    expect(r.execution.cause).toContain('step getToken');
    expect(r.calls).toEqual([['POST', 'requestAccessToken', 400]]);
  });

  it.each([
    ['kycVerificationType outside the enum', { kycVerificationType: 'BASIC' }, 'inputs.kycVerificationType: must be equal to one of the allowed values'],
    ['a password given as a value', { password: PASSWORD }, 'inputs.password: is a credential'],
    ['an identifier without its document key', { documentKey: undefined }, 'missing required input "documentKey"'],
    ['an unknown input', { kycLevel: 'FULL' }, 'unexpected input "kycLevel"'],
    ['a date in another format', { onboardingDate: '2025-03-03' }, 'inputs.onboardingDate: must match pattern'],
  ])('invalid inputs (%s) fail in Validate inputs before any HTTP call', async (_name, overrides, message) => {
    const tapBefore = tap.requests.length;
    const r = await run(input(overrides));
    expect(r.execution.status).toBe('FAILED');
    expect(r.execution.error).toBe(ErrorCodes.InvalidInputs);
    expect(r.execution.cause).toContain(message);
    expect(r.statesEntered).toEqual(['Validate inputs', 'Validate inputs.failed']);
    expect(r.calls).toEqual([]);
    expect(tap.requests.length).toBe(tapBefore);
    expect(r.execution.cause).not.toContain(PASSWORD);
  });

  describe('no secret reaches the history, outputs or logs', () => {
    const readable = (r: Run) => ({
      historyJson: JSON.stringify(historyToJson([...r.history])),
      formattedHistory: formatHistory([...r.history], { showData: true }),
      output: JSON.stringify(r.execution.output ?? null),
      error: `${r.execution.error ?? ''} ${r.execution.cause ?? ''}`,
      logLines: r.logLines.join('\n'),
      engineEvents: JSON.stringify(r.execution.engineEvents),
      sandboxLog: JSON.stringify(r.requests),
    });

    function expectNoSecrets(r: Run, values: readonly string[]) {
      const leaks = Object.entries(readable(r))
        .map(([where, text]) => [where, scanForSecrets(text, values).map((s) => `<secret of ${s.length} chars>`)] as const)
        .filter(([, found]) => found.length > 0);
      expect(leaks).toEqual([]);
    }

    it('the happy path leaks neither the password, the client secret, the API user and app ids nor the minted token', async () => {
      const tapBefore = tap.requests.length;
      const r = await run(input());
      expect(r.execution.status).toBe('SUCCEEDED');
      const token = await mintedToken(r);
      expect(token.length).toBeGreaterThanOrEqual(32);
      // The values did travel (so the scan is not vacuous), and the history carries only references.
      const wire = tap.requests.slice(tapBefore);
      expect(scanForSecrets(wire.map((q) => `${q.body ?? ''} ${q.headers.authorization ?? ''}`).join('\n'), [PASSWORD, CLIENT_SECRET, token])).toHaveLength(3);
      expect(readable(r).historyJson).toContain('secret:mbanq/api-user#password');
      expectNoSecrets(r, [PASSWORD, CLIENT_SECRET, USERNAME, CLIENT_ID, token]);
    });

    it('the refused verification and a failed run leak nothing either', async () => {
      const refused = await run(input({ addIdentifier: false, documentTypeId: undefined, documentKey: undefined }));
      expect(refused.execution.status).toBe('SUCCEEDED');
      expectNoSecrets(refused, [PASSWORD, CLIENT_SECRET, USERNAME, CLIENT_ID, await mintedToken(refused)]);

      const failed = await run(input(), [{ operationId: 'clientCommand', status: 500 }]);
      expect(failed.execution.status).toBe('FAILED');
      expectNoSecrets(failed, [PASSWORD, CLIENT_SECRET, USERNAME, CLIENT_ID, await mintedToken(failed)]);
    });
  });
});
