// Issue 19 §3 for Fintecture: the simulator delivers its signed, form-encoded payment webhook, and
// a workflow's AsyncAPI receive step takes it only when the signature, the Digest, the Date window
// and the X-Request-ID replay check all pass. Real parts throughout: the compiled workflow on the
// embedded ASL engine, the Fintecture simulator and the local receiver on loopback HTTP, the real
// in-memory callback store and task tokens.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, writeFile, cp, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileFile, compileFileOrThrow, type CompiledWorkflow } from '../../compiler/index.js';
import { messageKey } from '../../functions/runtime/messages/receive-message.js';
import { AesGcmSealer, InMemorySecretsProvider } from '../../functions/runtime/secrets/index.js';
import { historyToJson } from '../../local/history/index.js';
import { startLocalCallbacks, type LocalCallbacks } from '../../local/local-callbacks.js';
import { LocalWorkflow, type LocalExecution } from '../../local/run-workflow.js';
import { makeSandboxSigning, startFintectureSandbox, type FintectureSandbox } from '../../sandbox/index.js';
import { signFintectureWebhook } from '../../sandbox/fintecture/sign-fintecture-webhook.js';
import { ROOT, scanForSecrets } from './support/seed-harness.js';

const WORKFLOW = join(ROOT, 'workflows/arazzo/fintecture-payment-webhook.arazzo.yml');
/** The application id the workflow's x-arazzo-sfn-verify names (keyId). */
const APP_ID = 'demo-merchant-app';
const APP_SECRET = `secret-${randomUUID()}`;
const SOURCE = 'fintectureWebhooks';
const CHANNEL = 'paymentStatus';
const signing = makeSandboxSigning([APP_ID], 'test/fintecture/signing-key');
const PRIVATE_PEM = signing.secrets['test/fintecture/signing-key']!;
const PUBLIC_PEM = signing.signatureKeys[APP_ID]!;

interface Captured {
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * Test stand-in for the network between Fintecture and the receiver: a loopback server set as the
 * application's webhook URL, which keeps what the simulator sent (answering 200) so the test can
 * forward it to the real receiver as sent, tampered with, or again.
 */
async function startCapture(): Promise<{ url: string; received: Captured[]; close(): Promise<void> }> {
  const received: Captured[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])), body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/webhook`, received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Polls `ready` every 10 ms; throws after 10 s (a generous kill limit, not a timing). */
async function waitFor(ready: () => boolean | Promise<boolean>): Promise<void> {
  for (const started = Date.now(); !(await ready()); ) {
    if (Date.now() - started > 10_000) throw new Error('waitFor: not ready within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('Fintecture payment webhooks, delivered by the simulator and received by an AsyncAPI receive step', () => {
  let sandbox: FintectureSandbox;
  let callbacks: LocalCallbacks;
  let compiled: CompiledWorkflow;
  const secrets = new InMemorySecretsProvider({ ...signing.secrets, 'fintecture/webhook-key': PRIVATE_PEM, 'test/fintecture/app': JSON.stringify({ clientId: APP_ID, clientSecret: APP_SECRET }) });
  const sealer = new AesGcmSealer();

  beforeAll(async () => {
    sandbox = await startFintectureSandbox({ clients: { [APP_ID]: APP_SECRET }, signatureKeys: signing.signatureKeys, webhookTiming: { payerDelayMs: 50, retryDelaysMs: [50, 50] } });
    callbacks = await startLocalCallbacks({ sealer, secrets });
    compiled = (await compileFileOrThrow(WORKFLOW, { signing: signing.signing })).workflows[0]!;
  });
  afterAll(async () => {
    await sandbox.close();
    await callbacks.close();
  });

  const run = (): Promise<LocalExecution> =>
    new LocalWorkflow(compiled).run(
      {
        clientId: 'secret:test/fintecture/app#clientId',
        clientSecret: 'secret:test/fintecture/app#clientSecret',
        amount: '25.00',
        currency: 'EUR',
        communication: 'Order 7',
        requestId: randomUUID(),
      },
      {
        runtime: { secrets, sealer, serverUrls: { oauthApi: sandbox.url, pisApi: sandbox.url } },
        waitMs: 1,
        callbacks: { local: callbacks },
        timeoutMs: 20_000,
      },
    );
  const post = async (message: Captured) => {
    // The provider's own headers; the hop's (host, content-length, connection) are the forwarding fetch's.
    const headers = Object.fromEntries(Object.entries(message.headers).filter(([k]) => ['content-type', 'date', 'digest', 'x-request-id', 'signature', 'user-agent'].includes(k)));
    const res = await fetch(callbacks.messageUrl(SOURCE, CHANNEL), { method: 'POST', headers, body: message.body });
    return { status: res.status, body: (await res.json()) as { result: string } };
  };
  const forgedCount = (reason: string) => callbacks.forged.get(reason) ?? 0;

  it('the receive step is a waitForTaskToken Task whose plan carries the fintecture verification', () => {
    expect(compiled.definition.States.awaitPaymentWebhook).toMatchObject({ Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken', TimeoutSeconds: 3600 });
    const step = compiled.plan.steps.find((s) => s.stepId === 'awaitPaymentWebhook');
    expect(step && 'receive' in step ? step.receive?.verify : undefined).toEqual({ scheme: 'fintecture', secret: 'fintecture/webhook-key', keyId: APP_ID, toleranceSeconds: 300 });
  });

  it('end to end: the simulator signs and POSTs the webhook to the configured URL, the step resumes on it, and the history holds no key or signature', async () => {
    sandbox.configureWebhook(APP_ID, callbacks.messageUrl(SOURCE, CHANNEL));
    const exec = await run();
    expect(exec.status).toBe('SUCCEEDED');
    const output = exec.output as { sessionId: string; webhookStatus: string; confirmedStatus: string };
    expect(output).toMatchObject({ webhookStatus: 'payment_created', confirmedStatus: 'payment_created' });
    await sandbox.webhooksSettled();
    const deliveries = sandbox.webhookDeliveries.filter((d) => d.sessionId === output.sessionId);
    // Taken at once (200), or kept for the step a moment before it waited (202): one attempt, no retry.
    expect(deliveries).toHaveLength(1);
    expect([200, 202]).toContain(deliveries[0]!.answerStatus);
    const history = JSON.stringify(historyToJson(exec.history));
    expect(history).toContain('payment_created');
    expect(scanForSecrets(history, [PRIVATE_PEM, APP_SECRET, 'SHA-256=', 'keyId=', 'rsa-sha256'])).toEqual([]);
  });

  describe('a webhook that is not Fintecture\'s own is refused 401, counted, and resumes nothing', () => {
    let capture: Awaited<ReturnType<typeof startCapture>>;
    let exec: Promise<LocalExecution>;
    let finished = false;
    let genuine: Captured;
    let sessionId: string;

    beforeAll(async () => {
      capture = await startCapture();
      sandbox.configureWebhook(APP_ID, capture.url);
      exec = run();
      void exec.then(() => (finished = true));
      await waitFor(() => capture.received.length === 1);
      genuine = capture.received[0]!;
      sessionId = new URLSearchParams(genuine.body).get('session_id')!;
      // The step registered its wait under the session id: what a forged webhook would resume.
      await waitFor(async () => (await callbacks.store.get(messageKey(SOURCE, CHANNEL, sessionId)))?.settled === false);
    });
    afterAll(async () => {
      sandbox.configureWebhook(APP_ID, undefined);
      await capture.close();
    });

    const stillWaiting = async () => {
      expect(finished).toBe(false);
      expect(await callbacks.store.get(messageKey(SOURCE, CHANNEL, sessionId))).toMatchObject({ settled: false, statuses: [] });
    };

    it('the simulator sent it form-encoded with Digest, Date, X-Request-ID and Signature, the session id and status in the body', () => {
      expect(genuine.headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect(genuine.headers.digest).toMatch(/^SHA-256=[A-Za-z0-9+/]+=*$/);
      expect(genuine.headers.signature).toMatch(new RegExp(`^keyId="${APP_ID}",algorithm="rsa-sha256",headers="date digest x-request-id",signature="[A-Za-z0-9+/]+=*"$`));
      expect(Date.parse(genuine.headers.date!)).not.toBeNaN();
      expect(Object.fromEntries(new URLSearchParams(genuine.body))).toEqual({ session_id: sessionId, status: 'payment_created', amount: '25.00', currency: 'EUR' });
    });

    it('forged signature: signed to another key', async () => {
      const before = forgedCount('bad-signature');
      const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
      const headers = signFintectureWebhook({ body: genuine.body, appId: APP_ID, publicKey: otherKey, date: new Date(), requestId: randomUUID() });
      expect(await post({ headers, body: genuine.body })).toEqual({ status: 401, body: { result: 'message not verified' } });
      expect(forgedCount('bad-signature')).toBe(before + 1);
      await stillWaiting();
    });

    it('wrong digest: the genuine headers over a body that says something else', async () => {
      const before = forgedCount('bad-digest');
      const tampered = genuine.body.replace('payment_created', 'payment_cancelled');
      expect((await post({ headers: genuine.headers, body: tampered })).status).toBe(401);
      expect(forgedCount('bad-digest')).toBe(before + 1);
      await stillWaiting();
    });

    it('stale Date: signed correctly ten minutes ago', async () => {
      const before = forgedCount('stale');
      const headers = signFintectureWebhook({ body: genuine.body, appId: APP_ID, publicKey: PUBLIC_PEM, date: new Date(Date.now() - 600_000), requestId: randomUUID() });
      expect((await post({ headers, body: genuine.body })).status).toBe(401);
      expect(forgedCount('stale')).toBe(before + 1);
      await stillWaiting();
    });

    it('the genuine webhook resumes the step; the same X-Request-ID again is a replay, refused and counted', async () => {
      expect(await post(genuine)).toEqual({ status: 200, body: { result: 'received' } });
      const done = await exec;
      expect(done.status).toBe('SUCCEEDED');
      expect(done.output).toMatchObject({ sessionId, webhookStatus: 'payment_created' });
      const history = JSON.stringify(historyToJson(done.history));
      expect(scanForSecrets(history, [genuine.headers.signature!, genuine.headers.digest!, PRIVATE_PEM])).toEqual([]);

      const before = forgedCount('replayed');
      expect((await post(genuine)).status).toBe(401);
      // Freshly signed (a new Date) with the delivered X-Request-ID: still a replay.
      const resigned = signFintectureWebhook({ body: genuine.body, appId: APP_ID, publicKey: PUBLIC_PEM, date: new Date(), requestId: genuine.headers['x-request-id']! });
      expect((await post({ headers: resigned, body: genuine.body })).status).toBe(401);
      expect(forgedCount('replayed')).toBe(before + 2);
      expect(await callbacks.store.get(messageKey(SOURCE, CHANNEL, sessionId))).toMatchObject({ settled: true });
    });
  });
});

describe('x-arazzo-sfn-verify is checked at compile time', () => {
  const copy = async (edit: (text: string) => string) => {
    const dir = await mkdtemp(join(tmpdir(), 'arazzo-sfn-verify-'));
    await cp(join(ROOT, 'workflows/openapi'), join(dir, 'openapi'), { recursive: true });
    await cp(join(ROOT, 'workflows/asyncapi'), join(dir, 'asyncapi'), { recursive: true });
    await mkdir(join(dir, 'arazzo'));
    const file = join(dir, 'arazzo', 'w.arazzo.yml');
    await writeFile(file, edit(await readFile(WORKFLOW, 'utf8')));
    return (await compileFile(file)).diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.message}`);
  };

  it('on a step that receives nothing: ASFN1155', async () => {
    const errors = await copy((t) =>
      t.replace('    successCriteria:\n    - condition: $statusCode == 200\n    outputs:\n      status: $response.body#/meta/status', '    x-arazzo-sfn-verify: { scheme: fintecture, keyId: app, secret: k }\n    successCriteria:\n    - condition: $statusCode == 200\n    outputs:\n      status: $response.body#/meta/status'),
    );
    expect(errors).toEqual([expect.stringMatching(/^ASFN1155 step "confirmPayment": x-arazzo-sfn-verify verifies the messages a receive step/)]);
  });

  it('a receive step\'s declaration is read as a callback\'s verify is (ASFN1070), named by its extension', async () => {
    const errors = await copy((t) => t.replace('      keyId: demo-merchant-app\n', ''));
    expect(errors).toEqual([expect.stringContaining('ASFN1070 x-arazzo-sfn-verify.keyId must be the Fintecture application id')]);
  });
});
