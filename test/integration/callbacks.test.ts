import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { compileFileOrThrow, type CompiledWorkflow } from '../../compiler/index.js';
import { AesGcmSealer, InMemorySecretsProvider } from '../../functions/runtime/secrets/index.js';
import { startLocalCallbacks, type LocalCallbacks } from '../../local/local-callbacks.js';
import { LocalWorkflow, type LocalExecution } from '../../local/run-workflow.js';

/**
 * A provider that answers a KYC start at once and reports the result later by calling the
 * webhook URL it was given (as connectFi does): a scripted stand-in, real HTTP both ways.
 */
interface Script {
  statuses: string[];
  /** Indexes of callbacks never sent. */
  lose?: number[];
  /** Send every callback twice. */
  duplicate?: boolean;
}
/**
 * One scripted exchange: the callbacks the provider sends for one KYC start, the receiver's
 * answers to them, and when the last one was answered. Each run has its own, so an answer that
 * arrives late (the execution resumes before the receiver's answer reaches the provider) can
 * never land in the next test's list, and a test waits for its own answers instead of polling
 * with a deadline a loaded machine can miss.
 */
interface Played {
  readonly script: Script;
  readonly answers: number[];
  /** Resolves once every callback of the script was sent and answered. */
  readonly finished: Promise<void>;
}

function startProvider() {
  const newSession = (script: Script) => {
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    return { script, answers: [] as number[], finished, finish };
  };
  let session = newSession({ statuses: [] });
  let current = 'PENDING';
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', async () => {
      res.setHeader('content-type', 'application/json');
      if (req.method === 'POST' && req.url === '/kyc/init') {
        const own = session;
        const { customerId, webhookURL } = JSON.parse(raw) as { customerId: string; webhookURL: string };
        res.end(JSON.stringify({ code: '0', data: { customerId, kycStatus: 'WAITING_DATA' } }));
        try {
          for (const [i, status] of own.script.statuses.entries()) {
            await new Promise((r) => setTimeout(r, 10));
            current = status;
            if (own.script.lose?.includes(i)) continue;
            for (let n = 0; n < (own.script.duplicate ? 2 : 1); n++) {
              const answer = await fetch(webhookURL, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: '0', data: { customerId, kycStatus: status } }) });
              own.answers.push(answer.status);
            }
          }
        } finally {
          own.finish();
        }
        return;
      }
      if (req.method === 'GET' && req.url?.startsWith('/kyc/status/')) return res.end(JSON.stringify({ code: '0', data: { kycStatus: current } }));
      res.statusCode = 404;
      res.end('{}');
    });
  });
  return {
    listen: () => new Promise<string>((r) => server.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(server.address() as AddressInfo).port}`))),
    play(next: Script): Played {
      session = newSession(next);
      current = 'PENDING';
      return session;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const OPENAPI = `openapi: 3.1.0
info: { title: kyc, version: '1' }
servers: [{ url: http://unused.example }]
paths:
  /kyc/init:
    post:
      operationId: initKyc
      requestBody:
        required: true
        content:
          application/json:
            schema: { type: object, properties: { customerId: { type: string }, webhookURL: { type: string } } }
      responses: { '200': { description: started } }
  /kyc/status/{customerId}:
    get:
      operationId: getKycStatus
      parameters: [{ name: customerId, in: path, required: true, schema: { type: string } }]
      responses: { '200': { description: status } }
`;
const arazzo = (onTimeout: boolean) => `arazzo: 1.0.1
info: { title: kyc, version: '1' }
sourceDescriptions: [{ name: kyc, url: ./kyc.openapi.yml, type: openapi }]
workflows:
- workflowId: kyc-callback
  inputs: { type: object, required: [customerId], properties: { customerId: { type: string } } }
  steps:
  - stepId: startKyc
    operationId: initKyc
    requestBody:
      contentType: application/json
      payload: { customerId: $inputs.customerId, webhookURL: set-by-the-handler }
    x-arazzo-sfn-callback:
      urlTarget: /webhookURL
      statusPointer: /data/kycStatus
      pending: [WAITING_DATA, PENDING, REVIEW]
      heartbeatSeconds: 5
      timeoutSeconds: 20
${onTimeout ? '      onTimeout: pollStatus\n' : ''}    outputs:
      status: $response.body#/data/kycStatus
    onSuccess:
    - { name: settled, type: end }
  - stepId: pollStatus
    operationId: getKycStatus
    parameters: [{ name: customerId, in: path, value: $inputs.customerId }]
    outputs:
      status: $response.body#/data/kycStatus
    onSuccess:
    - name: stillPending
      type: goto
      stepId: pollStatus
      criteria: [{ condition: $response.body#/data/kycStatus == 'REVIEW' || $response.body#/data/kycStatus == 'WAITING_DATA' || $response.body#/data/kycStatus == 'PENDING' }]
      x-arazzo-sfn-loop: { intervalSeconds: 1, backoffRate: 1, maxDelaySeconds: 1, maxAttempts: 5 }
  outputs:
    callbackStatus: $steps.startKyc.outputs.status
    polledStatus: $steps.pollStatus.outputs.status
`;

describe('callback steps (x-arazzo-sfn-callback): .waitForTaskToken resumed by the webhook receiver', () => {
  const provider = startProvider();
  let providerUrl: string;
  let callbacks: LocalCallbacks;
  const compiled = new Map<boolean, CompiledWorkflow>();
  const sealer = new AesGcmSealer();
  const secrets = new InMemorySecretsProvider();

  beforeAll(async () => {
    providerUrl = await provider.listen();
    callbacks = await startLocalCallbacks({ sealer, secrets });
    for (const onTimeout of [true, false]) {
      const dir = await mkdtemp(join(tmpdir(), 'arazzo-callback-'));
      await writeFile(join(dir, 'kyc.openapi.yml'), OPENAPI);
      await writeFile(join(dir, 'kyc.arazzo.yml'), arazzo(onTimeout));
      compiled.set(onTimeout, (await compileFileOrThrow(join(dir, 'kyc.arazzo.yml'))).workflows[0]);
    }
  });
  afterAll(async () => {
    await callbacks.close();
    await provider.close();
  });
  afterEach(() => provider.play({ statuses: [] }));

  /** The exchange of the last run started. */
  let played: Played;
  const run = (script: Script, onTimeout = true): Promise<LocalExecution> => {
    played = provider.play(script);
    return new LocalWorkflow(compiled.get(onTimeout)!).run({ customerId: 'csta-1' }, {
      runtime: { secrets, sealer, serverUrls: { kyc: providerUrl } },
      waitMs: 1,
      // 5 s of heartbeat become 500 ms: long against the provider's 10 ms pace even on a loaded machine.
      callbacks: { local: callbacks, secondsToMs: 100 },
      timeoutMs: 10_000,
    });
  };
  const entered = (e: LocalExecution) => e.history.filter((h) => h.stateEnteredEventDetails).map((h) => h.stateEnteredEventDetails!.name);

  it('compiles to a lambda:invoke.waitForTaskToken Task bounded by HeartbeatSeconds and TimeoutSeconds, with the fallback on the timeouts', () => {
    expect(compiled.get(true)!.definition.States.startKyc).toMatchObject({
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: { Payload: { step: 'startKyc', 'taskToken.$': '$$.Task.Token' } },
      HeartbeatSeconds: 5,
      TimeoutSeconds: 20,
      Catch: [
        { ErrorEquals: ['States.Timeout', 'States.HeartbeatTimeout'], ResultPath: '$.error', Next: 'pollStatus' },
        { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'startKyc.failed' },
      ],
    });
  });

  it('WAITING_DATA and REVIEW keep it waiting (heartbeats); APPROVED resumes it with the callback as $response', async () => {
    const exec = await run({ statuses: ['WAITING_DATA', 'REVIEW', 'APPROVED'] });
    expect(exec.status).toBe('SUCCEEDED');
    expect(exec.output).toEqual({ callbackStatus: 'APPROVED' });
    expect(entered(exec)).toEqual(['Validate inputs', 'startKyc', 'startKyc.route', 'startKyc.end']);
    // The execution resumes before the receiver's answer reaches the provider.
    await played.finished;
    expect(played.answers).toEqual([202, 202, 200]);
  });

  it('DECLINED settles it too, with the declined status as output', async () => {
    const exec = await run({ statuses: ['REVIEW', 'DECLINED'] });
    expect(exec.output).toEqual({ callbackStatus: 'DECLINED' });
  });

  it('a duplicate of a settled callback is refused (409) and changes nothing', async () => {
    const exec = await run({ statuses: ['APPROVED'], duplicate: true });
    expect(exec.status).toBe('SUCCEEDED');
    // Its own exchange, awaited to the end: no deadline to miss under load, no late answer of another test.
    await played.finished;
    expect(played.answers).toEqual([200, 409]);
  });

  it('a forged callback (an id nobody issued) is refused with 401 and the execution goes on untouched', async () => {
    const pending = run({ statuses: ['WAITING_DATA', 'APPROVED'] });
    const forged = await fetch(`${callbacks.baseUrl}/callbacks?id=${randomBytes(32).toString('base64url')}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ data: { kycStatus: 'DECLINED' } }),
    });
    expect(forged.status).toBe(401);
    const exec = await pending;
    expect(exec.output).toEqual({ callbackStatus: 'APPROVED' });
  });

  it('a lost callback: the heartbeat lapses and the fallback poll reads the status', async () => {
    const exec = await run({ statuses: ['WAITING_DATA', 'APPROVED'], lose: [1] });
    expect(exec.status).toBe('SUCCEEDED');
    expect(entered(exec)).toEqual(['Validate inputs', 'startKyc', 'pollStatus', 'pollStatus.route', 'pollStatus.end']);
    expect(exec.output).toEqual({ polledStatus: 'APPROVED' });
  });

  it('without a fallback, a lost callback fails the execution with States.HeartbeatTimeout, never a stuck run', async () => {
    const exec = await run({ statuses: ['WAITING_DATA'], lose: [0] }, false);
    expect(exec.status).toBe('FAILED');
    expect(exec.error).toBe('States.HeartbeatTimeout');
    expect(entered(exec)).toEqual(['Validate inputs', 'startKyc', 'startKyc.failed']);
  });
});
